/**
 * Incidents: create, show and edit, with idempotent create.
 */
import { ApiError, clone, findById, invalid, isObject, newId, ok, optionalString, required, seedId, slug } from './common.mjs';
import { statusesOf } from './catalog.mjs';
import { mergeBy, resolveCustomFieldEntries, resolveRoleAssignments, statusMove } from './incident-fields.mjs';

function findIncident(state, id) {
  const incident = /^\d+$/.test(id)
    ? state.incidents.find((i) => i.reference === `INC-${Number(id)}`)
    : state.incidents.find((i) => i.id === id);
  if (!incident) throw new ApiError(404, 'not_found', `No incident with ID ${id} exists`);
  return incident;
}

function validateCreate(state, body) {
  const key = body.idempotency_key;
  if (typeof key !== 'string' || key === '') throw required('idempotency_key', 'An idempotency key is required');
  if (body.visibility === undefined) throw required('visibility');
  if (!['public', 'private'].includes(body.visibility)) throw invalid('visibility', 'visibility must be one of "public", "private"');
  if (body.severity_id === undefined) throw required('severity_id', 'A severity is required to open an incident');
  const severity = findById(state.severities, body.severity_id, 'severity_id', 'severity', '');
  const mode = body.mode ?? 'standard';
  if (!['standard', 'retrospective', 'test', 'tutorial'].includes(mode)) {
    throw invalid('mode', 'mode must be one of "standard", "retrospective", "test", "tutorial"');
  }
  const type =
    body.incident_type_id === undefined
      ? state.incidentTypes.find((t) => t.is_default)
      : findById(state.incidentTypes, body.incident_type_id, 'incident_type_id', 'incident type', '');
  let status = state.incidentStatuses.find((s) => s.name === 'Investigating');
  if (body.incident_status_id !== undefined) {
    status = findById(statusesOf(state), body.incident_status_id, 'incident_status_id', 'incident status', '');
    if (!['triage', 'live'].includes(status.category)) {
      throw invalid(
        'incident_status_id',
        `A new incident must start in a triage or live status, not "${status.name}" (${status.category})`,
      );
    }
  }
  for (const k of ['name', 'summary', 'slack_channel_name_override', 'slack_team_id']) optionalString(body, k, '');
  const customFieldEntries = body.custom_field_entries === undefined ? [] : resolveCustomFieldEntries(state, body.custom_field_entries, '');
  const roleAssignments =
    body.incident_role_assignments === undefined ? [] : resolveRoleAssignments(state, body.incident_role_assignments, '');
  return { key, severity, mode, type, status, customFieldEntries, roleAssignments };
}

function createIncident(state, { body }) {
  const v = validateCreate(state, body);
  const existing = state.idempotency.get(v.key);
  if (existing) {
    if (state.replay === 'conflict') {
      throw new ApiError(409, 'conflict', 'An incident with this idempotency key already exists', 'idempotency_key');
    }
    return ok({ incident: existing });
  }
  const n = state.nextNumber++;
  const now = new Date().toISOString();
  const incident = {
    id: newId(),
    reference: `INC-${n}`,
    name: body.name ?? `INC-${n}`,
    ...(body.summary !== undefined ? { summary: body.summary } : {}),
    permalink: `https://app.incident.io/sandbox/incidents/${n}`,
    visibility: body.visibility,
    mode: v.mode,
    severity: { ...v.severity },
    incident_status: { ...v.status },
    incident_type: { ...v.type },
    custom_field_entries: mergeBy([], v.customFieldEntries, (e) => e.custom_field.id),
    incident_role_assignments: v.roleAssignments,
    slack_team_id: body.slack_team_id ?? 'T0SANDBOX',
    slack_channel_id: '',
    slack_channel_name: body.slack_channel_name_override ?? (body.name ? `inc-${n}-${slug(body.name)}` : `inc-${n}`),
    creator: { api_key: { id: seedId('APIKEYSANDBOX'), name: 'sandbox' } },
    created_at: now,
    updated_at: now,
  };
  // Kept off the JSON: the key and the edit history, for tests to inspect.
  Object.defineProperty(incident, '_idempotencyKey', { value: v.key });
  Object.defineProperty(incident, '_edits', { value: [] });
  state.incidents.push(incident);
  state.idempotency.set(v.key, incident);
  return ok({ incident });
}

function editIncident(state, { params, body }) {
  const incident = findIncident(state, params.id);
  if (typeof body.notify_incident_channel !== 'boolean') {
    throw required('notify_incident_channel', 'notify_incident_channel is required and must be a boolean');
  }
  if (!isObject(body.incident)) throw required('incident', 'incident must be an object');
  const changes = body.incident;
  const p = 'incident.';
  for (const k of ['name', 'summary']) optionalString(changes, k, p);
  const severity =
    changes.severity_id === undefined ? undefined : findById(state.severities, changes.severity_id, 'severity_id', 'severity', p);
  const status =
    changes.incident_status_id === undefined ? undefined : statusMove(state, changes.incident_status_id, 'incident_status_id', p);
  const entries =
    changes.custom_field_entries === undefined ? undefined : resolveCustomFieldEntries(state, changes.custom_field_entries, p);
  const roles =
    changes.incident_role_assignments === undefined ? undefined : resolveRoleAssignments(state, changes.incident_role_assignments, p);

  // Everything validated: apply.
  if (changes.name !== undefined) incident.name = changes.name;
  if (changes.summary !== undefined) incident.summary = changes.summary;
  if (severity) incident.severity = { ...severity };
  if (status) incident.incident_status = { ...status };
  if (entries) incident.custom_field_entries = mergeBy(incident.custom_field_entries, entries, (e) => e.custom_field.id);
  if (roles) incident.incident_role_assignments = mergeBy(incident.incident_role_assignments, roles, (a) => a.role.id);
  incident.updated_at = new Date().toISOString();
  const edit = { incident_id: incident.id, at: incident.updated_at, body: clone(body) };
  incident._edits.push(edit);
  state.edits.push(edit);
  return ok({ incident });
}

/** Route key -> { auth, handle } for incidents. */
export const incidentRoutes = {
  'POST /v2/incidents': { auth: 'api', handle: createIncident },
  'GET /v2/incidents/:id': { auth: 'api', handle: (state, { params }) => ok({ incident: findIncident(state, params.id) }) },
  'POST /v2/incidents/:id/actions/edit': { auth: 'api', handle: editIncident },
};
