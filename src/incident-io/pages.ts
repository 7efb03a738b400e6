/**
 * Every page of a list that incident.io pages with `page_size` and an `after` cursor (the next
 * one in `pagination_meta.after`): escalation paths, schedules, escalations. Read strictly (the
 * names of the paths and schedules that inputs are resolved against, the escalations a cancel
 * acts on): a page without its list, or an item that does not match `item`, is an error that
 * names the request and the field.
 *
 * Stop rule, so that no server can keep the step reading: a page without a cursor, an empty
 * page, a cursor seen before (a server that repeats itself), or `maxPages` pages (then
 * `complete` is false, and the caller says so). An item met twice (a list that moved under the
 * cursor) is kept once.
 *
 * `listOptions` (custom-fields.ts) and `findOpenByKey` (tracking.ts) follow the same rule with
 * their own loops; they can move onto this one.
 */
import { InputError } from '../core/errors.js';
import type { IncidentIoClient, Query } from './client.js';
import { findByName, type Named } from './names.js';
import { expectShape, list, object, optional, text, type Shape } from '../core/shape.js';

export interface Pages<T> {
  /** Every item read, in the order incident.io listed them, each ID once. */
  items: T[];
  /** False when `maxPages` stopped the reading with a cursor still to follow. */
  complete: boolean;
  /** How many pages were read. */
  pages: number;
}

export interface PageOptions {
  /** Filters, sent with every page. */
  query?: Query;
  pageSize: number;
  maxPages: number;
}

const META = optional(object({ after: optional(text) }));

export async function readPages<T extends { id: string }>(
  client: IncidentIoClient,
  path: string,
  key: string,
  item: Shape<T>,
  { query = {}, pageSize, maxPages }: PageOptions,
): Promise<Pages<T>> {
  const shape = object({ [key]: list(item), pagination_meta: META });
  const items: T[] = [];
  const ids = new Set<string>();
  const cursors = new Set<string>();
  let after: string | undefined;
  for (let page = 1; page <= maxPages; page++) {
    const body = expectShape(
      shape,
      await client.get<unknown>(path, { ...query, page_size: pageSize, after }),
      `incident.io GET ${path} answered`,
    );
    const found = body[key] as T[];
    for (const entry of found) {
      if (ids.has(entry.id)) continue;
      ids.add(entry.id);
      items.push(entry);
    }
    const next = body['pagination_meta']?.after;
    if (found.length === 0 || !next || cursors.has(next)) return { items, complete: true, pages: page };
    cursors.add(next);
    after = next;
  }
  return { items, complete: false, pages: maxPages };
}

/**
 * The item `value` names (its ID, or its name in any case: `findByName`), from the pages
 * read. When the page limit left items unread, an unknown name says so.
 */
export function resolveFromPages<T extends Named>(input: string, what: string, value: string, pages: Pages<T>): T {
  try {
    return findByName(input, what, value, pages.items);
  } catch (error) {
    if (!(error instanceof InputError) || pages.complete) throw error;
    throw new InputError(
      `${error.message} The action read the first ${pages.items.length} ${what}s (${pages.pages} pages, its limit) and left the rest unread, ` +
        'so the one meant may be among those.',
    );
  }
}
