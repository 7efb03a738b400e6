/**
 * What a dry run prints so that a person can check it by eye: the request as JSON, then a
 * "where" list of what each ID in it stands for (`severity_id "01SEV…" = severity "Major"`), and
 * a last line saying what was looked up and what a dry run cannot check. Names from incident.io
 * are text the action does not own: each is quoted as JSON (so a line break or a quote in it
 * cannot start a new line or end the quote), cut to 100 characters, and printed through the
 * output layer like every other line (redacted, made inert for the runner).
 */
import { isRecord } from '../core/shape.js';
import type { CustomFieldEntry } from '../incident-io/custom-fields.js';
import type { IdName } from '../incident-io/names.js';

/** A name as a dry run shows it: quoted, on one line, at most 100 characters. */
export function quoted(name: string): string {
  const shown = name.length > 100 ? `${name.slice(0, 100)}…` : name;
  return oneLineJson(shown);
}

/** JSON with U+2028 and U+2029 escaped too (JSON.stringify leaves them raw). */
export function oneLineJson(value: unknown, indent?: number): string {
  return (JSON.stringify(value, null, indent) ?? 'undefined').replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** `severity "Major"`, `option "Platform" of custom field "Teams"`, `user "Alice" ("alice@example.com")`. */
export function describeId(name: IdName): string {
  return (
    `${name.kind} ${quoted(name.name)}` +
    (name.field !== undefined ? ` of custom field ${quoted(name.field)}` : '') +
    (name.email !== undefined ? ` (${quoted(name.email)})` : '') +
    (name.note !== undefined ? ` (${name.note})` : '')
  );
}

/**
 * The "where" lines for a request: each ID in the path, and each string under a key named `id`,
 * `…_id` or `…_ids` (a list of IDs) in the body, that `names` knows, in the order they appear, each once.
 */
export function whereLines(path: string, body: unknown, names: ReadonlyMap<string, IdName>): string[] {
  const lines = new Set<string>();
  const add = (label: string, id: string) => {
    const name = names.get(id);
    if (name) lines.add(`${label} ${quoted(id)} = ${describeId(name)}`);
  };
  for (const segment of path.split('/')) add('in the path', decode(segment));
  const walk = (value: unknown, key: string, parent: string) => {
    if (typeof value === 'string') {
      if (/(^|_)ids?$/.test(key)) add(key === 'id' && parent ? `${parent}.id` : key, value);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, key, parent);
    } else if (isRecord(value)) {
      for (const [child, item] of Object.entries(value)) walk(item, child, key);
    }
  };
  walk(body, '', '');
  return [...lines];
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** What each path answered says was looked up, in the words of the last line. */
const INCIDENT_IO_LOOKUPS: [RegExp, string][] = [
  [/^\/v1\/severities$/, 'severities'],
  [/^\/v1\/incident_types$/, 'incident types'],
  [/^\/v1\/incident_statuses$/, 'incident statuses'],
  [/^\/v2\/custom_fields$/, 'custom fields'],
  [/^\/v1\/custom_field_options$/, 'custom field options'],
  [/^\/v3\/catalog_entries$/, 'catalog entries'],
  [/^\/v2\/incident_roles$/, 'incident roles'],
  [/^\/v2\/users(\/[^/]+)?$/, 'users'],
  [/^\/v2\/incident_timestamps$/, 'incident timestamps'],
  [/^\/v2\/incidents\/[^/]+$/, 'the incident'],
  [/^\/v2\/incidents$/, 'the open incidents of the incident-key'],
  [/^\/v1\/incident_attachments$/, "the incident's attachments"],
  [/^\/v2\/escalation_paths$/, 'escalation paths'],
  [/^\/v2\/escalations$/, 'the escalations of the escalation-key'],
  [/^\/v2\/schedules$/, 'schedules'],
  [/^\/v2\/schedule_entries$/, 'schedule entries'],
  [/^\/v2\/alert_attributes$/, 'alert attributes'],
  [/^\/v1\/maintenance_windows$/, 'maintenance windows'],
  [/^\/v1\/maintenance_windows\/[^/]+$/, 'the maintenance window'],
  [/^\/v2\/alerts$/, 'alerts'],
  [/^\/v2\/incident_alerts$/, "the alert's incidents"],
];
const GITHUB_LOOKUPS: [RegExp, string][] = [
  [/\/jobs$/, "the run's jobs"],
  [/\/pulls(\/\d+)?$/, 'the pull request'],
];

/**
 * The lookups a dry run made, in words, from the requests that were answered (`GET <url>`):
 * those to incident.io (under `apiUrl`), and those to GitHub (under `githubApiUrl`), each once.
 */
export function lookupsMade(requests: readonly string[], apiUrl: string, githubApiUrl: string): { incidentIo: string[]; gitHub: string[] } {
  const incidentIo = new Set<string>();
  const gitHub = new Set<string>();
  for (const request of requests) {
    const [method = '', url = ''] = request.split(' ', 2);
    if (method !== 'GET') continue;
    const path = url.split('?')[0] ?? '';
    if (path.startsWith(`${apiUrl}/`)) incidentIo.add(phrase(path.slice(apiUrl.length), INCIDENT_IO_LOOKUPS));
    else if (path.startsWith(`${githubApiUrl}/`)) gitHub.add(phrase(path.slice(githubApiUrl.length), GITHUB_LOOKUPS));
  }
  return { incidentIo: [...incidentIo], gitHub: [...gitHub] };
}

function phrase(path: string, known: readonly [RegExp, string][]): string {
  return known.find(([pattern]) => pattern.test(path))?.[1] ?? `GET ${path}`;
}

/**
 * Each custom field entry in words, from the names the lookups found: the field's name and its
 * values (an option's value, a catalog entry's name, or the text, link or number as sent); no
 * values means the field is unset.
 */
export function fieldEntriesShown(
  entries: readonly CustomFieldEntry[],
  names: ReadonlyMap<string, IdName>,
): { field: string; values: string[] }[] {
  return entries.map((entry) => ({
    field: names.get(entry.custom_field_id)?.name ?? entry.custom_field_id,
    values: entry.values.map((value) => {
      if ('value_option_id' in value) return names.get(value.value_option_id)?.name ?? value.value_option_id;
      if ('value_catalog_entry_id' in value) return names.get(value.value_catalog_entry_id)?.name ?? value.value_catalog_entry_id;
      if ('value_text' in value) return value.value_text;
      if ('value_link' in value) return value.value_link;
      return value.value_numeric;
    }),
  }));
}
