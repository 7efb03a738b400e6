/**
 * Escalation paths and escalations (paging): create with an idempotency key, list with
 * incident.io's filters, and cancel.
 */
import { ApiError, invalid, newId, notFound, ok, optionalString, pageSize, required } from './common.mjs';
import { incidentSlim } from './incident-extras.mjs';
import { listPage, newestFirst, parseFilters } from './lists.mjs';
import { onCallAt, userV2 } from './schedules.mjs';

export const ESCALATION_STATUSES = [
  'pending',
  'triggered',
  'acked',
  'resolved',
  'expired',
  'cancelled',
  'snoozed',
  'delayed',
  'pending_repeat',
];

/** Who a path pages now: its schedule's current on-call (deduplicated), or its users. */
function currentResponders(state, path) {
  if (path.user_ids) return path.user_ids.map((id) => userV2(state, id));
  const schedule = state.schedules.find((s) => s.id === path.schedule_id);
  const users = onCallAt(state, schedule, Date.now()).map((e) => e.user);
  return users.filter((u, i) => users.findIndex((v) => v.id === u.id) === i);
}

/** EscalationPathV2 as answered: one level, targeting the schedule or the users. */
function escalationPathV2(state, path) {
  const targets = path.user_ids
    ? path.user_ids.map((id) => ({ id, type: 'user', urgency: 'high' }))
    : [{ id: path.schedule_id, type: 'schedule', schedule_mode: 'currently_on_call', urgency: 'high' }];
  return {
    id: path.id,
    name: path.name,
    team_ids: [...path.team_ids],
    current_responders: currentResponders(state, path),
    path: [{ id: `${path.id}.1`, type: 'level', level: { targets, ack_mode: 'first', time_to_ack_seconds: 300 } }],
  };
}

/** `GET /v2/escalation_paths`: in seed order, `page_size` up to 25 (no name filter, as in incident.io). */
function listEscalationPaths(state, { query }) {
  const size = pageSize(query, 25);
  const { page, meta } = listPage(state, state.escalationPaths, { after: query.after, size, what: 'escalation path' });
  return ok({ escalation_paths: page.map((p) => escalationPathV2(state, p)), pagination_meta: meta });
}

/** EscalationV2 as answered: the stored record plus related incidents (their current status) and alerts. */
function escalationV2(state, escalation) {
  const incident = state.incidents.find((i) => i.id === escalation._incidentId);
  return { ...escalation, related_alerts: [], related_incidents: incident ? [incidentSlim(incident)] : [] };
}

function validateCreate(state, body) {
  const key = body.idempotency_key;
  if (typeof key !== 'string' || key === '') throw required('idempotency_key', 'An idempotency key is required');
  if (typeof body.title !== 'string' || body.title === '') throw required('title', 'title is required');
  for (const k of ['description', 'escalation_path_id', 'incident_id']) optionalString(body, k, '');
  const byPath = body.escalation_path_id !== undefined;
  const byUsers = body.user_ids !== undefined;
  if (byPath && byUsers) throw invalid('user_ids', 'Provide either escalation_path_id or user_ids, not both');
  if (!byPath && !byUsers) throw required('escalation_path_id', 'Provide either escalation_path_id or user_ids');
  let path;
  let users;
  if (byPath) {
    path = state.escalationPaths.find((p) => p.id === body.escalation_path_id);
    if (!path) throw invalid('escalation_path_id', `No escalation path with ID ${body.escalation_path_id} exists`, 'not_found');
  } else {
    const ids = body.user_ids;
    if (!Array.isArray(ids) || ids.length === 0) throw invalid('user_ids', 'user_ids must be a non-empty array of user IDs');
    users = ids.map((id, i) => {
      const user = typeof id === 'string' && state.users.find((u) => u.id === id);
      if (!user) throw invalid(`user_ids[${i}]`, `No user with ID ${JSON.stringify(id)} exists`, 'not_found');
      return userV2(state, user.id);
    });
  }
  // The escalation needs the incident's full ID: a reference number (123 for INC-123) is not one.
  if (body.incident_id !== undefined && !state.incidents.some((i) => i.id === body.incident_id)) {
    throw invalid('incident_id', `No incident with ID ${body.incident_id} exists`, 'not_found');
  }
  return { key, path, users };
}

/**
 * `POST /v2/escalations`: 201 with the new escalation, status "triggered". A repeated
 * idempotency_key returns the escalation that key made, unchanged (its own created_at), also 201,
 * whatever the rest of the body says. The key is kept off the answer (as in the spec) on the
 * record's hidden `_idempotencyKey`, for replay, the idempotency_key filters and tests.
 */
function createEscalation(state, { body }) {
  const v = validateCreate(state, body);
  const existing = state.escalationIdempotency.get(v.key);
  if (existing) return ok({ escalation: escalationV2(state, existing) }, 201);
  const now = new Date().toISOString();
  const escalation = {
    id: newId(),
    title: body.title,
    description: body.description ?? '',
    status: 'triggered',
    ...(v.path ? { escalation_path_id: v.path.id } : {}),
    priority: { name: 'P1' },
    creator: {},
    events: [{ id: newId(), event: 'triggered', occurred_at: now, urgency: 'high', users: v.users ?? currentResponders(state, v.path) }],
    created_at: now,
    updated_at: now,
  };
  Object.defineProperty(escalation, '_idempotencyKey', { value: v.key });
  Object.defineProperty(escalation, '_incidentId', { value: body.incident_id });
  state.escalations.push(escalation);
  state.escalationIdempotency.set(v.key, escalation);
  return ok({ escalation: escalationV2(state, escalation) }, 201);
}

const ESCALATION_FILTERS = {
  idempotency_key: { ops: ['is', 'starts_with'], value: (e) => e._idempotencyKey },
  status: { ops: ['one_of', 'not_in'], value: (e) => e.status, allowed: ESCALATION_STATUSES },
  escalation_path: { ops: ['one_of', 'not_in'], value: (e) => e.escalation_path_id },
  incident: { ops: ['one_of', 'not_in'], value: (e) => e._incidentId },
  alert: { ops: ['one_of', 'not_in'], value: () => undefined }, // no escalation here comes from an alert
  created_at: { ops: ['gte', 'lte', 'date_range'], date: (e) => e.created_at },
  updated_at: { ops: ['gte', 'lte', 'date_range'], date: (e) => e.updated_at },
};

/**
 * `GET /v2/escalations`: newest first, `page_size` up to 50, every filter must match.
 * `state.escalationsIgnoreFilters` checks the filters and then ignores them, as a careless server might.
 */
function listEscalations(state, { query, queryAll }) {
  const size = pageSize(query, 50);
  const filters = parseFilters(queryAll, ESCALATION_FILTERS);
  const matches = state.escalationsIgnoreFilters ? () => true : filters;
  const { page, meta } = listPage(state, newestFirst(state.escalations), { after: query.after, size, what: 'escalation', matches });
  return ok({ escalations: page.map((e) => escalationV2(state, e)), pagination_meta: meta });
}

/**
 * `POST /v2/escalations/{id}/actions/cancel`: 200 with no body (the spec's answer has none). An
 * escalation already cancelled: the same 200, nothing changes. One that has resolved or expired:
 * a 422 (the spec says it cannot be cancelled, not how it refuses; the sandbox's choice).
 */
function cancelEscalation(state, { params }) {
  const escalation = state.escalations.find((e) => e.id === params.id);
  if (!escalation) throw notFound(`No escalation with ID ${params.id} exists`);
  if (['resolved', 'expired'].includes(escalation.status)) {
    throw new ApiError(422, 'invalid_state', `This escalation has ${escalation.status} and cannot be cancelled`);
  }
  if (escalation.status !== 'cancelled') {
    const now = new Date().toISOString();
    escalation.status = 'cancelled';
    escalation.updated_at = now;
    escalation.events.push({ id: newId(), event: 'cancelled', occurred_at: now });
  }
  return { status: 200, headers: {}, raw: '' };
}

/** Route key -> { auth, handle } for escalations. */
export const escalationRoutes = {
  'GET /v2/escalation_paths': { auth: 'api', handle: listEscalationPaths },
  'POST /v2/escalations': { auth: 'api', handle: createEscalation },
  'GET /v2/escalations': { auth: 'api', handle: listEscalations },
  'POST /v2/escalations/:id/actions/cancel': { auth: 'api', handle: cancelEscalation },
};
