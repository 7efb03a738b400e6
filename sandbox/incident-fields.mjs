/**
 * Validation shared by incident create, edit and incident updates: custom field values, role
 * assignments, timestamp values and status moves, each resolved to its response shape or refused
 * with a 422 naming the field.
 */
import { findById, invalid, isObject, isTimestamp, required } from './common.mjs';
import { statusesOf } from './catalog.mjs';

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
export function resolveCustomFieldEntries(state, entries, prefix) {
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
export function resolveRoleAssignments(state, assignments, prefix) {
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

/** Replaces entries per key (`keyOf`), the last update winning; an update with no values removes its entry. */
export function mergeBy(current, updates, keyOf) {
  const merged = new Map(current.map((e) => [keyOf(e), e]));
  for (const update of updates) {
    merged.delete(keyOf(update));
    if (!update.values || update.values.length > 0) merged.set(keyOf(update), update);
  }
  return [...merged.values()];
}

/**
 * incident_timestamp_values -> the response's [{incident_timestamp, value: {value}}]. An item with
 * no `value` unsets that timestamp (its answer has no `value`); `null` is refused as a likely slip.
 */
export function resolveTimestampValues(state, items, prefix) {
  const field = `${prefix}incident_timestamp_values`;
  if (!Array.isArray(items)) throw invalid(field, 'incident_timestamp_values must be an array');
  return items.map((item, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(item)) throw invalid(at, 'Each timestamp value must be an object');
    const timestamp = findById(
      state.incidentTimestamps,
      item.incident_timestamp_id,
      'incident_timestamp_id',
      'incident timestamp',
      `${at}.`,
    );
    const { id, name, rank } = timestamp;
    if (item.value === undefined) return { incident_timestamp: { id, name, rank } };
    if (!isTimestamp(item.value)) {
      throw invalid(`${at}.value`, `${JSON.stringify(item.value)} is not an RFC 3339 date-time such as 2026-11-26T10:04:00Z`);
    }
    return { incident_timestamp: { id, name, rank }, value: { value: item.value } };
  });
}

/** Sets and unsets timestamp values per timestamp, keeping those with a value, in rank order. */
export function mergeTimestampValues(current, updates) {
  const merged = new Map(current.map((t) => [t.incident_timestamp.id, t]));
  for (const update of updates) {
    merged.delete(update.incident_timestamp.id);
    if (update.value) merged.set(update.incident_timestamp.id, update);
  }
  return [...merged.values()].sort((a, b) => a.incident_timestamp.rank - b.incident_timestamp.rank);
}

/**
 * The status an edit or incident update moves an incident to, refused as incident.io would when
 * `state.refuseStatusIds` lists it (not in this incident's post-incident flow) or when
 * `state.refuseClose` is on and it is a closed status (the key may not skip that flow).
 */
export function statusMove(state, id, field, prefix) {
  const status = findById(statusesOf(state), id, field, 'incident status', prefix);
  if (state.refuseStatusIds.includes(status.id)) {
    throw invalid(prefix + field, 'This status is not part of the post-incident flow that applies to this incident');
  }
  if (status.category === 'closed' && state.refuseClose) {
    throw invalid(
      prefix + field,
      'This incident must go through the post-incident flow before it can be closed; the API key lacks permission to skip it',
    );
  }
  return status;
}
