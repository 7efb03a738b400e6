/**
 * Paging through incident.io: escalation paths by name, users by email or ID, the escalation
 * itself (exactly once, by its idempotency key: see escalation-keys.ts), and cancelling the
 * escalations an `escalation-key` made, when they are provably the action's own.
 */
import { ApiError, InputError, settleAll } from '../core/errors.js';
import type { IncidentIoClient } from './client.js';
import { declareEscalationKey, descriptionToken, markerToken, readMarker, stepToken, withMarker } from './escalation-keys.js';
import { isNew } from './incidents.js';
import { readPages, resolveFromPages, type Pages } from './pages.js';
import type { Named, User } from './names.js';
import { findUser } from './roles.js';
import { AnswerError, check, describeProblems, id, items, loose, object, text, type Shape } from '../core/shape.js';

/** Escalation paths are listed 25 a page (the most incident.io allows), for at most this many pages. */
export const PATH_PAGE_SIZE = 25;
export const MAX_PATH_PAGES = 40;
/** Escalations are listed 50 a page (the most incident.io allows), for at most this many pages. */
export const ESCALATION_PAGE_SIZE = 50;
export const MAX_ESCALATION_PAGES = 10;

/**
 * Statuses in which an escalation can still page someone, from the spec's list (pending,
 * triggered, acked, resolved, expired, cancelled, snoozed, delayed, pending_repeat): a pending
 * one is in its grace period, a snoozed one wakes again (the spec says cancel works on it), a
 * delayed or pending_repeat one pages later. An acked one has been taken by a person and pages no
 * one further; resolved, expired and cancelled ones are over.
 */
export const PAGING_STATUSES = ['pending', 'triggered', 'snoozed', 'delayed', 'pending_repeat'] as const;

const USER: Shape<User> = object({ id, name: loose(text), email: loose(text), slack_user_id: loose(text) });

export interface EscalationPath extends Named {
  /** Who the path pages now, as incident.io says (for the summary and a dry run; never decides anything). */
  current_responders?: User[];
}

const PATH: Shape<EscalationPath> = object({ id, name: id, current_responders: loose(items(USER)) });

export function listEscalationPaths(client: IncidentIoClient): Promise<Pages<EscalationPath>> {
  return readPages(client, '/v2/escalation_paths', 'escalation_paths', PATH, { pageSize: PATH_PAGE_SIZE, maxPages: MAX_PATH_PAGES });
}

/**
 * The path `value` names (its ID, or its name in any case), from the paths read. Names are not
 * unique in incident.io: two paths of the name (in any case) are an error listing their IDs.
 */
export function resolveEscalationPath(input: string, value: string, pages: Pages<EscalationPath>): EscalationPath {
  return resolveFromPages(input, 'escalation path', value, pages);
}

/**
 * The users `values` name (emails, incident.io user IDs or Slack user IDs), each matched exactly
 * as the roles are (`findUser`), all looked up at once. Every unknown one is an input error, all
 * reported together. A user named twice (by email and by ID) is paged once: the list is in the
 * order given, each user once.
 */
export async function resolveUsers(client: IncidentIoClient, input: string, values: readonly string[]): Promise<User[]> {
  const found = await settleAll(
    values.map(async (value) => {
      const user = await findUser(client, value);
      if (user) return user;
      throw new InputError(
        `Input "${input}" names ${JSON.stringify(value)}, but no user of this incident.io workspace has this ` +
          `${value.includes('@') ? 'email' : 'ID'}. Use the email of their incident.io account, their incident.io user ID or their Slack user ID (U…).`,
      );
    }),
  );
  return found.filter((user, i) => found.findIndex((u) => u.id === user.id) === i);
}

/** The body of `POST /v2/escalations`: one target, never both (the API takes one or the other). */
export interface EscalationRequest {
  idempotency_key: string;
  title: string;
  description: string;
  escalation_path_id?: string;
  user_ids?: string[];
  incident_id?: string;
}

/** An escalation as the action reads it: its ID and status prove it; the rest only reports. */
export interface Escalation {
  id: string;
  status: string;
  title?: string;
  description?: string;
  created_at?: string;
  escalation_path_id?: string;
  /** Users notified so far, from its events (for the summary). */
  notified: User[];
}

const ANSWER = object({
  escalation: object({
    id,
    status: id,
    title: loose(text),
    description: loose(text),
    created_at: loose(text),
    escalation_path_id: loose(text),
    events: loose(items(object({ users: loose(items(USER)) }))),
  }),
});

export interface Created {
  escalation: Escalation;
  /** False when incident.io returned the escalation an earlier request made under the same key. */
  created: boolean;
}

export const ESCALATIONS_PATH = '/v2/escalations';

/**
 * Sends the escalation. The client retries a lost answer with the same body, so with the same
 * key: incident.io returns the escalation the first attempt made, and no one is paged twice. The
 * answer is 201 either way. Whether this step made it: when the request's marker carries a step
 * token, the answer's description must carry the same one (another one is another step's page: a
 * re-run's, or a job of this run that raced this one under the same key); without one to compare,
 * its age decides (`isNew`, as for incidents). An answer without an escalation the action can
 * read is an error naming the request: it cannot tell whether anyone was paged.
 */
export async function createEscalation(client: IncidentIoClient, request: EscalationRequest): Promise<Created> {
  const sentAt = client.now();
  const response = await client.post<unknown>(ESCALATIONS_PATH, request);
  const result = check(ANSWER, response.body);
  if (!result.ok) {
    throw new AnswerError(
      `incident.io POST ${ESCALATIONS_PATH} answered ${response.status}, but not with an escalation the action can read ` +
        `(${describeProblems(result.problems)}), so it cannot tell whether anyone was paged. Check the escalations in incident.io; ` +
        'a re-run sends the same idempotency key, so it pages no one twice.',
      result.problems,
    );
  }
  const { events, ...escalation } = result.value.escalation;
  const notified = (events ?? []).flatMap((e) => e.users ?? []);
  const mine = readMarker(request.description)?.step;
  const theirs = readMarker(escalation.description);
  const created =
    mine !== undefined && theirs !== undefined ? theirs.step === mine : isNew(escalation, sentAt, client.now(), response.date);
  return {
    escalation: { ...escalation, notified: notified.filter((u, i) => notified.findIndex((v) => v.id === u.id) === i) },
    created,
  };
}

/** An escalation that carries the token but was left alone, and why. */
export interface Rejected {
  id: string;
  title?: string;
  reason: string;
}

export interface OwnEscalations {
  /** The escalations to cancel: the token's marker last in the description, still paging, created by no person, workflow or alert. */
  escalations: Escalation[];
  /** Listed ones that carry the token somewhere but are not provably this key's, or no longer page. */
  rejected: Rejected[];
  /** False when the page limit stopped the list. */
  complete: boolean;
}

/** A listed escalation: what proves it is the key's, and what the log and summary show. */
interface Listed extends Omit<Escalation, 'notified'> {
  creator?: Record<string, unknown>;
}

const LISTED: Shape<Listed> = object({
  id,
  status: id,
  title: loose(text),
  description: loose(text),
  created_at: loose(text),
  escalation_path_id: loose(text),
  creator: loose(object({})),
});

/**
 * The escalations of the key whose idempotency keys start with `prefix` and whose marker is
 * `token`, still paging. The filters are the server's; the decision is the action's, made on each
 * item whatever the server did with them (see `whyNotOurs`).
 */
export async function findOwnEscalations(client: IncidentIoClient, prefix: string, token: string): Promise<OwnEscalations> {
  const pages = await readPages(client, ESCALATIONS_PATH, 'escalations', LISTED, {
    query: { 'idempotency_key[starts_with]': prefix, 'status[one_of]': [...PAGING_STATUSES] },
    pageSize: ESCALATION_PAGE_SIZE,
    maxPages: MAX_ESCALATION_PAGES,
  });
  const escalations: Escalation[] = [];
  const rejected: Rejected[] = [];
  for (const item of pages.items) {
    const reason = whyNotOurs(item, token);
    if (reason === undefined) {
      const { id, status, title, description, created_at, escalation_path_id } = item;
      escalations.push({ id, status, title, description, created_at, escalation_path_id, notified: [] });
    } else if (reason !== NOT_MENTIONED) rejected.push({ id: item.id, title: item.title, reason });
  }
  return { escalations, rejected, complete: pages.complete };
}

const NOT_MENTIONED = '';

/**
 * Why a listed escalation is not one to cancel, or undefined when it is. NOT_MENTIONED for one
 * that does not mention the token at all (not about this key: left out of the log).
 */
export function whyNotOurs(
  item: { status: string; description?: string; creator?: Record<string, unknown> },
  token: string,
): string | undefined {
  const own = descriptionToken(item.description);
  if (own !== token) {
    if (!(item.description ?? '').includes(token)) return NOT_MENTIONED;
    return own === undefined
      ? "its description quotes this key's marker, but its last line is not the marker"
      : "its description quotes this key's marker, but its last line is the marker of another key";
  }
  const creator = item.creator ?? {};
  const by = ['user', 'workflow', 'alert'].find((kind) => creator[kind] !== undefined && creator[kind] !== null);
  if (by)
    return `incident.io says ${by === 'user' ? 'a person' : by === 'workflow' ? 'an incident.io workflow' : 'an alert'} created it, not the action`;
  if (!(PAGING_STATUSES as readonly string[]).includes(item.status)) return `it no longer pages anyone (status "${item.status}")`;
  return undefined;
}

/** How a cancel ended: cancelled (or already), or refused by incident.io with its words. */
export type CancelOutcome = { cancelled: true } | { cancelled: false; why: string };

/**
 * `POST /v2/escalations/{id}/actions/cancel`. Its answer has no body; a repeat is a no-op. One
 * incident.io refuses (a 409 or 422: it resolved or expired in the meantime, the spec says such
 * cannot be cancelled) or no longer knows (404) is an outcome, not a failure; any other error is.
 */
export async function cancelEscalation(client: IncidentIoClient, escalationId: string): Promise<CancelOutcome> {
  try {
    await client.post<unknown>(`${ESCALATIONS_PATH}/${encodeURIComponent(escalationId)}/actions/cancel`, undefined);
    return { cancelled: true };
  } catch (error) {
    if (error instanceof ApiError && (error.status === 409 || error.status === 422 || error.status === 404)) {
      return { cancelled: false, why: error.message };
    }
    throw error;
  }
}

/** What page-on-declare needs of the incident it pages for. */
export interface DeclaredIncident {
  id: string;
  reference: string;
  name: string;
  permalink?: string;
}

/**
 * The page the declare job sends for its own incident (new, or replayed under this run's
 * idempotency key): linked to it by `incident_id`, always under a key derived from the incident
 * and the path alone, so a re-run pages no one twice, and a re-run after a page that failed
 * still pages. The incident's reference and name are its title; its link, the description.
 */
export function declareEscalationRequest(incident: DeclaredIncident, path: { id: string }, step = stepToken()): EscalationRequest {
  const key = declareEscalationKey(incident.id, path.id);
  const about = [`incident.io incident ${incident.reference}: ${incident.name}`, incident.permalink].filter(Boolean).join('\n');
  return {
    idempotency_key: key,
    title: `${incident.reference}: ${incident.name}`,
    description: withMarker(about, markerToken(key), step),
    escalation_path_id: path.id,
    incident_id: incident.id,
  };
}

/** Pages `path` for the declared incident: `createEscalation` with `declareEscalationRequest`. */
export function pageOnDeclare(client: IncidentIoClient, incident: DeclaredIncident, path: { id: string }): Promise<Created> {
  return createEscalation(client, declareEscalationRequest(incident, path));
}
