/**
 * Incident updates: `POST /v2/incident_updates`, a message on the incident's timeline and in its
 * channel, optionally moving its status or severity. Each carries an idempotency key derived
 * from the repository, run, job, step, incident and what is posted, without the run attempt, so
 * a retried or re-run step posts one update while a different message posts its own.
 */
import type { IncidentIoClient } from './client.js';
import { isNew, type Incident } from './incidents.js';
import { AnswerError, check, describeProblems, id, isRecord, loose, object, text } from '../core/shape.js';

export interface IncidentUpdateRequest {
  idempotency_key: string;
  incident_id: string;
  message: string;
  to_incident_status_id?: string;
  to_severity_id?: string;
}

interface Named {
  id: string;
  name: string;
  category?: string;
}

export interface IncidentUpdate {
  id: string;
  incident_id: string;
  new_incident_status?: Named;
  new_severity?: Named;
  created_at?: string;
  /** True when incident.io answered with an update an earlier attempt had posted (the key's replay). */
  replayed: boolean;
}

export const INCIDENT_UPDATES_PATH = '/v2/incident_updates';

/**
 * The answer to the job's own write, read strictly where it proves the write (the update's ID)
 * and loosely where it only reports (the status and severity it moved to, when it was made).
 */
const NAMED = object({ id, name: id, category: loose(text) });
const UPDATE_ANSWER = object({
  incident_update: object({
    id,
    incident_id: loose(text),
    new_incident_status: loose(NAMED),
    new_severity: loose(NAMED),
    created_at: loose(text),
  }),
});

export async function postIncidentUpdate(client: IncidentIoClient, request: IncidentUpdateRequest): Promise<IncidentUpdate> {
  const sentAt = client.now();
  const response = await client.post<unknown>(INCIDENT_UPDATES_PATH, request);
  const result = check(UPDATE_ANSWER, response.body);
  if (!result.ok) {
    throw new AnswerError(
      `incident.io POST ${INCIDENT_UPDATES_PATH} answered ${response.status}, but not with an incident update the action can read ` +
        `(${describeProblems(result.problems)}), so it cannot tell that it was posted. Check the incident's timeline in incident.io.`,
      result.problems,
    );
  }
  const update = result.value.incident_update;
  // A repeated key returns the first update: older than this request, it was posted before.
  const replayed = !isNew(update, sentAt, client.now(), response.date);
  return { ...update, incident_id: update.incident_id ?? request.incident_id, replayed };
}

/** The incident as the update left it: its new status and severity, when the answer names them. */
export function afterIncidentUpdate(incident: Incident, update: IncidentUpdate): Incident {
  const named = (value: unknown) => isRecord(value) && typeof value['id'] === 'string' && typeof value['name'] === 'string';
  return {
    ...incident,
    ...(named(update.new_incident_status) && { incident_status: update.new_incident_status }),
    ...(named(update.new_severity) && { severity: update.new_severity }),
  };
}
