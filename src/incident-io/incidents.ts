/**
 * Creating an incident exactly once. The idempotency key makes every retry and every re-run
 * of the workflow land on the same incident; this module reads incident.io's answer to tell
 * "this step opened it" from "it was already declared".
 */
import type { IncidentIoClient } from './client.js';
import { ApiError, InputError, withContext } from '../core/errors.js';
import { AnswerError, check, describeProblems, id, isRecord, loose, object, text } from '../core/shape.js';

export interface Incident {
  id: string;
  reference: string;
  name: string;
  permalink?: string;
  summary?: string;
  created_at?: string;
  visibility?: string;
  mode?: string;
  severity?: { id: string; name: string };
  incident_status?: { id: string; name: string; category?: string };
  incident_type?: { id: string; name: string };
  /** Empty, or absent, until incident.io has created the channel (sometimes after it answers). */
  slack_channel_id?: string;
  slack_channel_name?: string;
  slack_team_id?: string;
}

export interface CreatePayload {
  idempotency_key: string;
  severity_id: string;
  visibility: string;
  name: string;
  summary: string;
  mode: string;
  [field: string]: unknown;
}

export interface CreateResult {
  /** Undefined only when incident.io answered "already exists" without saying which incident. */
  incident?: Incident;
  /** True when this step opened the incident. */
  created: boolean;
}

/** Slack in the "is this incident new?" test: clock resolution and the time a create takes to commit. */
const NEW_INCIDENT_SLACK_MS = 2_000;

export async function createIncident(client: IncidentIoClient, payload: CreatePayload, now: () => number): Promise<CreateResult> {
  const sentAt = now();
  try {
    const response = await client.post<unknown>('/v2/incidents', payload);
    const incident = readIncident(response.body, `POST /v2/incidents answered ${response.status}`);
    return { incident, created: isNew(incident, sentAt, now(), response.date) };
  } catch (error) {
    if (error instanceof ApiError && isKeyConflict(error)) {
      return { incident: incidentFrom(error.body), created: false };
    }
    throw mayHaveLanded(error, payload.idempotency_key);
  }
}

/**
 * A create whose answer never came (a lost connection, a timeout, a 5xx, a body cut short, or a
 * deadline reached after such an attempt) may still have declared the incident: the error says
 * so, and how to get it without a duplicate. A 4xx that refused the create (not 408 or 429)
 * means nothing was declared, and is left as it is.
 */
function mayHaveLanded(error: unknown, idempotencyKey: string): unknown {
  if (!(error instanceof ApiError)) return error;
  const refused = error.status !== undefined && error.status >= 300 && error.status < 500 && error.status !== 408 && error.status !== 429;
  if (refused) return error;
  return withContext(
    error,
    '',
    'incident.io may have declared the incident before its answer was lost: re-running this job returns it ' +
      `under the same idempotency key ("${idempotencyKey}"), without a duplicate.`,
  );
}

const NAMED = object({ id, name: id });

/**
 * An incident as the action reads it: its ID, reference and name must be non-empty text (the
 * action reports them), and the fields it shows or decides on must have their types; one of
 * those that does not is left out, as if incident.io had not sent it. Other fields are kept as
 * they came, for the job summary to read defensively.
 */
const INCIDENT = object({
  incident: object({
    id,
    reference: id,
    name: id,
    permalink: loose(text),
    summary: loose(text),
    created_at: loose(text),
    visibility: loose(text),
    mode: loose(text),
    severity: loose(NAMED),
    incident_status: loose(object({ id, name: id, category: loose(text) })),
    incident_type: loose(NAMED),
    slack_channel_id: loose(text),
    slack_channel_name: loose(text),
    slack_team_id: loose(text),
  }),
});

/**
 * The `incident` of an answer, read strictly (see INCIDENT): an answer without it, or whose
 * incident lacks what the action reports, is an error that names the request and the field.
 * `what` says which answer it was ("POST /v2/incidents answered 200").
 */
export function readIncident(body: unknown, what: string): Incident {
  const result = check(INCIDENT, body);
  if (result.ok) return result.value.incident;
  throw new AnswerError(
    `incident.io ${what} with an incident the action cannot report: ${describeProblems(result.problems)}. ` +
      'This is not an answer the action expects from incident.io: check "api-url".',
    result.problems,
  );
}

/**
 * incident.io answers a repeated key with the original incident, so the answer alone does not
 * say whether this step opened it. The incident's age does: if it is older than the time this
 * step has spent creating it, an earlier run opened it. The age is measured on the server's own
 * clock (its Date header) when it sends one, so a skewed runner clock cannot mislead it.
 */
export function isNew(incident: { created_at?: string }, sentAt: number, receivedAt: number, serverDate?: number): boolean {
  const createdAt = Date.parse(incident.created_at ?? '');
  if (Number.isNaN(createdAt)) return true;
  const window = receivedAt - sentAt + NEW_INCIDENT_SLACK_MS;
  const age = (serverDate ?? receivedAt) - createdAt;
  return age <= window;
}

/**
 * "Already declared": a conflict (409 or `type: conflict`) that blames the idempotency key, by
 * its field or by its words (/idempot/i), or a 422 that blames the key for being used already.
 * Any other conflict, such as a Slack channel name that is taken, is an error carrying
 * incident.io's words.
 */
export function isKeyConflict(error: ApiError): boolean {
  const conflict = error.status === 409 || error.type === 'conflict';
  if (!conflict && error.status !== 422) return false;
  if (!isRecord(error.body) || !Array.isArray(error.body['errors'])) return false;
  return error.body['errors'].some((e) => {
    if (!isRecord(e)) return false;
    const message = typeof e['message'] === 'string' ? e['message'] : '';
    const blamesKey = (isRecord(e['source']) && e['source']['field'] === 'idempotency_key') || /idempot/i.test(message);
    return blamesKey && (conflict || /already|exist|in use|used|duplicate|conflict/i.test(message));
  });
}

/** The conflicting incident, when the error body names it. */
function incidentFrom(body: unknown): Incident | undefined {
  try {
    return readIncident(body, 'conflict');
  } catch {
    return undefined;
  }
}

/** The incident an `incident-id` names (its ID, or the number of its reference); a 404 is an input error. */
export async function fetchIncident(client: IncidentIoClient, id: string): Promise<Incident> {
  try {
    const path = `/v2/incidents/${encodeURIComponent(id)}`;
    return readIncident(await client.get<unknown>(path), `GET ${path} answered`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      const shown = /^\d+$/.test(id) ? `INC-${id}` : id;
      const allowed = /^\d+$/.test(id)
        ? ''
        : ' Allowed values: an incident ID such as "01FDAG4SAP5TYPT98WGR2N7W91", a reference such as "INC-123", or its number such as "123".';
      throw new InputError(
        `Input "incident-id" is ${JSON.stringify(shown)}, but incident.io has no such incident (404).${allowed} ${error.message}`,
      );
    }
    throw error;
  }
}
