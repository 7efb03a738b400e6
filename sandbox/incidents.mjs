/**
 * Incidents: create (idempotent), show, edit and list with incident.io's filters and cursors.
 */
import { ApiError, clone, findById, invalid, isObject, newId, ok, optionalString, pageSize, required, seedId, slug } from './common.mjs';
import { statusesOf } from './catalog.mjs';
import { assignSlackChannel } from './incident-extras.mjs';
import {
  mergeBy,
  mergeTimestampValues,
  resolveCustomFieldEntries,
  resolveRoleAssignments,
  resolveTimestampValues,
  statusMove,
} from './incident-fields.mjs';

const MODES = ['standard', 'retrospective', 'test', 'tutorial'];
const CATEGORIES = ['triage', 'declined', 'merged', 'canceled', 'live', 'learning', 'closed', 'paused'];

/** Who the sandbox says made a change: its one API key. */
export const sandboxActor = () => ({ api_key: { id: seedId('APIKEYSANDBOX'), name: 'sandbox' } });

/** A person, as incident.io names the creator of an incident declared in its app or in Slack. */
export const userActor = () => ({
  user: { id: seedId('USERBOB'), name: 'Bob Example', email: 'bob@example.com', role: 'responder', slack_user_id: 'U0BOB' },
});

/**
 * Adds an incident the way something other than this action would have made it: a responder in
 * the app (`creator: userActor()`, the default), another integration's API key, or a workflow.
 * `fields` may set name, summary, status (a status name), mode, creator and created_at.
 * Returns the live incident.
 * @param {any} state
 * @param {{ name?: string, summary?: string, status?: string, mode?: string, creator?: object | null, created_at?: string }} [fields]
 */
export function addIncident(state, { name, summary, status = 'Investigating', mode = 'standard', creator = userActor(), created_at } = {}) {
  const found = statusesOf(state).find((s) => s.name === status);
  if (!found) throw new Error(`The sandbox has no incident status "${status}"`);
  const n = nextNumber(state);
  const now = created_at ?? new Date().toISOString();
  const incident = {
    id: newId(),
    reference: `INC-${n}`,
    name: name ?? `INC-${n}`,
    ...(summary !== undefined ? { summary } : {}),
    permalink: `https://app.incident.io/sandbox/incidents/${n}`,
    visibility: 'public',
    mode,
    severity: { ...state.severities[0] },
    incident_status: { ...found },
    incident_type: { ...state.incidentTypes.find((t) => t.is_default) },
    custom_field_entries: [],
    incident_role_assignments: [],
    incident_timestamp_values: [],
    slack_team_id: 'T0SANDBOX',
    slack_channel_id: '',
    slack_channel_name: `inc-${n}`,
    ...(creator ? { creator } : {}),
    created_at: now,
    updated_at: now,
  };
  Object.defineProperty(incident, '_idempotencyKey', { value: undefined });
  Object.defineProperty(incident, '_edits', { value: [] });
  state.incidents.push(incident);
  return incident;
}

/**
 * `state.closeOnWrite` (incident IDs or references): a responder closes the incident a moment
 * before the action's edit or incident update arrives. The incident moves to the first closed
 * status, and stays there: the write's status change is not applied (a closed incident is not
 * moved back), and its answer shows the incident closed. Returns true when it closed the incident.
 */
export function closeIfFlagged(state, incident) {
  if (!state.closeOnWrite.includes(incident.id) && !state.closeOnWrite.includes(incident.reference)) return false;
  state.closeOnWrite = state.closeOnWrite.filter((k) => k !== incident.id && k !== incident.reference);
  const closed = statusesOf(state).find((s) => s.category === 'closed');
  incident.incident_status = { ...closed };
  incident.updated_at = new Date().toISOString();
  return true;
}

/** An incident by ULID, or by the number of its reference (123 for INC-123); 404 otherwise. */
export function findIncident(state, id) {
  const incident = /^\d+$/.test(id)
    ? state.incidents.find((i) => i.reference === `INC-${Number(id)}`)
    : state.incidents.find((i) => i.id === id);
  if (!incident) throw new ApiError(404, 'not_found', `No incident with ID ${id} exists`);
  return incident;
}

/** retrospective_incident_options: only with mode "retrospective"; external_id is the number of INC-<n>. */
function validateRetrospectiveOptions(state, body, mode) {
  const options = body.retrospective_incident_options;
  if (options === undefined) return undefined;
  const field = 'retrospective_incident_options';
  if (mode !== 'retrospective') throw invalid(field, 'retrospective_incident_options can only be set when mode is "retrospective"');
  if (!isObject(options)) throw invalid(field, 'retrospective_incident_options must be an object');
  for (const k of ['slack_channel_id', 'postmortem_document_url']) optionalString(options, k, `${field}.`);
  const number = options.external_id;
  if (number !== undefined) {
    if (!Number.isInteger(number) || number < 1) throw invalid(`${field}.external_id`, 'external_id must be a positive integer');
    if (state.incidents.some((i) => i.reference === `INC-${number}`)) {
      throw invalid(`${field}.external_id`, `An incident with the reference INC-${number} already exists`);
    }
  }
  return options;
}

function validateCreate(state, body) {
  const key = body.idempotency_key;
  if (typeof key !== 'string' || key === '') throw required('idempotency_key', 'An idempotency key is required');
  if (body.visibility === undefined) throw required('visibility');
  if (!['public', 'private'].includes(body.visibility)) throw invalid('visibility', 'visibility must be one of "public", "private"');
  if (body.severity_id === undefined) throw required('severity_id', 'A severity is required to open an incident');
  const severity = findById(state.severities, body.severity_id, 'severity_id', 'severity', '');
  const mode = body.mode ?? 'standard';
  if (!MODES.includes(mode)) throw invalid('mode', 'mode must be one of "standard", "retrospective", "test", "tutorial"');
  const type =
    body.incident_type_id === undefined
      ? state.incidentTypes.find((t) => t.is_default)
      : findById(state.incidentTypes, body.incident_type_id, 'incident_type_id', 'incident type', '');
  let status = state.incidentStatuses.find((s) => s.name === 'Investigating');
  if (body.incident_status_id !== undefined) {
    status = findById(statusesOf(state), body.incident_status_id, 'incident_status_id', 'incident status', '');
    // A retrospective incident records one that is over, so it may start in any category.
    if (mode !== 'retrospective' && !['triage', 'live'].includes(status.category)) {
      throw invalid(
        'incident_status_id',
        `A new incident must start in a triage or live status, not "${status.name}" (${status.category})`,
      );
    }
  }
  for (const k of ['name', 'summary', 'slack_channel_name_override', 'slack_team_id']) optionalString(body, k, '');
  const retrospective = validateRetrospectiveOptions(state, body, mode);
  const customFieldEntries = body.custom_field_entries === undefined ? [] : resolveCustomFieldEntries(state, body.custom_field_entries, '');
  const roleAssignments =
    body.incident_role_assignments === undefined ? [] : resolveRoleAssignments(state, body.incident_role_assignments, '');
  const timestampValues =
    body.incident_timestamp_values === undefined ? [] : resolveTimestampValues(state, body.incident_timestamp_values, '');
  return { key, severity, mode, type, status, retrospective, customFieldEntries, roleAssignments, timestampValues };
}

/** The next free incident number (a retrospective external_id may have taken one). */
function nextNumber(state) {
  let n = state.nextNumber++;
  while (state.incidents.some((i) => i.reference === `INC-${n}`)) n = state.nextNumber++;
  return n;
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
  const n = v.retrospective?.external_id ?? nextNumber(state);
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
    incident_timestamp_values: mergeTimestampValues([], v.timestampValues),
    slack_team_id: body.slack_team_id ?? 'T0SANDBOX',
    slack_channel_id: v.retrospective?.slack_channel_id ?? '',
    slack_channel_name: body.slack_channel_name_override ?? (body.name ? `inc-${n}-${slug(body.name)}` : `inc-${n}`),
    ...(v.retrospective?.postmortem_document_url ? { postmortem_document_url: v.retrospective.postmortem_document_url } : {}),
    creator: sandboxActor(),
    created_at: now,
    updated_at: now,
  };
  assignSlackChannel(state, incident, n);
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
  const timestamps =
    changes.incident_timestamp_values === undefined ? undefined : resolveTimestampValues(state, changes.incident_timestamp_values, p);

  // Everything validated: apply (a status move only when the incident was not closed just now).
  const closedJustNow = closeIfFlagged(state, incident);
  if (changes.name !== undefined) incident.name = changes.name;
  if (changes.summary !== undefined) incident.summary = changes.summary;
  if (severity) incident.severity = { ...severity };
  if (status && !closedJustNow) incident.incident_status = { ...status };
  if (entries) incident.custom_field_entries = mergeBy(incident.custom_field_entries, entries, (e) => e.custom_field.id);
  if (roles) incident.incident_role_assignments = mergeBy(incident.incident_role_assignments, roles, (a) => a.role.id);
  if (timestamps) incident.incident_timestamp_values = mergeTimestampValues(incident.incident_timestamp_values, timestamps);
  incident.updated_at = new Date().toISOString();
  const edit = { incident_id: incident.id, at: incident.updated_at, body: clone(body) };
  incident._edits.push(edit);
  state.edits.push(edit);
  return ok({ incident });
}

// ── List ─────────────────────────────────────────────────────────────────────────────────────

/** A date filter value: 2026-11-26 (the whole day, UTC) or an RFC 3339 time -> [from, to) in ms. */
function dateBounds(value, field) {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const at = Date.parse(day ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(at)) throw invalid(field, `${JSON.stringify(value)} is not a date (2026-11-26) or an RFC 3339 time`);
  return [at, day ? at + 86_400_000 : at + 1];
}

/** Each supported filter: its operators, and a test of one incident against one value. */
const FILTERS = {
  status: { ops: ['one_of', 'not_in'], value: (i) => i.incident_status.id },
  status_category: { ops: ['one_of', 'not_in'], value: (i) => i.incident_status.category, allowed: CATEGORIES },
  severity: { ops: ['one_of', 'not_in', 'gte', 'lte'], value: (i) => i.severity?.id },
  incident_type: { ops: ['one_of', 'not_in'], value: (i) => i.incident_type?.id },
  mode: { ops: ['one_of'], value: (i) => i.mode, allowed: MODES },
  created_at: { ops: ['gte', 'lte', 'date_range'], date: (i) => i.created_at },
  updated_at: { ops: ['gte', 'lte', 'date_range'], date: (i) => i.updated_at },
};

/** One `name[op]=v1&name[op]=v2` filter -> a predicate on incidents, or a 422 saying what is wrong. */
function filterPredicate(state, name, op, values) {
  const field = `${name}[${op}]`;
  const filter = FILTERS[name];
  if (!filter) throw invalid(field, `The sandbox does not implement the filter "${name}"; it knows ${Object.keys(FILTERS).join(', ')}`);
  if (!filter.ops.includes(op)) throw invalid(field, `The filter "${name}" takes the operators ${filter.ops.join(', ')}, not "${op}"`);
  for (const v of values) {
    if (filter.allowed && !filter.allowed.includes(v)) {
      throw invalid(field, `${JSON.stringify(v)} is not one of ${filter.allowed.map((a) => `"${a}"`).join(', ')}`);
    }
  }
  if (filter.date) {
    // gte: from the start of the day or time given; lte: to its end; date_range: "from~to", both included.
    const [first, last = ''] = op === 'date_range' ? values[0].split('~') : [values[0], values[0]];
    const from = op === 'lte' ? -Infinity : dateBounds(first, field)[0];
    const to = op === 'gte' ? Infinity : dateBounds(last, field)[1];
    return (i) => Date.parse(filter.date(i)) >= from && Date.parse(filter.date(i)) < to;
  }
  if (op === 'one_of') return (i) => values.includes(filter.value(i));
  if (op === 'not_in') return (i) => !values.includes(filter.value(i));
  // severity[gte] / severity[lte]: by the rank of the severity named.
  const severity = findById(state.severities, values[0], field, 'severity', '');
  return (i) => (op === 'gte' ? i.severity?.rank >= severity.rank : i.severity?.rank <= severity.rank);
}

/** The filters in the query (repeated keys from `queryAll`); mode defaults to standard and retrospective. */
function listFilters(state, queryAll) {
  const filters = [];
  let modeGiven = false;
  for (const [key, values] of Object.entries(queryAll)) {
    if (!key.includes('[')) continue;
    const match = /^(\w+)\[(\w+)\]$/.exec(key);
    if (!match)
      throw invalid(key, `The sandbox does not implement the filter "${key}"; use name[operator]=value, repeated for several values`);
    const [, name, op] = match;
    if (name === 'mode') modeGiven = true;
    filters.push(filterPredicate(state, name, op, values));
  }
  const mode = modeGiven ? () => true : (i) => ['standard', 'retrospective'].includes(i.mode);
  return { filters, mode };
}

/**
 * `GET /v2/incidents`: newest first (or `sort_by=created_at_oldest_first`), filtered, a page at a
 * time. `after` is the last incident ID of the previous page; `pagination_meta.after` is absent
 * on the last page. `state.listPageCap` makes pages shorter than `page_size` asks.
 */
function listIncidents(state, { query, queryAll }) {
  const size = pageSize(query, 250);
  const sortBy = query.sort_by ?? 'created_at_newest_first';
  if (!['created_at_newest_first', 'created_at_oldest_first'].includes(sortBy)) {
    throw invalid('sort_by', 'sort_by must be one of "created_at_newest_first", "created_at_oldest_first"');
  }
  const filterMode = query.filter_mode ?? 'all';
  if (!['all', 'any'].includes(filterMode)) throw invalid('filter_mode', 'filter_mode must be one of "all", "any"');
  const { filters, mode } = listFilters(state, queryAll);
  const matches = (i) =>
    mode(i) && (filters.length === 0 || (filterMode === 'all' ? filters.every((f) => f(i)) : filters.some((f) => f(i))));

  const direction = sortBy === 'created_at_newest_first' ? -1 : 1;
  const sorted = state.incidents
    .map((incident, index) => ({ incident, index }))
    .sort((a, b) => direction * (Date.parse(a.incident.created_at) - Date.parse(b.incident.created_at) || a.index - b.index))
    .map((e) => e.incident);
  // The cursor is a position in the whole ordering, so it holds even if that incident stopped matching.
  let start = 0;
  if (query.after) {
    start = sorted.findIndex((i) => i.id === query.after) + 1;
    if (start === 0) throw invalid('after', `No incident with ID ${query.after} exists to page after`, 'not_found');
  }
  const total = sorted.filter(matches).length;
  const rest = sorted.slice(start).filter(matches);
  const page = rest.slice(0, Math.max(1, Math.min(size, state.listPageCap ?? size)));
  const meta = { page_size: size, total_record_count: total };
  if (page.length < rest.length) meta.after = page[page.length - 1].id;
  return ok({ incidents: page, pagination_meta: meta });
}

/** Route key -> { auth, handle } for incidents. */
export const incidentRoutes = {
  'POST /v2/incidents': { auth: 'api', handle: createIncident },
  'GET /v2/incidents': { auth: 'api', handle: listIncidents },
  'GET /v2/incidents/:id': { auth: 'api', handle: (state, { params }) => ok({ incident: findIncident(state, params.id) }) },
  'POST /v2/incidents/:id/actions/edit': { auth: 'api', handle: editIncident },
};
