/**
 * A local, stateful stand-in for the parts of incident.io's API this action uses, plus GitHub's
 * "list jobs for a workflow run" routes under /github. Used by the demo, the end-to-end tests and
 * the benchmark. Node built-ins only.
 *
 *   const sandbox = await startSandbox();   // sandbox.url, sandbox.apiKey, sandbox.incidents(), ...
 *   node sandbox/server.mjs [--port N]       // the same, as a standalone server
 *
 * Faults (sandbox.fault(route, spec, times)) let a test make the next matching requests fail in
 * the ways a real network and API do: 429, 5xx, an HTML 502, a reset, a truncated body, a slow answer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

// ── Seed data ────────────────────────────────────────────────────────────────────────────────

const SEED_TIME = '2026-01-05T09:00:00.000Z';
const ALERT_SOURCE_ID = '01ALERTSOURCE000000000000';
const CATALOG_SERVICE_ID = '01CATALOGSERVICE000000000';

/** A stable 26-character ULID-like ID: '01' + tag, then zeros (or a zero-padded number). */
function seedId(tag, n) {
  const head = `01${tag}`;
  return n === undefined ? head.padEnd(26, '0') : head + String(n).padStart(26 - head.length, '0');
}

/** A random ULID-like ID: 10 characters of time, 16 random, Crockford base32. */
function newId() {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i++, time = Math.floor(time / 32)) head = alphabet[time % 32] + head;
  return head + [...randomBytes(16)].map((b) => alphabet[b % 32]).join('');
}

const stamp = (o) => ({ ...o, created_at: SEED_TIME, updated_at: SEED_TIME });

function seedSeverities() {
  return [
    ['MINOR', 'Minor', 1, 'Issues with minimal customer impact.'],
    ['MAJOR', 'Major', 2, 'Issues causing significant customer impact.'],
    ['CRITICAL', 'Critical', 3, 'Issues causing very high impact to many customers.'],
  ].map(([tag, name, rank, description]) => stamp({ id: seedId(`SEV${tag}`), name, description, rank }));
}

function seedIncidentTypes() {
  return [
    ['DEFAULT', 'Default', 'The default incident type.', true],
    ['SECURITY', 'Security', 'Security incidents.', false],
    ['PLATFORM', 'Platform', 'Incidents in shared platform infrastructure.', false],
  ].map(([tag, name, description, isDefault]) =>
    stamp({
      id: seedId(`TYPE${tag}`),
      name,
      description,
      is_default: isDefault,
      create_in_triage: 'optional',
      private_incidents_only: false,
    }),
  );
}

function seedIncidentStatuses() {
  return [
    ['Triage', 'triage'],
    ['Investigating', 'live'],
    ['Fixing', 'live'],
    ['Monitoring', 'live'],
    ['Documenting', 'learning'],
    ['Closed', 'closed'],
    ['Declined', 'declined'],
  ].map(([name, category], i) =>
    stamp({
      id: seedId(`STATUS${name.toUpperCase()}`),
      name,
      description: `The incident is ${name.toLowerCase()}.`,
      rank: i + 1,
      category,
    }),
  );
}

function seedCustomFields() {
  const field = (tag, name, field_type, description, extra = {}) =>
    stamp({ id: seedId(`FIELD${tag}`), name, description, field_type, ...extra });
  return [
    field('AFFECTEDSERVICE', 'Affected service', 'single_select', 'The service most affected.'),
    field('TEAMS', 'Teams', 'multi_select', 'Teams involved in the response.'),
    field('RUNBOOK', 'Runbook', 'link', 'A link to the runbook being followed.'),
    field('NOTES', 'Notes', 'text', 'Free-form notes.'),
    field('CUSTOMERS', 'Customers affected', 'numeric', 'Roughly how many customers are affected.'),
    field('SERVICE', 'Service', 'single_select', 'The service, from the catalog.', { catalog_type_id: CATALOG_SERVICE_ID }),
  ];
}

/** Options per custom field ID, each list in sort_key order. */
function seedCustomFieldOptions() {
  const options = (fieldId, tag, values) =>
    values.map((value, i) => ({ id: seedId(tag, i + 1), custom_field_id: fieldId, value, sort_key: (i + 1) * 10 }));
  const services = Array.from({ length: 297 }, (_, i) => `service-${String(i + 1).padStart(3, '0')}`);
  return {
    [seedId('FIELDAFFECTEDSERVICE')]: options(seedId('FIELDAFFECTEDSERVICE'), 'OPTSVC', [...services, 'checkout', 'payments', 'search']),
    [seedId('FIELDTEAMS')]: options(seedId('FIELDTEAMS'), 'OPTTEAM', ['Platform', 'Payments', 'Growth']),
  };
}

/** Catalog entries per catalog type ID. */
function seedCatalogEntries() {
  return {
    [CATALOG_SERVICE_ID]: [
      { id: seedId('ENTRYCHECKOUT'), name: 'Checkout', external_id: 'checkout', aliases: ['co'] },
      { id: seedId('ENTRYPAYMENTS'), name: 'Payments', external_id: 'payments', aliases: ['pay'] },
    ],
  };
}

function seedIncidentRoles() {
  return [
    ['LEAD', 'Incident Lead', 'lead', 'lead', true, 'Coordinates the response.'],
    ['REPORTER', 'Reporter', 'reporter', 'reporter', false, 'The person who reported the incident.'],
    ['COMMS', 'Communications', 'comms', 'custom', false, 'Keeps customers and stakeholders informed.'],
  ].map(([tag, name, shortform, role_type, required, description]) =>
    stamp({
      id: seedId(`ROLE${tag}`),
      name,
      description,
      instructions: `As ${name}: ${description.toLowerCase()}`,
      shortform,
      role_type,
      required,
    }),
  );
}

function seedUsers() {
  return [
    { id: seedId('USERALICE'), name: 'Alice Example', email: 'alice@example.com', role: 'responder', slack_user_id: 'U0ALICE' },
    { id: seedId('USERBOB'), name: 'Bob Example', email: 'bob@example.com', role: 'responder', slack_user_id: 'U0BOB' },
  ];
}

/** Three jobs of run 1001 in acme/shop: one passed, one failed in its deploy step, one still running. */
function defaultJobs() {
  const job = (id, name, status, conclusion, started, completed, steps) => ({
    id,
    run_id: 1001,
    run_attempt: 1,
    name,
    status,
    conclusion,
    workflow_name: 'Deploy',
    head_branch: 'main',
    html_url: `https://github.com/acme/shop/actions/runs/1001/job/${id}`,
    started_at: `2026-11-26T10:${started}:00Z`,
    completed_at: completed && `2026-11-26T10:${completed}:00Z`,
    steps: steps.map(([stepName, stepStatus, stepConclusion], i) => ({
      name: stepName,
      status: stepStatus,
      conclusion: stepConclusion,
      number: i + 1,
    })),
  });
  return [
    job(5001, 'build', 'completed', 'success', '00', '03', [
      ['Set up job', 'completed', 'success'],
      ['Build', 'completed', 'success'],
    ]),
    job(5002, 'deploy', 'completed', 'failure', '04', '06', [
      ['Set up job', 'completed', 'success'],
      ['Checkout', 'completed', 'success'],
      ['Deploy to production', 'completed', 'failure'],
      ['Post Checkout', 'completed', 'skipped'],
    ]),
    job(5003, 'notify', 'in_progress', null, '06', null, [
      ['Set up job', 'completed', 'success'],
      ['Notify', 'in_progress', null],
    ]),
  ];
}

/**
 * The live data. Tests may flip the flags directly (`sandbox.state.replay = 'conflict'`).
 * @typedef {object} SandboxState
 * @property {'original' | 'conflict'} replay how a repeated idempotency key is answered
 * @property {boolean} refuseClose refuse edits that move an incident to a closed-category status
 * @property {null | 'repeat-cursor'} paginationBug custom field option pages after the first repeat their cursor
 * @property {number} lookupDelayMs delay every GET by this many ms
 * @property {'ok' | 'forbidden' | 'error'} githubMode
 * @property {any[]} severities
 * @property {any[]} incidentTypes
 * @property {any[]} incidentStatuses
 * @property {any[]} customFields
 * @property {Record<string, any[]>} customFieldOptions options per custom field ID
 * @property {Record<string, any[]>} catalogEntries entries per catalog type ID
 * @property {any[]} incidentRoles
 * @property {any[]} users
 * @property {string[]} alertSourceIds
 * @property {any[]} jobs
 * @property {any[]} incidents
 * @property {Map<string, any>} idempotency idempotency_key -> incident
 * @property {any[]} edits { incident_id, at, body } per accepted edit
 * @property {any[]} alerts
 * @property {Record<string, string>} alertStatus deduplication_key -> latest status
 * @property {number} nextNumber
 * @property {{ route: string, spec: any, remaining: number }[]} faults
 */

/**
 * Everything reset() restores. The `requests` array lives outside this so its identity never changes.
 * @returns {SandboxState}
 */
function freshState(options) {
  return {
    replay: options.replay ?? 'original',
    refuseClose: false,
    paginationBug: null,
    lookupDelayMs: options.lookupDelayMs ?? 0,
    githubMode: 'ok',
    severities: seedSeverities(),
    incidentTypes: seedIncidentTypes(),
    incidentStatuses: seedIncidentStatuses(),
    customFields: seedCustomFields(),
    customFieldOptions: seedCustomFieldOptions(),
    catalogEntries: seedCatalogEntries(),
    incidentRoles: seedIncidentRoles(),
    users: seedUsers(),
    alertSourceIds: [ALERT_SOURCE_ID],
    jobs: defaultJobs(),
    incidents: [],
    idempotency: new Map(),
    edits: [],
    alerts: [],
    alertStatus: {},
    nextNumber: 1,
    faults: [],
  };
}

// ── Errors ───────────────────────────────────────────────────────────────────────────────────

const ERROR_TYPES = { 401: 'authentication_error', 404: 'not_found', 409: 'conflict', 422: 'validation_error', 429: 'rate_limited' };
const errorType = (status) => ERROR_TYPES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request_error');

/** Thrown by handlers; turned into incident.io's error body (or GitHub's, on /github routes). */
class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    Object.assign(this, { status, code, field });
  }
}
const invalid = (field, message, code = 'invalid_value') => new ApiError(422, code, message, field);
const required = (field, message = `${field} is required`) => invalid(field, message, 'is_required');

function errorReply(status, code, message, field, extra = {}) {
  const requestId = randomUUID();
  const error = { code, message, ...(field ? { source: { field } } : {}) };
  return {
    status,
    headers: { 'x-request-id': requestId },
    body: { type: errorType(status), status, request_id: requestId, errors: [error], ...extra },
  };
}

function githubErrorReply(status, message, docs = 'https://docs.github.com/rest') {
  return { status, headers: { 'x-github-request-id': randomUUID() }, body: { message, documentation_url: docs, status: String(status) } };
}

// ── Small helpers ────────────────────────────────────────────────────────────────────────────

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const ok = (body, status = 200) => ({ status, body });
const clone = (value) => JSON.parse(JSON.stringify(value));

function slug(text) {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

/** `page_size` query parameter: default 25, a positive integer up to `max`. */
function pageSize(query, max) {
  if (query.page_size === undefined || query.page_size === '') return 25;
  const n = Number(query.page_size);
  if (!Number.isInteger(n) || n < 1) throw invalid('page_size', 'page_size must be a positive integer');
  if (n > max) throw invalid('page_size', `page_size must be at most ${max}`);
  return n;
}

// ── Lookups and validation shared by create and edit ────────────────────────────────────────

function findById(list, id, field, what, prefix) {
  if (typeof id !== 'string' || id === '') throw required(prefix + field, `${what} ID must be a non-empty string`);
  const found = list.find((item) => item.id === id);
  if (!found) throw invalid(prefix + field, `No ${what} with ID ${id} exists`, 'not_found');
  return found;
}

/** Resolves one custom field value to its response shape, or throws a 422 naming where it went wrong. */
function resolveFieldValue(state, field, value, at) {
  if (!isObject(value)) throw invalid(at, 'Each value must be an object');
  const kinds = ['value_option_id', 'value_text', 'value_link', 'value_numeric', 'value_catalog_entry_id'].filter(
    (k) => value[k] !== undefined,
  );
  if (kinds.length !== 1)
    throw invalid(at, 'Each value must set exactly one of value_option_id, value_text, value_link, value_numeric, value_catalog_entry_id');
  const kind = kinds[0];
  const raw = value[kind];
  const where = `${at}.${kind}`;
  if (typeof raw !== 'string') throw invalid(where, `${kind} must be a string`);
  const wrongType = () => invalid(where, `${kind} cannot be used with the ${field.field_type} field "${field.name}"`);
  switch (kind) {
    case 'value_option_id': {
      if (field.catalog_type_id || !field.field_type.endsWith('_select')) throw wrongType();
      const option = (state.customFieldOptions[field.id] ?? []).find((o) => o.id === raw);
      if (!option) throw invalid(where, `No option with ID ${raw} exists for the field "${field.name}"`, 'not_found');
      return { value_option: { ...option } };
    }
    case 'value_text':
      if (field.field_type !== 'text') throw wrongType();
      return { value_text: raw };
    case 'value_link':
      if (field.field_type !== 'link') throw wrongType();
      return { value_link: raw };
    case 'value_numeric':
      if (field.field_type !== 'numeric') throw wrongType();
      if (raw.trim() === '' || !Number.isFinite(Number(raw))) throw invalid(where, `"${raw}" is not a number`);
      return { value_numeric: raw };
    default: {
      if (!field.catalog_type_id) throw wrongType();
      const entries = state.catalogEntries[field.catalog_type_id] ?? [];
      const entry = entries.find((e) => e.id === raw || e.external_id === raw || e.aliases.includes(raw));
      if (!entry) throw invalid(where, `No catalog entry matches "${raw}" for the field "${field.name}"`, 'not_found');
      return { value_catalog_entry: { ...entry, aliases: [...entry.aliases] } };
    }
  }
}

/** custom_field_entries -> the response's [{custom_field, values}] (entries with no values clear a field). */
function resolveCustomFieldEntries(state, entries, prefix) {
  const field = `${prefix}custom_field_entries`;
  if (!Array.isArray(entries)) throw invalid(field, 'custom_field_entries must be an array');
  return entries.map((entry, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(entry)) throw invalid(at, 'Each custom field entry must be an object');
    const custom = findById(state.customFields, entry.custom_field_id, 'custom_field_id', 'custom field', `${at}.`);
    if (!Array.isArray(entry.values)) throw required(`${at}.values`, 'values must be an array');
    if (custom.field_type === 'single_select' && entry.values.length > 1) {
      throw invalid(`${at}.values`, `The single-select field "${custom.name}" takes at most one value`);
    }
    const values = entry.values.map((value, j) => resolveFieldValue(state, custom, value, `${at}.values[${j}]`));
    const { id, name, description, field_type } = custom;
    return { custom_field: { id, name, description, field_type }, values };
  });
}

/** incident_role_assignments -> the response's [{role, assignee}]. */
function resolveRoleAssignments(state, assignments, prefix) {
  const field = `${prefix}incident_role_assignments`;
  if (!Array.isArray(assignments)) throw invalid(field, 'incident_role_assignments must be an array');
  return assignments.map((assignment, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(assignment)) throw invalid(at, 'Each role assignment must be an object');
    const role = findById(state.incidentRoles, assignment.incident_role_id, 'incident_role_id', 'incident role', `${at}.`);
    const who = assignment.assignee;
    if (!isObject(who) || (!who.id && !who.email && !who.slack_user_id)) {
      throw required(`${at}.assignee`, 'assignee must set one of id, email or slack_user_id');
    }
    const user = state.users.find(
      (u) =>
        (who.id && u.id === who.id) ||
        (typeof who.email === 'string' && u.email.toLowerCase() === who.email.toLowerCase()) ||
        (who.slack_user_id && u.slack_user_id === who.slack_user_id),
    );
    if (!user) throw invalid(`${at}.assignee`, 'No user matches this assignee', 'not_found');
    return { role: { ...role }, assignee: { ...user } };
  });
}

function optionalString(body, key, prefix) {
  if (body[key] !== undefined && typeof body[key] !== 'string') throw invalid(prefix + key, `${key} must be a string`);
}

/** Replaces entries per key (`keyOf`), the last update winning; an update with no values removes its entry. */
function mergeBy(current, updates, keyOf) {
  const merged = new Map(current.map((e) => [keyOf(e), e]));
  for (const update of updates) {
    merged.delete(keyOf(update));
    if (!update.values || update.values.length > 0) merged.set(keyOf(update), update);
  }
  return [...merged.values()];
}

// ── Catalog routes: severities, types, statuses, custom fields, options, roles, users ───────

function listCustomFieldOptions(state, { query }) {
  const fieldId = query.custom_field_id;
  if (!fieldId) throw required('custom_field_id');
  if (!state.customFields.some((f) => f.id === fieldId))
    throw invalid('custom_field_id', `No custom field with ID ${fieldId} exists`, 'not_found');
  const size = pageSize(query, 250);
  const all = [...(state.customFieldOptions[fieldId] ?? [])].sort((a, b) => a.sort_key - b.sort_key);
  let start = 0;
  if (query.after) {
    start = all.findIndex((o) => o.id === query.after) + 1;
    if (start === 0) throw invalid('after', `No option with ID ${query.after} exists for this field`, 'not_found');
  }
  const page = all.slice(start, start + size);
  const meta = { page_size: size };
  if (start + size < all.length) meta.after = page[page.length - 1].id;
  // The bug a client's stop rule must survive: every page after the first hands back the same cursor.
  if (state.paginationBug === 'repeat-cursor' && query.after) meta.after = query.after;
  return ok({ custom_field_options: page, pagination_meta: meta });
}

function listUsers(state, { query }) {
  const size = pageSize(query, 10000);
  const email = query.email?.toLowerCase();
  const users = state.users.filter(
    (u) => (!email || u.email.toLowerCase() === email) && (!query.slack_user_id || u.slack_user_id === query.slack_user_id),
  );
  return ok({ users: users.slice(0, size), pagination_meta: { page_size: size } });
}

function showUser(state, { params }) {
  const user = state.users.find((u) => u.id === params.id);
  if (!user) throw new ApiError(404, 'not_found', `No user with ID ${params.id} exists`);
  return ok({ user });
}

// ── Incidents: create, show, edit ───────────────────────────────────────────────────────────

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
    status = findById(state.incidentStatuses, body.incident_status_id, 'incident_status_id', 'incident status', '');
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
  let status;
  if (changes.incident_status_id !== undefined) {
    status = findById(state.incidentStatuses, changes.incident_status_id, 'incident_status_id', 'incident status', p);
    if (status.category === 'closed' && state.refuseClose) {
      throw invalid(
        `${p}incident_status_id`,
        'This incident must go through the post-incident flow before it can be closed; the API key lacks permission to skip it',
      );
    }
  }
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

// ── Alert events ─────────────────────────────────────────────────────────────────────────────

function createAlertEvent(state, { params, body }) {
  if (typeof body.title !== 'string' || body.title === '') throw required('title', 'title is required');
  if (!['firing', 'resolved'].includes(body.status)) throw invalid('status', 'status must be one of "firing", "resolved"');
  for (const k of ['description', 'deduplication_key', 'source_url']) optionalString(body, k, '');
  if (body.metadata !== undefined && !isObject(body.metadata)) throw invalid('metadata', 'metadata must be an object');
  const dedupKey = body.deduplication_key || randomUUID();
  state.alerts.push({
    ...clone(body),
    deduplication_key: dedupKey,
    alert_source_config_id: params.id,
    received_at: new Date().toISOString(),
  });
  state.alertStatus[dedupKey] = body.status;
  return ok({ deduplication_key: dedupKey, message: 'Event accepted for processing', status: 'success' }, 202);
}

// ── GitHub: list jobs for a workflow run (attempt) ──────────────────────────────────────────

function listJobs(state, { query, path, host }) {
  if (state.githubMode === 'forbidden') {
    return githubErrorReply(
      403,
      'Resource not accessible by integration',
      'https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt',
    );
  }
  if (state.githubMode === 'error') return githubErrorReply(500, 'Server Error');
  const perPage = Math.min(Math.max(Number.parseInt(query.per_page, 10) || 30, 1), 100);
  const page = Math.max(Number.parseInt(query.page, 10) || 1, 1);
  const jobs = state.jobs.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(1, Math.ceil(state.jobs.length / perPage));
  const headers = {};
  if (page < last) {
    const link = (p) => `<http://${host}${path}?per_page=${perPage}&page=${p}>`;
    headers.link = `${link(page + 1)}; rel="next", ${link(last)}; rel="last"`;
  }
  return { status: 200, headers, body: { total_count: state.jobs.length, jobs } };
}

// ── Routing ──────────────────────────────────────────────────────────────────────────────────

const list = (key, name) => (state) => ok({ [name]: state[key] });
const JOBS_ATTEMPT = 'GET /github/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt/jobs';
const JOBS = 'GET /github/repos/:owner/:repo/actions/runs/:run_id/jobs';

/** Route key -> { auth: 'api' | 'alert' | 'github', handle(state, request) }. */
const ROUTES = {
  'GET /v1/severities': { auth: 'api', handle: list('severities', 'severities') },
  'GET /v1/incident_types': { auth: 'api', handle: list('incidentTypes', 'incident_types') },
  'GET /v1/incident_statuses': { auth: 'api', handle: list('incidentStatuses', 'incident_statuses') },
  'GET /v2/custom_fields': { auth: 'api', handle: list('customFields', 'custom_fields') },
  'GET /v1/custom_field_options': { auth: 'api', handle: listCustomFieldOptions },
  'GET /v2/incident_roles': { auth: 'api', handle: list('incidentRoles', 'incident_roles') },
  'GET /v2/users': { auth: 'api', handle: listUsers },
  'GET /v2/users/:id': { auth: 'api', handle: showUser },
  'POST /v2/incidents': { auth: 'api', handle: createIncident },
  'GET /v2/incidents/:id': { auth: 'api', handle: (state, { params }) => ok({ incident: findIncident(state, params.id) }) },
  'POST /v2/incidents/:id/actions/edit': { auth: 'api', handle: editIncident },
  'POST /v2/alert_events/http/:id': { auth: 'alert', handle: createAlertEvent },
  [JOBS_ATTEMPT]: { auth: 'github', handle: listJobs },
  [JOBS]: { auth: 'github', handle: listJobs },
};

/** Finds the route for a method and path: { key, params } or undefined. */
function matchRoute(method, path) {
  const segments = path.split('/');
  for (const key of Object.keys(ROUTES)) {
    const [routeMethod, template] = key.split(' ');
    const parts = template.split('/');
    if (routeMethod !== method || parts.length !== segments.length) continue;
    const params = {};
    const matches = parts.every((part, i) => {
      if (part.startsWith(':')) {
        params[part.slice(1)] = decodeURIComponent(segments[i]);
        return segments[i] !== '';
      }
      return part === segments[i];
    });
    if (matches) return { key, params };
  }
  return undefined;
}

/** Checks the Authorization header (or, for alert sources, ?token=) against the route's secret. */
function authorized(auth, headers, query, secrets) {
  const header = headers.authorization ?? '';
  if (auth === 'github') return header === `token ${secrets.githubToken}` || header === `Bearer ${secrets.githubToken}`;
  if (auth === 'alert') return header === `Bearer ${secrets.alertToken}` || query.token === secrets.alertToken;
  return header === `Bearer ${secrets.apiKey}`;
}

/** Runs a routed request through auth, body checks and the handler; always returns a reply. */
function processRequest(state, secrets, request, rawBody) {
  const route = ROUTES[request.route];
  const github = route.auth === 'github';
  try {
    if (route.auth === 'alert' && !state.alertSourceIds.includes(request.params.id)) {
      throw new ApiError(404, 'not_found', `No alert source with ID ${request.params.id} exists`);
    }
    if (!authorized(route.auth, request.headers, request.query, secrets)) {
      if (github) return githubErrorReply(401, 'Bad credentials');
      throw new ApiError(401, 'authentication_error', 'The API key is missing or invalid');
    }
    let body = {};
    if (request.method === 'POST' && rawBody.length > 0) {
      if (typeof request.body === 'string') throw new ApiError(422, 'invalid_json', 'Request body is not valid JSON');
      if (!isObject(request.body)) throw new ApiError(422, 'invalid_value', 'Request body must be a JSON object');
      body = request.body;
    }
    return route.handle(state, { ...request, body });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return github ? githubErrorReply(error.status, error.message) : errorReply(error.status, error.code, error.message, error.field);
  }
}

// ── Faults ───────────────────────────────────────────────────────────────────────────────────

const FAULT_TYPES = ['rate-limit', 'status', 'html-502', 'reset', 'truncated', 'slow'];

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

function takeFault(state, routeKey) {
  const index = state.faults.findIndex((f) => f.route === routeKey);
  if (index < 0) return undefined;
  const fault = state.faults[index];
  if (--fault.remaining <= 0) state.faults.splice(index, 1);
  return fault.spec;
}

/** The reply for a fault that answers before any processing, or undefined if the fault comes after. */
function replyBeforeProcessing(spec, github) {
  if (spec.type === 'rate-limit') {
    const extra = spec.bodyRetryAfter === undefined ? {} : { rate_limit: { limit: 1200, remaining: 0, retry_after: spec.bodyRetryAfter } };
    const reply = errorReply(429, 'rate_limited', 'You have exceeded the rate limit of 1200 requests per minute', undefined, extra);
    if (spec.retryAfter !== undefined) reply.headers['retry-after'] = String(spec.retryAfter);
    return reply;
  }
  if (spec.type === 'status') {
    const status = spec.status ?? 500;
    const message =
      status >= 500 ? 'Something went wrong on our side; please retry the request' : `The sandbox was told to answer ${status}`;
    return github ? githubErrorReply(status, message) : errorReply(status, errorType(status), message);
  }
  if (spec.type === 'html-502') return { status: 502, headers: { 'content-type': 'text/html' }, raw: NGINX_502 };
  return undefined;
}

// ── The server ───────────────────────────────────────────────────────────────────────────────

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw) {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Writes a reply unless the client has gone. `truncate` sends half the JSON, with no length. */
function send(res, reply, { truncate = false } = {}) {
  if (res.destroyed || res.writableEnded || res.socket?.destroyed) return;
  let text = reply.raw ?? JSON.stringify(reply.body);
  const headers = { 'content-type': 'application/json', ...reply.headers };
  if (truncate) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  else headers['content-length'] = Buffer.byteLength(text);
  res.writeHead(reply.status, headers);
  res.end(text);
}

export async function startSandbox(options = {}) {
  const { host = '127.0.0.1', port = 0 } = options;
  const secrets = {
    apiKey: options.apiKey ?? 'sandbox-api-key',
    alertToken: options.alertToken ?? 'sandbox-alert-token',
    githubToken: options.githubToken ?? 'sandbox-github-token',
  };
  const state = freshState(options);
  /** @type {any[]} */
  const requests = [];
  const timers = new Set();

  const wait = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
      timers.add(timer);
    });

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const match = matchRoute(req.method, url.pathname);
    const entry = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body: undefined,
      startedAt: Date.now(),
      respondedAt: undefined,
      route: match?.key,
    };
    requests.push(entry);
    res.on('finish', () => (entry.respondedAt = Date.now()));
    const raw = await readBody(req);
    entry.body = parseBody(raw);

    if (!match) return send(res, errorReply(404, 'not_found', `No route for ${req.method} ${url.pathname}`));
    if (req.method === 'GET' && state.lookupDelayMs > 0) await wait(state.lookupDelayMs);

    const spec = takeFault(state, match.key);
    if (spec?.type === 'reset' && spec.after !== 'process') return void req.socket.destroy();
    const early = spec && replyBeforeProcessing(spec, ROUTES[match.key].auth === 'github');
    if (early) return send(res, early);

    const request = { ...entry, params: match.params, host: req.headers.host ?? `${host}:${port}` };
    const reply = processRequest(state, secrets, request, raw);
    if (!spec) return send(res, reply);
    if (spec.type === 'reset') return void req.socket.destroy();
    if (spec.type === 'truncated') return send(res, reply, { truncate: true });
    await wait(spec.delayMs ?? 1500); // 'slow'
    return send(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      // A client that went away mid-request is normal; anything else is a sandbox bug worth a 500.
      if (!res.headersSent && !res.destroyed) send(res, errorReply(500, 'internal_error', `Sandbox error: ${error.message}`));
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => (server.off('error', reject), resolve()));
  });
  const actualPort = server.address().port;

  let closing;
  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    ...secrets,
    requests,
    state,
    fault(route, spec, times = 1) {
      if (!ROUTES[route]) throw new Error(`Unknown sandbox route "${route}"; known: ${Object.keys(ROUTES).join(', ')}`);
      if (!FAULT_TYPES.includes(spec?.type)) throw new Error(`Unknown fault type "${spec?.type}"; known: ${FAULT_TYPES.join(', ')}`);
      state.faults.push({ route, spec, remaining: times });
    },
    /** @returns {any[]} the live incident objects, oldest first */
    incidents: () => [...state.incidents],
    /** @returns {any[]} every alert event received, oldest first */
    alerts: () => [...state.alerts],
    setJobs(jobs) {
      state.jobs = jobs;
    },
    setGithubMode(mode) {
      if (!['ok', 'forbidden', 'error'].includes(mode)) throw new Error(`Unknown GitHub mode "${mode}"`);
      state.githubMode = mode;
    },
    reset() {
      Object.assign(state, freshState(options));
      requests.length = 0;
    },
    close() {
      closing ??= new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

// ── CLI ──────────────────────────────────────────────────────────────────────────────────────

function portArgument(argv) {
  const at = argv.findIndex((a) => a === '--port' || a.startsWith('--port='));
  if (at < 0) return 0;
  const value = argv[at].includes('=') ? argv[at].split('=')[1] : argv[at + 1];
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not "${value}"`);
  return port;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sandbox = await startSandbox({ port: portArgument(process.argv.slice(2)) });
  console.log(`incident.io sandbox listening on ${sandbox.url} (api key: ${sandbox.apiKey})`);
  const stop = () => sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
