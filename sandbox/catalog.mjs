/**
 * Lookups: severities, incident types, statuses, custom fields and their options, roles, users,
 * incident timestamps and catalog entries.
 */
import { ApiError, forbidden, invalid, ok, pageSize, paginate, required } from './common.mjs';
import { DECOY_USER_ID, REVIEWING_STATUS_ID } from './seed.mjs';

/** The statuses the workspace has now: "Reviewing" only while `state.reviewingStatus` is on. */
export function statusesOf(state) {
  return state.incidentStatuses.filter((s) => state.reviewingStatus || s.id !== REVIEWING_STATUS_ID);
}

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

/**
 * Users matching `email` (case-insensitive) and `slack_user_id`. With `state.usersIgnoreFilter`
 * the filter is ignored, as a careless server might: every user comes back, the ones that do not
 * match first (Alice's near-namesake alice@example.org leads), so `users[0]` is the wrong one.
 */
function listUsers(state, { query }) {
  const size = pageSize(query, 10000);
  const email = query.email?.toLowerCase();
  const matches = (u) =>
    (!email || (u.email ?? '').toLowerCase() === email) && (!query.slack_user_id || u.slack_user_id === query.slack_user_id);
  let users = state.users.filter(matches);
  if (state.usersIgnoreFilter) {
    const rank = (u) => (matches(u) ? 2 : u.id === DECOY_USER_ID ? 0 : 1);
    users = [...state.users].sort((a, b) => rank(a) - rank(b));
  }
  return ok({ users: users.slice(0, size), pagination_meta: { page_size: size } });
}

function showUser(state, { params }) {
  const user = state.users.find((u) => u.id === params.id);
  if (!user) throw new ApiError(404, 'not_found', `No user with ID ${params.id} exists`);
  return ok({ user });
}

/** How a v3 catalog entry looks in answers. */
function catalogEntryV3(entry, type, rank) {
  return {
    id: entry.id,
    catalog_type_id: type.id,
    name: entry.name,
    external_id: entry.external_id,
    aliases: [...entry.aliases],
    rank,
    attribute_values: {},
    created_at: type.created_at,
    updated_at: type.updated_at,
  };
}

/**
 * `GET /v3/catalog_entries`: `identifier` matches an entry's ID, external ID or an alias, and its
 * name when the type has `use_name_as_identifier`. Every match is exact and case-sensitive, names
 * included: incident.io documents no case folding, so "checkout" does not find "Checkout" by name.
 */
function listCatalogEntries(state, { query }) {
  if (state.catalogForbidden) throw forbidden('The API key lacks the catalog.view scope');
  const typeId = query.catalog_type_id;
  if (!typeId) throw required('catalog_type_id', 'catalog_type_id is required');
  const type = state.catalogTypes.find((t) => t.id === typeId);
  if (!type) throw invalid('catalog_type_id', `No catalog type with ID ${typeId} exists`, 'not_found');
  const size = pageSize(query, 250, { required: true });
  const id = query.identifier;
  const entries = (state.catalogEntries[typeId] ?? [])
    .map((entry, i) => catalogEntryV3(entry, type, i + 1))
    .filter((e) => !id || e.id === id || e.external_id === id || e.aliases.includes(id) || (type.use_name_as_identifier && e.name === id));
  const { page, meta } = paginate(entries, { after: query.after, size, what: 'catalog entry', total: true });
  return ok({ catalog_entries: page, catalog_type: type, pagination_meta: meta });
}

const list = (key, name) => (state) => ok({ [name]: state[key] });

/** Route key -> { auth, handle } for the lookups. */
export const catalogRoutes = {
  'GET /v1/severities': { auth: 'api', handle: list('severities', 'severities') },
  'GET /v1/incident_types': { auth: 'api', handle: list('incidentTypes', 'incident_types') },
  'GET /v1/incident_statuses': { auth: 'api', handle: (state) => ok({ incident_statuses: statusesOf(state) }) },
  'GET /v2/custom_fields': { auth: 'api', handle: list('customFields', 'custom_fields') },
  'GET /v1/custom_field_options': { auth: 'api', handle: listCustomFieldOptions },
  'GET /v2/incident_roles': { auth: 'api', handle: list('incidentRoles', 'incident_roles') },
  'GET /v2/users': { auth: 'api', handle: listUsers },
  'GET /v2/users/:id': { auth: 'api', handle: showUser },
  'GET /v2/incident_timestamps': { auth: 'api', handle: list('incidentTimestamps', 'incident_timestamps') },
  'GET /v3/catalog_entries': { auth: 'api', handle: listCatalogEntries },
};
