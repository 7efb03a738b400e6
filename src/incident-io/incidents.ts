/**
 * Creating an incident exactly once. The idempotency key makes every retry and every re-run
 * of the workflow land on the same incident; this module reads incident.io's answer to tell
 * "this step opened it" from "it was already declared".
 */
import type { IncidentIoClient } from './client.js';
import { ApiError, InputError } from '../errors.js';
import { isRecord } from './retry.js';

export interface Incident {
  id: string;
  reference: string;
  name: string;
  permalink?: string;
  created_at?: string;
  visibility?: string;
  mode?: string;
  severity?: { id: string; name: string };
  incident_status?: { id: string; name: string; category?: string };
  incident_type?: { id: string; name: string };
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
    const response = await client.post<{ incident?: Incident }>('/v2/incidents', payload);
    const incident = response.body?.incident;
    if (!isRecord(incident) || typeof incident.id !== 'string') {
      throw new ApiError(`incident.io POST /v2/incidents answered ${response.status} without an incident in the body.`);
    }
    return { incident, created: isNew(incident, sentAt, now(), response.date) };
  } catch (error) {
    if (error instanceof ApiError && isKeyConflict(error)) {
      return { incident: incidentFrom(error.body), created: false };
    }
    throw error;
  }
}

/**
 * incident.io answers a repeated key with the original incident, so the answer alone does not
 * say whether this step opened it. The incident's age does: if it is older than the time this
 * step has spent creating it, an earlier run opened it. The age is measured on the server's own
 * clock (its Date header) when it sends one, so a skewed runner clock cannot mislead it.
 */
export function isNew(incident: Incident, sentAt: number, receivedAt: number, serverDate?: number): boolean {
  const createdAt = Date.parse(incident.created_at ?? '');
  if (Number.isNaN(createdAt)) return true;
  const window = receivedAt - sentAt + NEW_INCIDENT_SLACK_MS;
  const age = (serverDate ?? receivedAt) - createdAt;
  return age <= window;
}

/** A 409, or a 422 that blames the idempotency key for already being used. */
export function isKeyConflict(error: ApiError): boolean {
  if (error.status === 409 || error.type === 'conflict') return true;
  if (error.status !== 422 || !isRecord(error.body) || !Array.isArray(error.body['errors'])) return false;
  return error.body['errors'].some(
    (e) =>
      isRecord(e) &&
      isRecord(e['source']) &&
      e['source']['field'] === 'idempotency_key' &&
      /already|exist|in use|duplicate|conflict/i.test(typeof e['message'] === 'string' ? e['message'] : ''),
  );
}

/** The conflicting incident, when the error body names it. */
function incidentFrom(body: unknown): Incident | undefined {
  if (!isRecord(body)) return undefined;
  const incident = body['incident'];
  return isRecord(incident) && typeof incident['id'] === 'string' ? (incident as unknown as Incident) : undefined;
}

/** The incident an `incident-id` names (its ID, or the number of its reference); a 404 is an input error. */
export async function fetchIncident(client: IncidentIoClient, id: string): Promise<Incident> {
  try {
    const body = await client.get<{ incident?: Incident }>(`/v2/incidents/${encodeURIComponent(id)}`);
    if (!body?.incident?.id) throw new ApiError(`incident.io GET /v2/incidents/${id} answered without an incident.`);
    return body.incident;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      const shown = /^\d+$/.test(id) ? `INC-${id}` : id;
      throw new InputError(`Input "incident-id" is ${JSON.stringify(shown)}, but incident.io has no such incident (404). ${error.message}`);
    }
    throw error;
  }
}
