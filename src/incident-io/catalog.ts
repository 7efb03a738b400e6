/**
 * Catalog entries by identifier (`GET /v3/catalog_entries`): the one lookup that turns what a
 * person writes for a catalog-typed value (an entry's ID, external ID, alias, or its name where
 * the type uses names as identifiers) into the entry's ID. Custom fields backed by a catalog type
 * and the alert attributes of a maintenance window both use it; each decides what a refusal (403)
 * means for it.
 */
import { InputError } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import type { IncidentIoClient } from './client.js';
import { id, items, loose, object, text, type Shape } from '../core/shape.js';
import { someOf } from './names.js';

export interface CatalogEntry {
  id: string;
  name?: string;
  external_id?: string;
  aliases?: string[];
}

/**
 * An entry that cannot be read (no ID) is incident.io's fault and fails the list; its other
 * fields only help to match and to suggest, so one of the wrong type is left out.
 */
const CATALOG_ENTRY: Shape<CatalogEntry> = object({ id, name: loose(text), external_id: loose(text), aliases: loose(items(text)) });

/** Catalog entries are looked up 25 at a time: enough to find one, and to suggest a few. */
export const CATALOG_PAGE_SIZE = 25;

export interface CatalogQuery {
  /** The input the value came from, for messages: "custom-fields", "alerts". */
  input: string;
  /** What the value is set for, as the input names it: the custom field's or alert attribute's name. */
  label: string;
  /** The catalog type whose entries the value must be one of. */
  typeId: string;
  /** The value as written. */
  identifier: string;
}

/**
 * The entry `identifier` names in catalog type `typeId`. An identifier that matches no entry is
 * an InputError listing a few entries and the closest; one that matches several lists their IDs.
 * A refused or failed lookup (403, 5xx) and an answer the action cannot read (AnswerError) are
 * thrown as they are, for the caller to decide.
 */
export async function findCatalogEntry(
  client: IncidentIoClient,
  { input, label, typeId, identifier }: CatalogQuery,
): Promise<CatalogEntry> {
  const entries = await client.getList(
    '/v3/catalog_entries',
    'catalog_entries',
    { catalog_type_id: typeId, identifier, page_size: CATALOG_PAGE_SIZE },
    CATALOG_ENTRY,
  );
  const matches = entries.filter(
    (e) => e.id === identifier || e.external_id === identifier || (e.aliases ?? []).includes(identifier) || e.name === identifier,
  );
  const match = matches.length === 1 ? matches[0] : matches.length === 0 && entries.length === 1 ? entries[0] : undefined;
  if (match) return match;
  if (matches.length > 1) {
    throw new InputError(
      `Input "${input}" sets ${JSON.stringify(label)} to ${JSON.stringify(identifier)}, which matches ${matches.length} catalog entries; use one of their IDs: ` +
        `${matches.map((m) => `${m.name ?? m.id} = ${m.id}`).join(', ')}.`,
    );
  }
  const some = await client.getList(
    '/v3/catalog_entries',
    'catalog_entries',
    { catalog_type_id: typeId, page_size: CATALOG_PAGE_SIZE },
    CATALOG_ENTRY,
  );
  const names = some.map((e) => e.name ?? e.external_id ?? e.id);
  const suggestion = closest(
    identifier,
    some.flatMap((e) => [e.name, e.external_id, ...(e.aliases ?? [])].filter((n): n is string => typeof n === 'string')),
  );
  throw new InputError(
    `Input "${input}" sets ${JSON.stringify(label)} to ${JSON.stringify(identifier)}, which is not an entry of its catalog (by ID, external ID, alias or name). ` +
      `Some entries: ${someOf(names, 10) || 'none'}.` +
      (suggestion ? ` Did you mean ${JSON.stringify(suggestion)}?` : ''),
  );
}
