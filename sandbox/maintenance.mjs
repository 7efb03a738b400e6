/**
 * Maintenance windows (`/v1/maintenance_windows`): hold the alerts that match their conditions
 * between start_at and end_at. No idempotency key, as in incident.io: a repeated POST makes a
 * second window. A window's status (active, upcoming, past) follows from the clock.
 *
 * The spec does not document condition subjects. The sandbox takes what incident.io's Terraform
 * examples use, `alert.title`, `alert.description` and `alert.attributes.<attribute ID>` of an
 * attribute that exists, and for a catalog-typed attribute only catalog entry IDs of its type as
 * literals: its own assumptions, stricter than the spec, so a client that sends names or made-up
 * subjects is caught here.
 */
import { ApiError, clone, isObject, isTimestamp, invalid, newId, notFound, ok, pageSize, required } from './common.mjs';
import { listPage, newestFirst } from './lists.mjs';
import { userV2 } from './schedules.mjs';

const STATUSES = ['active', 'upcoming', 'past'];
const OPERATIONS = {
  is: 'is',
  is_not: 'is not',
  one_of: 'is one of',
  not_in: 'is not one of',
  contains: 'contains',
  does_not_contain: 'does not contain',
  starts_with: 'starts with',
  is_set: 'is set',
  is_not_set: 'is not set',
};
const SUBJECTS = { 'alert.title': 'Alert → Title', 'alert.description': 'Alert → Description' };

/** active, upcoming or past, by the clock. */
export function windowStatus(window, now = Date.now()) {
  if (now < Date.parse(window.start_at)) return 'upcoming';
  return now < Date.parse(window.end_at) ? 'active' : 'past';
}

/** The user a UserReferencePayloadV2 ({id} | {email} | {slack_user_id}) names, or a 422. */
function resolveLead(state, lead) {
  if (!isObject(lead)) throw required('lead', 'lead must be an object with id, email or slack_user_id');
  const key = ['id', 'email', 'slack_user_id'].find((k) => lead[k] !== undefined);
  if (!key) throw required('lead', 'lead needs an id, email or slack_user_id');
  if (typeof lead[key] !== 'string' || lead[key] === '') throw invalid(`lead.${key}`, `lead.${key} must be a non-empty string`);
  const wanted = key === 'email' ? lead.email.toLowerCase() : lead[key];
  const user = state.users.find((u) => (key === 'email' ? (u.email ?? '').toLowerCase() : u[key]) === wanted);
  if (!user) throw invalid(`lead.${key}`, `No user with ${key} ${JSON.stringify(lead[key])} exists`, 'not_found');
  return user;
}

/** The attribute a subject names, undefined for alert.title/description, or a 422. */
function subjectAttribute(state, subject, field) {
  if (typeof subject !== 'string' || subject === '') throw required(field, 'subject is required and must be a string');
  if (SUBJECTS[subject]) return undefined;
  const match = /^alert\.attributes\.(.+)$/.exec(subject);
  const attribute = match && state.alertAttributes.find((a) => a.id === match[1]);
  if (!attribute) {
    const known = [...Object.keys(SUBJECTS), ...state.alertAttributes.map((a) => `alert.attributes.${a.id}`)];
    throw invalid(field, `Unknown condition subject ${JSON.stringify(subject)}; the sandbox knows ${known.join(', ')}`);
  }
  return attribute;
}

/** A binding value {literal?, reference?} -> its answer form, with a label. */
function bindingValue(state, value, attribute, field) {
  if (!isObject(value)) throw invalid(field, 'A binding value must be an object with literal or reference');
  for (const k of ['literal', 'reference']) {
    if (value[k] !== undefined && typeof value[k] !== 'string') throw invalid(`${field}.${k}`, `${k} must be a string`);
  }
  if (value.literal === undefined && value.reference === undefined) throw required(field, 'A binding value needs a literal or a reference');
  let label = value.literal ?? value.reference;
  const catalogType = /^CatalogEntry\["(.+)"\]$/.exec(attribute?.type ?? '')?.[1];
  if (catalogType && value.literal !== undefined) {
    const entry = (state.catalogEntries[catalogType] ?? []).find((e) => e.id === value.literal);
    if (!entry)
      throw invalid(`${field}.literal`, `No ${attribute.name} catalog entry has the ID ${JSON.stringify(value.literal)}`, 'not_found');
    label = entry.name;
  }
  return {
    label,
    ...(value.literal !== undefined ? { literal: value.literal } : {}),
    ...(value.reference !== undefined ? { reference: value.reference } : {}),
  };
}

/** ConditionGroupPayloadV2[] -> ConditionGroupV2[] (the answer's shapes), or a 422 naming the field. */
function conditionGroups(state, groups, field) {
  if (!Array.isArray(groups)) throw required(field, 'alert_condition_groups is required and must be an array');
  return groups.map((group, g) => {
    const at = `${field}[${g}]`;
    if (!isObject(group) || !Array.isArray(group.conditions))
      throw required(`${at}.conditions`, 'A condition group needs conditions (an array)');
    return {
      conditions: group.conditions.map((condition, c) => {
        const here = `${at}.conditions[${c}]`;
        if (!isObject(condition)) throw invalid(here, 'A condition must be an object');
        const attribute = subjectAttribute(state, condition.subject, `${here}.subject`);
        if (typeof condition.operation !== 'string') throw required(`${here}.operation`, 'operation is required and must be a string');
        if (!OPERATIONS[condition.operation]) {
          throw invalid(
            `${here}.operation`,
            `Unknown operation ${JSON.stringify(condition.operation)}; the sandbox knows ${Object.keys(OPERATIONS).join(', ')}`,
          );
        }
        if (!Array.isArray(condition.param_bindings))
          throw required(`${here}.param_bindings`, 'param_bindings is required and must be an array');
        return {
          subject: { label: SUBJECTS[condition.subject] ?? `Alert → ${attribute.name}`, reference: condition.subject },
          operation: { label: OPERATIONS[condition.operation], value: condition.operation },
          param_bindings: condition.param_bindings.map((binding, b) => {
            const where = `${here}.param_bindings[${b}]`;
            if (!isObject(binding)) throw invalid(where, 'A param binding must be an object');
            if (binding.value === undefined && binding.array_value === undefined)
              throw required(where, 'A param binding needs value or array_value');
            if (binding.array_value !== undefined && !Array.isArray(binding.array_value))
              throw invalid(`${where}.array_value`, 'array_value must be an array');
            return {
              ...(binding.value !== undefined ? { value: bindingValue(state, binding.value, attribute, `${where}.value`) } : {}),
              ...(binding.array_value !== undefined
                ? { array_value: binding.array_value.map((v, i) => bindingValue(state, v, attribute, `${where}.array_value[${i}]`)) }
                : {}),
            };
          }),
        };
      }),
    };
  });
}

/** The optional fields, checked and in the answer's form. */
function optionalFields(state, body) {
  const out = {};
  for (const k of ['resolve_on_end', 'reroute_on_end']) {
    if (body[k] !== undefined && typeof body[k] !== 'boolean') throw invalid(k, `${k} must be a boolean`);
    out[k] = body[k] ?? false;
  }
  if (body.incident_id !== undefined) {
    // The window needs the incident's full ID: a reference number (123 for INC-123) is not one.
    if (!state.incidents.some((i) => i.id === body.incident_id))
      throw invalid('incident_id', `No incident with ID ${body.incident_id} exists`, 'not_found');
    out.incident_id = body.incident_id;
  }
  if (body.notification_message !== undefined) {
    if (typeof body.notification_message !== 'string') throw invalid('notification_message', 'notification_message must be a string');
    out.notification_message = body.notification_message;
  }
  for (const k of ['notify_start_minutes_before', 'notify_end_minutes_before']) {
    if (body[k] === undefined) continue;
    if (!Number.isInteger(body[k]) || body[k] < 0) throw invalid(k, `${k} must be a whole number of minutes`);
    out[k] = body[k];
  }
  if (body.notify_channels !== undefined) {
    if (!Array.isArray(body.notify_channels)) throw invalid('notify_channels', 'notify_channels must be an array');
    out.notify_channels = body.notify_channels.map((c, i) => {
      if (!isObject(c) || typeof c.channel_id !== 'string' || typeof c.channel_type !== 'string') {
        throw required(`notify_channels[${i}]`, 'A channel needs channel_id and channel_type');
      }
      return {
        channel_id: c.channel_id,
        channel_type: c.channel_type,
        ...(c.channel_name !== undefined ? { channel_name: String(c.channel_name) } : {}),
      };
    });
  }
  if (body.escalation_targets !== undefined) throw invalid('escalation_targets', 'The sandbox does not implement escalation_targets');
  return out;
}

/** A create or update body (the same required fields) -> the window's fields in the answer's form. */
function validateWindow(state, body) {
  if (typeof body.name !== 'string' || body.name.trim() === '') throw required('name', 'name is required');
  const lead = resolveLead(state, body.lead);
  for (const k of ['start_at', 'end_at']) {
    if (body[k] === undefined) throw required(k);
    if (!isTimestamp(body[k])) throw invalid(k, `${k} must be an RFC 3339 time, not ${JSON.stringify(body[k])}`);
  }
  if (Date.parse(body.end_at) <= Date.parse(body.start_at)) throw invalid('end_at', 'end_at must be after start_at');
  if (typeof body.show_in_sidebar !== 'boolean') throw required('show_in_sidebar', 'show_in_sidebar is required and must be a boolean');
  const groups = conditionGroups(state, body.alert_condition_groups, 'alert_condition_groups');
  return {
    name: body.name,
    lead: { user: userV2(state, lead.id) },
    start_at: new Date(body.start_at).toISOString(),
    end_at: new Date(body.end_at).toISOString(),
    show_in_sidebar: body.show_in_sidebar,
    alert_condition_groups: groups,
    ...optionalFields(state, body),
  };
}

function findWindow(state, id) {
  const window = state.maintenanceWindows.find((w) => w.id === id && w.archived_at === undefined);
  if (!window) throw notFound(`No maintenance window with ID ${id} exists`);
  return window;
}

/** `POST /v1/maintenance_windows`: 201 with the window. Every accepted body is kept on `_bodies`. */
function createWindow(state, { body }) {
  const fields = validateWindow(state, body);
  const now = new Date().toISOString();
  const window = { id: newId(), ...fields, created_at: now, updated_at: now };
  Object.defineProperty(window, '_bodies', { value: [clone(body)] });
  state.maintenanceWindows.push(window);
  return ok({ maintenance_window: window }, 201);
}

/** `PUT /v1/maintenance_windows/{id}`: a full replace; what the body leaves out of the optional fields is reset. */
function updateWindow(state, { params, body }) {
  const window = findWindow(state, params.id);
  const fields = validateWindow(state, body);
  for (const key of Object.keys(window)) if (!['id', 'created_at'].includes(key)) delete window[key];
  Object.assign(window, fields, { updated_at: new Date().toISOString() });
  window._bodies.push(clone(body));
  return ok({ maintenance_window: window });
}

/** `DELETE /v1/maintenance_windows/{id}`: archives it (204), but never an active window (422, as the spec says). */
function deleteWindow(state, { params }) {
  const window = findWindow(state, params.id);
  if (windowStatus(window) === 'active') throw new ApiError(422, 'invalid_state', 'Cannot archive an active maintenance window');
  window.archived_at = new Date().toISOString();
  return { status: 204, headers: {}, raw: '' };
}

/**
 * `GET /v1/maintenance_windows?status=`: newest first, `page_size` up to 50; `status` takes one
 * value (a repeated one is a 422). Archived windows are left out.
 */
function listWindows(state, { query, queryAll }) {
  const size = pageSize(query, 50);
  const statuses = queryAll.status ?? [];
  if (statuses.length > 1) throw invalid('status', `status takes one value, not ${statuses.length}`);
  const [status] = statuses;
  if (status !== undefined && !STATUSES.includes(status))
    throw invalid('status', `status must be one of ${STATUSES.map((s) => `"${s}"`).join(', ')}`);
  const now = Date.now();
  const matches = (w) => w.archived_at === undefined && (status === undefined || windowStatus(w, now) === status);
  const { page, meta } = listPage(state, newestFirst(state.maintenanceWindows), {
    after: query.after,
    size,
    what: 'maintenance window',
    matches,
  });
  return ok({ maintenance_windows: page, pagination_meta: meta });
}

/** Route key -> { auth, handle } for maintenance windows. */
export const maintenanceRoutes = {
  'GET /v1/maintenance_windows': { auth: 'api', handle: listWindows },
  'POST /v1/maintenance_windows': { auth: 'api', handle: createWindow },
  'GET /v1/maintenance_windows/:id': {
    auth: 'api',
    handle: (state, { params }) => ok({ maintenance_window: findWindow(state, params.id) }),
  },
  'PUT /v1/maintenance_windows/:id': { auth: 'api', handle: updateWindow },
  'DELETE /v1/maintenance_windows/:id': { auth: 'api', handle: deleteWindow },
};
