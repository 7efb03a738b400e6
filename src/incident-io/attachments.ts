/**
 * Attachments (`POST /v1/incident_attachments`): the run, the pull request and the user's links,
 * in incident.io's attachments panel. They are made after the incident exists, in parallel, and
 * never fail the step: the incident is what matters, so a refused attachment is a warning.
 * incident.io takes no idempotency key here, so on an incident this step did not create, its
 * attachments are listed first and a URL already attached (compared normalised) is not attached
 * again; and after attaching, they are listed once more, so that a URL that another step attached
 * at the same moment stays attached once. A pull request goes as `github_pull_request`, or as a plain link when incident.io
 * refuses that type (no GitHub integration installed).
 */
import { ApiError } from '../core/errors.js';
import { check, describeProblems, id, isRecord, items, loose, object, type Problem, text } from '../core/shape.js';
import type { IncidentIoClient } from './client.js';

export interface AttachmentPlan {
  title: string;
  url: string;
  /** A pull request is attached as one when incident.io can, else as a link. */
  pullRequest?: boolean;
}

export interface AttachmentRequest {
  incident_id: string;
  resource: { resource_type: 'arbitrary_url' | 'github_pull_request'; url: string; title?: string };
}

/** Which step won the claim on a new incident (see `attach`): this one, another, or no way to tell. */
export type Claim = 'won' | 'lost' | 'unknown';

export interface AttachmentOutcome {
  /** What was attached (or, on a dry run, would be), and stayed attached. */
  made: AttachmentPlan[];
  /** Already attached: left alone. */
  skipped: AttachmentPlan[];
  /** Plans with the same URL as an earlier plan, attached once as that one. */
  merged: { dropped: AttachmentPlan; kept: AttachmentPlan }[];
  /** Attached by this step, then removed: the same URL had been attached a moment earlier, by another step. */
  removed: AttachmentPlan[];
  /** One warning per failure; a 403 is one warning naming the missing scope. */
  warnings: string[];
  /** With `claims`: whether the incident's first claiming attachment is this step's. */
  claim?: Claim;
}

export const ATTACHMENTS_PATH = '/v1/incident_attachments';

/**
 * A URL as compared: scheme and host in lower case, no trailing slash. The fragment counts: two
 * links to different sections of one page are two links.
 */
export function normaliseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hash = parsed.hash;
    parsed.hash = '';
    return parsed.href.replace(/\/+$/, '').replace(/\/+(\?)/, '$1') + hash;
  } catch {
    return url.trim();
  }
}

export function attachmentRequest(incidentId: string, plan: AttachmentPlan, asLink = false): AttachmentRequest {
  return plan.pullRequest && !asLink
    ? { incident_id: incidentId, resource: { resource_type: 'github_pull_request', url: plan.url } }
    : { incident_id: incidentId, resource: { resource_type: 'arbitrary_url', url: plan.url, title: plan.title } };
}

/**
 * An attachment as the action reads it: its ID (to tell which of two came first, and to remove
 * one), and the URLs it points to. An item without an ID, or a URL of another type, is left out;
 * an answer without the list is an AnswerError (src/core/shape.ts), which the callers only warn about.
 */
const ATTACHMENT = object({
  id,
  resource: object({ permalink: loose(text), external_id: loose(text), resource_type: loose(text) }),
});
const ATTACHMENT_LIST = object({ incident_attachments: items(ATTACHMENT) });
const CREATED = object({ incident_attachment: object({ id }) });

/** An attachment already on the incident: its ID and the normalised URLs it points to. */
interface Listed {
  id: string;
  urls: string[];
}

async function listAttachments(client: IncidentIoClient, incidentId: string): Promise<{ listed: Listed[]; dropped: Problem[] }> {
  const body = await client.get<unknown>(ATTACHMENTS_PATH, { incident_id: incidentId });
  const result = check(ATTACHMENT_LIST, body);
  if (!result.ok) {
    throw new ApiError(
      `incident.io GET ${ATTACHMENTS_PATH} answered with a list the action cannot read: ${describeProblems(result.problems)}.`,
    );
  }
  const listed = result.value.incident_attachments.map(({ id, resource }) => ({
    id,
    urls: [resource.permalink, resource.external_id]
      .filter((u): u is string => u !== undefined && /^https?:\/\//.test(u))
      .map(normaliseUrl),
  }));
  return { listed, dropped: result.dropped };
}

/** The normalised URLs already attached to the incident (each attachment's `resource.permalink` or `external_id`). */
export async function attachedUrls(client: IncidentIoClient, incidentId: string): Promise<Set<string>> {
  const { listed } = await listAttachments(client, incidentId);
  return new Set(listed.flatMap((a) => a.urls));
}

/** incident.io's IDs are ULIDs: ordered by when they were made (see docs/performance.md on the claim). */
function earlier(a: string, b: string): boolean {
  return a.length !== b.length ? a.length < b.length : a < b;
}

export interface AttachOptions {
  /** List the incident's attachments first, and attach only what is not there yet (an incident this step did not create). */
  listFirst: boolean;
  /**
   * The URLs that stake this step's claim to a new incident (the run's link). Two jobs of a run
   * that declare the same incident at the same moment both believe they created it; the one
   * whose claiming attachment incident.io made first (the smallest ID) did.
   */
  claims?: (normalisedUrl: string) => boolean;
}

/**
 * Attaches the plans in parallel, each URL once, then lists the incident's attachments again:
 * an attachment of this step whose URL another step attached a moment earlier (a matrix leg of
 * the same run, racing this one) is removed again, so each URL stays attached once, as the one
 * with the smallest ID. With `claims`, the same list says whether this step's claim came first.
 * incident.io has no idempotency key for attachments, so this list after the write is the only
 * way to see a race; its limits are in docs/performance.md.
 */
export async function attach(
  client: IncidentIoClient,
  incidentId: string,
  plans: readonly AttachmentPlan[],
  { listFirst, claims }: AttachOptions,
): Promise<AttachmentOutcome> {
  const { unique, merged } = dedupe(plans);
  const outcome: AttachmentOutcome = { made: [], skipped: [], merged, removed: [], warnings: [] };
  if (unique.length === 0) return outcome;
  let existing = new Set<string>();
  if (listFirst) {
    try {
      existing = await attachedUrls(client, incidentId);
    } catch (error) {
      outcome.warnings.push(refusal(error, 'list the attachments already there, so none were added (to attach none twice)'));
      return outcome;
    }
  }
  outcome.skipped = unique.filter((plan) => existing.has(normaliseUrl(plan.url)));
  const todo = unique.filter((plan) => !existing.has(normaliseUrl(plan.url)));
  const results = await Promise.allSettled(todo.map((plan) => attachOne(client, incidentId, plan)));
  const mine: { plan: AttachmentPlan; id?: string }[] = [];
  const failures: unknown[] = [];
  results.forEach((result, i) =>
    result.status === 'fulfilled' ? mine.push({ plan: todo[i]!, id: result.value }) : failures.push(result.reason),
  );
  const forbidden = failures.find((e) => e instanceof ApiError && e.status === 403);
  if (forbidden) outcome.warnings.push(refusal(forbidden, `attach ${failures.length} link(s)`));
  else outcome.warnings.push(...failures.map((error) => refusal(error, 'attach a link')));
  // Nothing to settle when nothing could be attached for want of the scope: the list would be refused too.
  const settle = mine.length > 0 || (claims !== undefined && !forbidden);
  const settled = settle ? await settleRace(client, incidentId, mine, claims) : { kept: mine, removed: [], warnings: [], claim: undefined };
  outcome.made = settled.kept.map((m) => m.plan);
  outcome.removed = settled.removed.map((m) => m.plan);
  outcome.warnings.push(...settled.warnings);
  if (claims) outcome.claim = settled.claim ?? 'unknown';
  return outcome;
}

/**
 * The list after the write: this step's attachments that have an earlier twin (same URL, smaller
 * ID) are deleted, and the claim is decided. Whatever fails here only warns.
 */
async function settleRace(
  client: IncidentIoClient,
  incidentId: string,
  mine: { plan: AttachmentPlan; id?: string }[],
  claims: ((url: string) => boolean) | undefined,
): Promise<{ kept: typeof mine; removed: typeof mine; warnings: string[]; claim?: Claim }> {
  let listed: Listed[];
  try {
    ({ listed } = await listAttachments(client, incidentId));
  } catch (error) {
    return {
      kept: mine,
      removed: [],
      warnings: [
        refusal(error, 'list the attachments after adding them, to see whether another step attached the same links at the same moment'),
      ],
    };
  }
  const firstOf = (predicate: (a: Listed) => boolean) =>
    listed
      .filter(predicate)
      .reduce<Listed | undefined>((first, a) => (first === undefined || earlier(a.id, first.id) ? a : first), undefined);
  const twins = mine.filter((m) => {
    if (m.id === undefined) return false;
    const url = normaliseUrl(m.plan.url);
    const first = firstOf((a) => a.urls.includes(url));
    return first !== undefined && first.id !== m.id && earlier(first.id, m.id);
  });
  let claim: Claim | undefined;
  if (claims) {
    const first = firstOf((a) => a.urls.some(claims));
    // A claiming attachment of this step whose ID the answer did not give (lost, or malformed) may be the first.
    const unsure = mine.some((m) => m.id === undefined && claims(normaliseUrl(m.plan.url)));
    claim = first === undefined ? 'unknown' : mine.some((m) => m.id === first.id) ? 'won' : unsure ? 'unknown' : 'lost';
  }
  const deleted = await Promise.allSettled(twins.map((m) => deleteAttachment(client, m.id!)));
  const removed = twins.filter((_, i) => deleted[i]!.status === 'fulfilled');
  const refused = deleted.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const warnings = refused
    ? [
        refusal(
          refused.reason,
          `remove ${twins.length - removed.length} link(s) it attached at the same moment as another step attached them, so they are attached twice`,
        ),
      ]
    : [];
  return { kept: mine.filter((m) => !removed.includes(m)), removed, warnings, claim };
}

/** Deletes an attachment; one already gone (404) is as good as deleted. */
async function deleteAttachment(client: IncidentIoClient, attachmentId: string): Promise<void> {
  try {
    await client.request('DELETE', `${ATTACHMENTS_PATH}/${encodeURIComponent(attachmentId)}`, {});
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
}

/**
 * An attachment has no idempotency key, so a retry after an answer that was lost (a reset, a
 * timeout, a 5xx, a body cut short) would attach it twice: before each retry, the incident's
 * attachments are listed, and a URL already there ends the request. Returns the attachment's
 * ID, when the answer says it (an answer that was lost does not).
 */
async function attachOne(client: IncidentIoClient, incidentId: string, plan: AttachmentPlan): Promise<string | undefined> {
  const landed = async () => (await attachedUrls(client, incidentId)).has(normaliseUrl(plan.url));
  const post = async (asLink: boolean) => {
    const response = await client.post<unknown>(ATTACHMENTS_PATH, attachmentRequest(incidentId, plan, asLink), landed);
    if (response.landed) return undefined;
    const answer = check(CREATED, response.body);
    return answer.ok ? answer.value.incident_attachment.id : undefined;
  };
  try {
    return await post(false);
  } catch (error) {
    // No GitHub integration: incident.io refuses the typed resource; a plain link still works.
    if (plan.pullRequest && error instanceof ApiError && (error.status === 400 || error.status === 422) && namesResource(error)) {
      return post(true);
    }
    throw error;
  }
}

function namesResource(error: ApiError): boolean {
  if (!isRecord(error.body) || !Array.isArray(error.body['errors'])) return /resource|integration/i.test(error.message);
  return error.body['errors'].some(
    (e) =>
      isRecord(e) &&
      ((isRecord(e['source']) && typeof e['source']['field'] === 'string' && e['source']['field'].startsWith('resource')) ||
        (typeof e['message'] === 'string' && /integration|resource/i.test(e['message']))),
  );
}

/** Each URL once: a plan with the URL of an earlier plan is merged into it, and said. */
function dedupe(plans: readonly AttachmentPlan[]): {
  unique: AttachmentPlan[];
  merged: { dropped: AttachmentPlan; kept: AttachmentPlan }[];
} {
  const first = new Map<string, AttachmentPlan>();
  const merged: { dropped: AttachmentPlan; kept: AttachmentPlan }[] = [];
  for (const plan of plans) {
    const key = normaliseUrl(plan.url);
    const kept = first.get(key);
    if (kept) merged.push({ dropped: plan, kept });
    else first.set(key, plan);
  }
  return { unique: [...first.values()], merged };
}

/** The warning for a refused attachment; a 403 already names the scope and the key's input (the client shapes it). */
function refusal(error: unknown, what: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return `The incident exists, but the action could not ${what}. ${message}`;
}
