/**
 * Attachments (`POST /v1/incident_attachments`): the run, the pull request and the user's links,
 * in incident.io's attachments panel. They are made after the incident exists, in parallel, and
 * never fail the step: the incident is what matters, so a refused attachment is a warning.
 * incident.io takes no idempotency key here, so on an incident this step did not create, its
 * attachments are listed first and a URL already attached (compared normalised) is not attached
 * again. A pull request goes as `github_pull_request`, or as a plain link when incident.io
 * refuses that type (no GitHub integration installed).
 */
import { ApiError } from '../errors.js';
import type { IncidentIoClient } from './client.js';
import { isRecord } from './retry.js';

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

export interface AttachmentOutcome {
  /** What was attached (or, on a dry run, would be). */
  made: AttachmentPlan[];
  /** Already attached: left alone. */
  skipped: AttachmentPlan[];
  /** One warning per failure; a 403 is one warning naming the missing scope. */
  warnings: string[];
}

export const ATTACHMENTS_PATH = '/v1/incident_attachments';

/** A URL as compared: scheme and host in lower case, no fragment, no trailing slash. */
export function normaliseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.href.replace(/\/+$/, '').replace(/\/+(\?)/, '$1');
  } catch {
    return url.trim();
  }
}

export function attachmentRequest(incidentId: string, plan: AttachmentPlan, asLink = false): AttachmentRequest {
  return plan.pullRequest && !asLink
    ? { incident_id: incidentId, resource: { resource_type: 'github_pull_request', url: plan.url } }
    : { incident_id: incidentId, resource: { resource_type: 'arbitrary_url', url: plan.url, title: plan.title } };
}

/** The normalised URLs already attached to the incident (each attachment's `resource.permalink`). */
export async function attachedUrls(client: IncidentIoClient, incidentId: string): Promise<Set<string>> {
  const list = await client.getList<unknown>(ATTACHMENTS_PATH, 'incident_attachments', { incident_id: incidentId }, []);
  const urls = new Set<string>();
  for (const item of list) {
    const resource = isRecord(item) ? item['resource'] : undefined;
    for (const key of ['permalink', 'external_id']) {
      const value = isRecord(resource) ? resource[key] : undefined;
      if (typeof value === 'string' && /^https?:\/\//.test(value)) urls.add(normaliseUrl(value));
    }
  }
  return urls;
}

export async function attach(
  client: IncidentIoClient,
  incidentId: string,
  plans: readonly AttachmentPlan[],
  { listFirst }: { listFirst: boolean },
): Promise<AttachmentOutcome> {
  const unique = dedupe(plans);
  if (unique.length === 0) return { made: [], skipped: [], warnings: [] };
  let existing = new Set<string>();
  if (listFirst) {
    try {
      existing = await attachedUrls(client, incidentId);
    } catch (error) {
      return {
        made: [],
        skipped: [],
        warnings: [refusal(error, 'list the attachments already there, so none were added (to attach none twice)')],
      };
    }
  }
  const skipped = unique.filter((plan) => existing.has(normaliseUrl(plan.url)));
  const todo = unique.filter((plan) => !existing.has(normaliseUrl(plan.url)));
  const results = await Promise.allSettled(todo.map((plan) => attachOne(client, incidentId, plan)));
  const made: AttachmentPlan[] = [];
  const failures: unknown[] = [];
  results.forEach((result, i) => (result.status === 'fulfilled' ? made.push(todo[i] as AttachmentPlan) : failures.push(result.reason)));
  const forbidden = failures.some((e) => e instanceof ApiError && e.status === 403);
  const warnings = forbidden
    ? [
        refusal(
          failures.find((e) => e instanceof ApiError && e.status === 403),
          `attach ${failures.length} link(s)`,
        ),
      ]
    : failures.map((error) => refusal(error, 'attach a link'));
  return { made, skipped, warnings };
}

/**
 * An attachment has no idempotency key, so a retry after an answer that was lost (a reset, a
 * timeout, a 5xx, a body cut short) would attach it twice: before each retry, the incident's
 * attachments are listed, and a URL already there ends the request.
 */
async function attachOne(client: IncidentIoClient, incidentId: string, plan: AttachmentPlan): Promise<void> {
  const landed = async () => (await attachedUrls(client, incidentId)).has(normaliseUrl(plan.url));
  try {
    await client.post<unknown>(ATTACHMENTS_PATH, attachmentRequest(incidentId, plan), landed);
  } catch (error) {
    // No GitHub integration: incident.io refuses the typed resource; a plain link still works.
    if (plan.pullRequest && error instanceof ApiError && (error.status === 400 || error.status === 422) && namesResource(error)) {
      await client.post<unknown>(ATTACHMENTS_PATH, attachmentRequest(incidentId, plan, true), landed);
      return;
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

function dedupe(plans: readonly AttachmentPlan[]): AttachmentPlan[] {
  const seen = new Set<string>();
  return plans.filter((plan) => {
    const key = normaliseUrl(plan.url);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The warning for a refused attachment; a 403 already names the scope and the key's input (the client shapes it). */
function refusal(error: unknown, what: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return `The incident exists, but the action could not ${what}. ${message}`;
}
