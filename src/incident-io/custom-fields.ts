/**
 * `custom-fields`: a mapping of custom field name to value, turned into incident.io's
 * `custom_field_entries`. Field names resolve through `GET /v2/custom_fields`; select options
 * through `GET /v1/custom_field_options`, fetched for every named select field at once, as soon
 * as the field list arrives (the options endpoint needs the field's ID).
 */
import { ApiError, collectInputErrors, InputError, settleAll } from '../core/errors.js';
import type { MappingValue } from '../settings/mapping.js';
import { closest, normalize } from '../core/suggest.js';
import { findCatalogEntry } from './catalog.js';
import type { IncidentIoClient } from './client.js';
import { AnswerError, expectShape, id, list, loose, object, text, type Shape } from '../core/shape.js';
import { findByName, someOf, type IdName, type Named } from './names.js';

export interface CustomField extends Named {
  field_type: string;
  catalog_type_id?: string;
}

export interface FieldOption {
  id: string;
  custom_field_id?: string;
  value: string;
}

export type FieldValue =
  | { value_option_id: string }
  | { value_text: string }
  | { value_link: string }
  | { value_numeric: string }
  | { value_catalog_entry_id: string };

export interface CustomFieldEntry {
  custom_field_id: string;
  values: FieldValue[];
}

const CUSTOM_FIELD: Shape<CustomField> = object({ id, name: id, field_type: id, catalog_type_id: loose(id) });
const OPTIONS_PAGE = object({
  custom_field_options: list(object({ id, value: id, custom_field_id: loose(text) })),
  pagination_meta: loose(object({ after: loose(text) })),
});
/** Options are listed 250 a page, for at most this many pages per field. */
export const OPTION_PAGE_SIZE = 250;
export const MAX_OPTION_PAGES = 20;

const INPUT = 'custom-fields';

export interface FieldLookup {
  /** Filled with what each ID sent stands for (`custom field "Teams"`), for a dry run's reader. */
  names?: Map<string, IdName>;
  /** Fields whose value was refused already: only their names are looked up. */
  namesOnly?: readonly string[];
}

/**
 * `notices` collects what the user should know but that does not stop the step (a key without
 * `catalog_entries.view`, whose catalog values go through unchecked).
 */
export async function customFieldEntries(
  client: IncidentIoClient,
  mapping: Map<string, MappingValue>,
  notices: string[] = [],
  { names = new Map(), namesOnly = [] }: FieldLookup = {},
): Promise<CustomFieldEntry[]> {
  if (mapping.size === 0 && namesOnly.length === 0) return [];
  const fields = await client.getList('/v2/custom_fields', 'custom_fields', undefined, CUSTOM_FIELD);
  const find = (name: string, value?: MappingValue) => {
    try {
      return findByName(INPUT, 'custom field', name, fields, { verb: 'names' });
    } catch (error) {
      // The value's check needs the field (its type, its options): say that it was not made.
      if (!(error instanceof InputError) || value === undefined) throw error;
      throw new InputError(`${error.message} Its value ${JSON.stringify(value)} could not be checked without the field.`);
    }
  };
  // Every field resolves at once, and every bad name or value is reported together.
  const [resolved] = await settleAll([
    settleAll(
      [...mapping].map(async ([name, value]) => {
        const field = find(name, value);
        names.set(field.id, { kind: 'custom field', name: field.name });
        const unset = Array.isArray(value) && value.length === 0;
        if (unset) return { name, entry: { custom_field_id: field.id, values: [] } };
        if (field.catalog_type_id)
          return { name, entry: { custom_field_id: field.id, values: await catalogValues(client, field, value, notices, names) } };
        const options = needsOptions(field) ? await listOptions(client, field.id) : undefined;
        const values = fieldValues(field, value, options);
        for (const v of values) {
          const option = 'value_option_id' in v ? options?.options.find((o) => o.id === v.value_option_id) : undefined;
          if (option) names.set(option.id, { kind: 'option', name: option.value, field: field.name });
        }
        return { name, entry: { custom_field_id: field.id, values } };
      }),
    ),
    settleAll(namesOnly.map((name) => Promise.resolve().then(() => find(name)))),
  ] as const);
  const byField = new Map<string, string>();
  for (const { name, entry } of resolved) {
    const earlier = byField.get(entry.custom_field_id);
    if (earlier !== undefined) {
      throw new InputError(
        `Input "${INPUT}" names ${JSON.stringify(earlier)} and ${JSON.stringify(name)}, which are the same custom field; name it once.`,
      );
    }
    byField.set(entry.custom_field_id, name);
  }
  return resolved.map((r) => r.entry);
}

/**
 * A catalog-backed field's values, each checked against the catalog up front
 * (`GET /v3/catalog_entries` by identifier: ID, external ID, alias, or name where the type
 * allows it) and sent as the entry's ID. An unknown value is an input error listing a few
 * entries and the closest. Without `catalog_entries.view` (403), the values go through as
 * given, for incident.io to check, and one notice says so.
 */
async function catalogValues(
  client: IncidentIoClient,
  field: CustomField,
  value: MappingValue,
  notices: string[],
  names: Map<string, IdName>,
): Promise<FieldValue[]> {
  const list = (Array.isArray(value) ? value : [value]).map((v) => v.trim());
  if (field.field_type !== 'multi_select') fieldValues(field, value); // one value only, as for any single field
  const typeId = field.catalog_type_id as string;
  try {
    const found = await settleAll(
      list.map((identifier) => findCatalogEntry(client, { input: INPUT, label: field.name, typeId, identifier })),
    );
    for (const entry of found)
      names.set(entry.id, { kind: 'catalog entry', name: entry.name ?? entry.external_id ?? entry.id, field: field.name });
    return found.map((entry) => ({ value_catalog_entry_id: entry.id }));
  } catch (error) {
    let notice: string;
    if (error instanceof AnswerError) {
      notice = `The values of catalog-backed custom fields go to incident.io unchecked: ${error.message}`;
    } else if (error instanceof ApiError && error.status === 403) {
      notice = `The API key may not read the catalog (incident.io answered 403), so the values of catalog-backed custom fields go to incident.io unchecked; give the key the "catalog_entries.view" scope to check them before the incident is declared.`;
    } else throw error;
    if (!notices.includes(notice)) notices.push(notice);
    for (const identifier of list)
      names.set(identifier, {
        kind: 'catalog entry',
        name: identifier,
        field: field.name,
        note: 'as given: the key may not read the catalog to check it',
      });
    return list.map((identifier) => ({ value_catalog_entry_id: identifier }));
  }
}

function needsOptions(field: CustomField): boolean {
  return !field.catalog_type_id && (field.field_type === 'single_select' || field.field_type === 'multi_select');
}

/**
 * Every option of a select field, following the `after` cursor. It stops on a page without
 * a cursor, an empty page, a cursor seen before (a server that repeats itself), or the page cap.
 */
export async function listOptions(client: IncidentIoClient, fieldId: string): Promise<{ options: FieldOption[]; complete: boolean }> {
  const options: FieldOption[] = [];
  const seen = new Set<string>();
  let after: string | undefined;
  for (let page = 0; page < MAX_OPTION_PAGES; page++) {
    // Read strictly: an answer without the list, or with an option lacking its `id` or `value`,
    // is incident.io's fault, never "no such option" blamed on the input.
    const body = expectShape(
      OPTIONS_PAGE,
      await client.get<unknown>('/v1/custom_field_options', { custom_field_id: fieldId, page_size: OPTION_PAGE_SIZE, after }),
      'incident.io GET /v1/custom_field_options answered',
    );
    options.push(...body.custom_field_options);
    const next = body.pagination_meta?.after;
    if (body.custom_field_options.length === 0 || !next || seen.has(next)) return { options, complete: true };
    seen.add(next);
    after = next;
  }
  return { options, complete: false };
}

/** Converts one mapping value to the value list incident.io takes for this field's type. */
export function fieldValues(
  field: CustomField,
  value: MappingValue,
  options?: { options: FieldOption[]; complete: boolean },
): FieldValue[] {
  const list = Array.isArray(value) ? value : [value];
  const label = `Input "${INPUT}" sets ${JSON.stringify(field.name)}`;
  const single = (kind: string): string => {
    if (list.length !== 1) {
      throw new InputError(`${label} to a list of ${list.length} values, but it is a ${kind} field, which takes exactly one value.`);
    }
    return (list[0] as string).trim();
  };
  if (field.catalog_type_id) {
    // Checked against the catalog by catalogValues; here only the number of values.
    if (field.field_type !== 'multi_select') single('single-value catalog');
    return list.map((v) => ({ value_catalog_entry_id: v.trim() }));
  }
  switch (field.field_type) {
    case 'single_select':
      return [{ value_option_id: findOption(field, single('single_select'), options) }];
    case 'multi_select':
      return collectInputErrors(list.map((v) => () => ({ value_option_id: findOption(field, v, options) })));
    case 'text':
      return [{ value_text: single('text') }];
    case 'link': {
      const link = single('link');
      if (!/^https?:\/\/\S+$/i.test(link)) {
        throw new InputError(`${label} to ${JSON.stringify(link)}, but it is a link field: the value must be an http:// or https:// URL.`);
      }
      return [{ value_link: link }];
    }
    case 'numeric': {
      // incident.io takes a decimal string: sent verbatim, so no digit is lost to a float.
      const text = single('numeric');
      if (!/^-?\d+(\.\d+)?$/.test(text)) {
        throw new InputError(
          `${label} to ${JSON.stringify(text)}, but it is a numeric field: the value must be a decimal number such as "12", "-3" or "12.5".`,
        );
      }
      return [{ value_numeric: text }];
    }
    default:
      throw new InputError(
        `${label}, but its type "${field.field_type}" is not one this action can set (single_select, multi_select, text, link, numeric).`,
      );
  }
}

function findOption(field: CustomField, value: string, found?: { options: FieldOption[]; complete: boolean }): string {
  const options = found?.options ?? [];
  const wanted = normalize(value);
  const match = options.find((o) => o.id === value.trim()) ?? options.find((o) => normalize(o.value) === wanted);
  if (match) return match.id;
  const values = options.map((o) => o.value);
  const suggestion = closest(value, values);
  const partial = found && !found.complete ? ` (only the first ${options.length} options were read)` : '';
  // "Platform, Payments" for a multi-select: several values are a list, and the comma says so.
  const parts = value.split(',').map((part) => part.trim());
  const asList =
    field.field_type === 'multi_select' &&
    parts.length > 1 &&
    parts.every((part) => options.some((o) => normalize(o.value) === normalize(part)))
      ? ` For several values, write a list: ${JSON.stringify(field.name)}: [${parts.join(', ')}].`
      : '';
  throw new InputError(
    `Input "${INPUT}" sets ${JSON.stringify(field.name)} to ${JSON.stringify(value)}, which is not one of its options${partial}.` +
      (asList || ` Available: ${someOf(values) || 'none'}.` + (suggestion ? ` Did you mean ${JSON.stringify(suggestion)}?` : '')),
  );
}
