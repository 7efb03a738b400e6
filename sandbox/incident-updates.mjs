/**
 * Incident updates (`POST /v2/incident_updates`, from the addendum spec, and the list): a message
 * on the incident's timeline that may also move its status and severity. Idempotent by key.
 */
import { findById, newId, notFound, ok, optionalString, pageSize, paginate, required } from './common.mjs';
import { statusMove } from './incident-fields.mjs';
import { closeIfFlagged, sandboxActor } from './incidents.mjs';

/**
 * 201 `{incident_update}`. A repeated idempotency_key answers the first update as it was, and
 * applies nothing again (whatever the new body says). The update's `new_incident_status` and
 * `new_severity` are the incident's status and severity after it.
 */
function createIncidentUpdate(state, { body }) {
  const key = body.idempotency_key;
  if (typeof key !== 'string' || key === '') throw required('idempotency_key', 'An idempotency key is required');
  if (typeof body.incident_id !== 'string' || body.incident_id === '') throw required('incident_id', 'incident_id is required');
  const first = state.updateIdempotency.get(key);
  if (first) return ok({ incident_update: first }, 201);

  const incident = state.incidents.find((i) => i.id === body.incident_id);
  if (!incident) throw notFound(`No incident with ID ${body.incident_id} exists`, 'incident_id');
  optionalString(body, 'message', '');
  const status =
    body.to_incident_status_id === undefined ? undefined : statusMove(state, body.to_incident_status_id, 'to_incident_status_id', '');
  const severity =
    body.to_severity_id === undefined ? undefined : findById(state.severities, body.to_severity_id, 'to_severity_id', 'severity', '');
  if (!body.message && !status && !severity) {
    throw required('message', 'An incident update needs a message, a to_incident_status_id or a to_severity_id');
  }

  // Everything validated: apply (a status move only when the incident was not closed just now).
  const now = new Date().toISOString();
  const closedJustNow = closeIfFlagged(state, incident);
  if (status && !closedJustNow) incident.incident_status = { ...status };
  if (severity) incident.severity = { ...severity };
  incident.updated_at = now;
  const update = {
    id: newId(),
    incident_id: incident.id,
    ...(body.message !== undefined ? { message: body.message } : {}),
    new_incident_status: { ...incident.incident_status },
    ...(incident.severity ? { new_severity: { ...incident.severity } } : {}),
    updater: sandboxActor(),
    created_at: now,
  };
  Object.defineProperty(update, '_idempotencyKey', { value: key });
  state.incidentUpdates.push(update);
  state.updateIdempotency.set(key, update);
  return ok({ incident_update: update }, 201);
}

/** `GET /v2/incident_updates?incident_id=`: newest first, paginated; an unknown incident has none. */
function listIncidentUpdates(state, { query }) {
  const size = pageSize(query, 250);
  const updates = state.incidentUpdates.filter((u) => !query.incident_id || u.incident_id === query.incident_id).reverse();
  const { page, meta } = paginate(updates, { after: query.after, size, what: 'incident update' });
  return ok({ incident_updates: page, pagination_meta: meta });
}

/** Route key -> { auth, handle } for incident updates. */
export const incidentUpdateRoutes = {
  'POST /v2/incident_updates': { auth: 'api', handle: createIncidentUpdate },
  'GET /v2/incident_updates': { auth: 'api', handle: listIncidentUpdates },
};
