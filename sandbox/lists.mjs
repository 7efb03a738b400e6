/**
 * Filters and pages for the list routes added for on-call, maintenance windows and alerts
 * (escalations, escalation paths, schedules, maintenance windows, alerts, incident alerts), in
 * incident.io's query form: `name[operator]=value`, repeated for several values.
 */
import { invalid } from './common.mjs';

/** A date filter value: 2026-11-26 (the whole day, UTC) or an RFC 3339 time -> [from, to) in ms. */
function dateBounds(value, field) {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const at = Date.parse(day ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(at)) throw invalid(field, `${JSON.stringify(value)} is not a date (2026-11-26) or an RFC 3339 time`);
  return [at, day ? at + 86_400_000 : at + 1];
}

/** `one_of`/`not_in` compare with any of an item's values (an item may have several, or none). */
const valuesOf = (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** One filter -> a predicate; a 422 naming the query key for an unknown filter, operator or value. */
function predicate(defs, name, op, values) {
  const field = `${name}[${op}]`;
  const def = defs[name];
  if (!def) throw invalid(field, `The sandbox does not implement the filter "${name}"; it knows ${Object.keys(defs).join(', ')}`);
  if (!def.ops.includes(op)) throw invalid(field, `The filter "${name}" takes the operators ${def.ops.join(', ')}, not "${op}"`);
  for (const v of values) {
    if (def.allowed && !def.allowed.includes(v)) {
      throw invalid(field, `${JSON.stringify(v)} is not one of ${def.allowed.map((a) => `"${a}"`).join(', ')}`);
    }
  }
  if (['is', 'starts_with', 'gte', 'lte', 'date_range'].includes(op) && values.length !== 1) {
    throw invalid(field, `${field} takes one value, not ${values.length}`);
  }
  const [first] = values;
  if (def.date) {
    // gte: from the start of the day or time given; lte: to its end; date_range: "from~to", both included.
    const [from, to] = op === 'date_range' ? first.split('~') : [first, first];
    const lower = op === 'lte' ? -Infinity : dateBounds(from, field)[0];
    const upper = op === 'gte' ? Infinity : dateBounds(to ?? '', field)[1];
    return (item) => Date.parse(def.date(item)) >= lower && Date.parse(def.date(item)) < upper;
  }
  if (op === 'is') return (item) => valuesOf(def.value(item)).includes(first);
  if (op === 'starts_with') return (item) => valuesOf(def.value(item)).some((v) => v.startsWith(first));
  if (op === 'one_of') return (item) => valuesOf(def.value(item)).some((v) => values.includes(v));
  return (item) => !valuesOf(def.value(item)).some((v) => values.includes(v)); // not_in
}

/**
 * The filters in a query (`queryAll`, every value of every key), as one predicate that all must
 * pass. `defs`: name -> { ops, value(item) (a string, strings or undefined) | date(item), allowed? }.
 */
export function parseFilters(queryAll, defs) {
  const predicates = [];
  for (const [key, values] of Object.entries(queryAll)) {
    if (!key.includes('[')) continue;
    const match = /^(\w+)\[(\w+)\]$/.exec(key);
    if (!match) throw invalid(key, `The sandbox does not implement the filter "${key}"; use name[operator]=value`);
    predicates.push(predicate(defs, match[1], match[2], values));
  }
  return (item) => predicates.every((p) => p(item));
}

/**
 * One page of `ordered` (every item, in answer order) after the item whose ID is `after`, of the
 * items that `matches`: { page, meta }. The cursor is a place in the whole order, so it holds
 * even when that item no longer matches. `state.pageCap` makes pages shorter than `size`;
 * meta.page_size still says what was asked. meta.after only when more items follow.
 */
export function listPage(state, ordered, { after, size, what, matches = () => true, total = false }) {
  let start = 0;
  if (after) {
    start = ordered.findIndex((item) => item.id === after) + 1;
    if (start === 0) throw invalid('after', `No ${what} with ID ${after} exists to page after`, 'not_found');
  }
  const rest = ordered.slice(start).filter(matches);
  const page = rest.slice(0, Math.max(1, Math.min(size, state.pageCap ?? size)));
  const meta = { page_size: size, ...(total ? { total_record_count: ordered.filter(matches).length } : {}) };
  if (page.length < rest.length) meta.after = page[page.length - 1].id;
  return { page, meta };
}

/** Newest first by created_at, the later-created first among equal times. */
export function newestFirst(items) {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => Date.parse(b.item.created_at) - Date.parse(a.item.created_at) || b.index - a.index)
    .map((e) => e.item);
}
