/**
 * Following an outage across runs with `incident-key`: one open incident per key.
 *
 * incident.io cannot list incidents by name, summary or idempotency key, so the action marks
 * an incident it declares under a key with one line at the end of its summary, carrying a
 * token: `iokey-` and 24 hex digits of SHA-256 over the repository and the key (and the fork,
 * for a fork's run). The same line carries `iorun-` and 12 hex digits over the create's
 * idempotency key, so a re-run of the run that declared the incident (a watcher re-run, say)
 * knows it as its own, and posts no update.
 *
 * To find the open incidents of a key, the action lists open incidents (triage, live, paused;
 * in the step's mode), newest first, at most MAX_LIST_PAGES pages, and accepts an incident only
 * when it can prove the incident is its own (see `whyNotOurs`):
 * - the summary's **last** line is the marker line, and the key token in its place there is
 *   this key's. The line is read by its words, not byte for byte, so incident.io re-writing the
 *   Markdown (other emphasis, escapes, entities) does not hide it; a quote of the marker anywhere
 *   else in the summary (a responder's incident, a follow-up pasted from ours) does not count;
 * - incident.io says an API key created it (`creator.api_key`; any key: the action cannot tell
 *   its own key from another), not a person, a workflow or an alert;
 * - its status category and mode, read from the item itself, are the ones the list asked for,
 *   whatever the server did with the filters.
 * Incidents that carry the token but fail a check are returned as `rejected`, with the reason,
 * for the log.
 */
import { isRecord } from '../core/shape.js';
import { ApiError } from '../core/errors.js';
import { code, md, type Markdown } from '../core/markdown.js';
import type { Mode } from '../settings/values.js';
import type { IncidentIoClient } from './client.js';
import { readIncident, type Incident } from './incidents.js';
import { OPEN_CATEGORIES } from './statuses.js';
import { keyToken, runToken, type KeyScope } from '../github/keys.js';

export const LIST_PAGE_SIZE = 250;
/** Searched newest first: 1,000 open incidents in all. */
export const MAX_LIST_PAGES = 4;

/** The words after the tokens: the marker is recognised by them, so they never change. */
const MARKER_TAIL = 'the incident.io GitHub Action finds this open incident by this line, so keep it when you edit the summary';

/**
 * The line the action appends to the summary of an incident it declares under a key. (`\u00b7` is
 * `·`, escaped because a template keeps its characters as written and the bundle is ASCII-only.)
 */
export function keyMarker(scope: KeyScope, key: string, idempotencyKey: string): Markdown {
  const from = scope.fork ? md` of the fork ${code(scope.fork)}` : md``;
  return md`_Incident key ${code(key)}${from} \u00b7 ${keyToken(scope, key)} \u00b7 ${runToken(idempotencyKey)}: ${MARKER_TAIL}._`;
}

/** The tokens of a marker line. */
export interface Marker {
  key: string;
  run: string;
}

/** "Incident key" at the start, after emphasis marks, escapes or emphasis tags only. */
const MARKER_START = /^(?:[\s_*\\]|<\/?(?:em|i|strong|b)>)*incident\s+key\b/i;
const WORD = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu;
const TAIL_WORDS = words(MARKER_TAIL);
const KEY_TOKEN = /^iokey-[0-9a-f]{24}$/;
const RUN_TOKEN = /^iorun-[0-9a-f]{12}$/;

/** The words of a line, lower-cased: escapes and HTML tags (`<em>`, `</code>`) are not words. */
function words(line: string): string[] {
  const plain = line.replace(/\\/g, '').replace(/<\/?[a-z][^>]*>/gi, ' ');
  return (plain.match(WORD) ?? []).map((w) => w.toLowerCase());
}

/** The last line of a summary that holds anything, trailing blank lines and spaces left out. */
export function lastLine(summary: string | undefined): string | undefined {
  const lines = (summary ?? '').trimEnd().split(/\r\n|[\r\n\u2028\u2029]/);
  const last = lines[lines.length - 1];
  return last ? last : undefined;
}

/**
 * The tokens of a marker line, read by its words: it starts with "Incident key" (after at most
 * emphasis marks and escapes: not a quote, a list item or a heading) and ends with the fixed
 * words of MARKER_TAIL; the last key token before those words, followed by a run token, is its
 * key. The key itself (any text, in a code span) comes before the tokens, so a key that
 * contains a token of another key can never stand in that place.
 */
export function parseMarker(line: string | undefined): Marker | undefined {
  if (line === undefined || !MARKER_START.test(line)) return undefined;
  const all = words(line);
  const end = all.length - TAIL_WORDS.length;
  if (end < 4 || TAIL_WORDS.some((w, i) => all[end + i] !== w)) return undefined;
  const head = all.slice(2, end);
  const keyAt = head.findLastIndex((w) => KEY_TOKEN.test(w));
  const run = head.slice(keyAt + 1).find((w) => RUN_TOKEN.test(w));
  if (keyAt < 0 || run === undefined) return undefined;
  return { key: head[keyAt]!, run };
}

/** The marker on the summary's last line, if that line is one: the only marker that is the incident's own. */
export function ownMarker(summary: string | undefined): { line: string; marker: Marker } | undefined {
  const line = lastLine(summary);
  const marker = parseMarker(line);
  return line !== undefined && marker ? { line, marker } : undefined;
}

/** Whether the run whose create uses `idempotencyKey` declared this incident. */
export function declaredBy(incident: Incident, idempotencyKey: string): boolean {
  return ownMarker(incident.summary)?.marker.run === runToken(idempotencyKey);
}

/**
 * Why a listed incident that mentions the key's token is not the key's open incident, or
 * undefined when it is. In the order a reader would check: the marker, the creator, the state.
 */
export function whyNotOurs(item: Record<string, unknown>, token: string, mode: Mode): string | undefined {
  const summary = typeof item['summary'] === 'string' ? item['summary'] : undefined;
  const marker = ownMarker(summary)?.marker;
  if (!marker) return "its summary quotes this key's marker, but its last line is not the marker";
  if (marker.key !== token) return "its summary quotes this key's marker, but its last line is the marker of another key";
  const creator = creatorOf(item['creator']);
  if (creator !== 'an API key') return `${creator} created it, not the action (incident.io names no API key as its creator)`;
  const status = isRecord(item['incident_status']) ? item['incident_status'] : {};
  const category = typeof status['category'] === 'string' ? status['category'] : undefined;
  if (!category || !OPEN_CATEGORIES.includes(category)) {
    const name = typeof status['name'] === 'string' ? `"${status['name']}" ` : '';
    return category ? `it is no longer open (status ${name}in category "${category}")` : 'incident.io does not say whether it is open';
  }
  if (typeof item['mode'] === 'string' && item['mode'] !== mode) return `it is a ${item['mode']} incident, not ${mode}`;
  return undefined;
}

/** Who created an incident, by the kind of actor incident.io names (never by its name: that is a person's text). */
function creatorOf(creator: unknown): string {
  if (!isRecord(creator)) return 'someone incident.io does not name';
  if (isRecord(creator['api_key'])) return 'an API key';
  if (isRecord(creator['user'])) return 'a person';
  if (isRecord(creator['workflow'])) return 'an incident.io workflow';
  if (isRecord(creator['alert'])) return 'an alert';
  return 'someone incident.io does not name';
}

/** A listed incident that mentions the key's token but was left alone, and why. */
export interface Rejected {
  /** Its reference, or its ID when the answer gives no reference. */
  name: string;
  reason: string;
}

export interface KeySearch {
  /** The open incidents of the key, newest first. */
  incidents: Incident[];
  /** Incidents that mention the key's token but are not provably its open incidents. */
  rejected: Rejected[];
  /** False when the page limit stopped the search with more open incidents left unread. */
  complete: boolean;
  /** How many open incidents were read. */
  read: number;
}

export async function findOpenByKey(
  client: IncidentIoClient,
  { scope, key, mode, maxPages = MAX_LIST_PAGES }: { scope: KeyScope; key: string; mode: Mode; maxPages?: number },
): Promise<KeySearch> {
  const token = keyToken(scope, key);
  const found: Incident[] = [];
  const rejected = new Map<string, Rejected>();
  const seen = new Set<string>();
  let after: string | undefined;
  let read = 0;
  for (let page = 0; page < maxPages; page++) {
    const body = await client.get<unknown>('/v2/incidents', {
      page_size: LIST_PAGE_SIZE,
      sort_by: 'created_at_newest_first',
      'status_category[one_of]': OPEN_CATEGORIES,
      'mode[one_of]': [mode],
      after,
    });
    const items = isRecord(body) && Array.isArray(body['incidents']) ? body['incidents'] : undefined;
    if (!items) throw new ApiError('incident.io GET /v2/incidents answered without the expected "incidents" list.');
    read += items.length;
    for (const item of items) {
      // Cheap first: an incident that does not mention the token at all is not about this key.
      if (!isRecord(item) || typeof item['summary'] !== 'string' || !item['summary'].includes(token)) continue;
      const reason = whyNotOurs(item, token, mode);
      if (reason) {
        const name = nameOf(item);
        rejected.set(name, { name, reason });
        continue;
      }
      const incident = readIncident({ incident: item }, 'GET /v2/incidents answered');
      // A page that repeats an incident (a list that moved under the cursor) must not resolve it twice.
      if (!found.some((f) => f.id === incident.id)) found.push(incident);
    }
    const meta = isRecord(body) ? body['pagination_meta'] : undefined;
    const next = isRecord(meta) && typeof meta['after'] === 'string' && meta['after'] !== '' ? meta['after'] : undefined;
    if (items.length === 0 || next === undefined || seen.has(next)) {
      return { incidents: newestFirst(found), rejected: [...rejected.values()], complete: true, read };
    }
    seen.add(next);
    after = next;
  }
  return { incidents: newestFirst(found), rejected: [...rejected.values()], complete: false, read };
}

function nameOf(item: Record<string, unknown>): string {
  for (const field of ['reference', 'id']) {
    const value = item[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return 'an incident without a reference';
}

/** "INC-7 (its summary quotes …); INC-9 (a person created it, …)": for the log. */
export function describeRejected(rejected: readonly Rejected[]): string {
  return rejected.map((r) => `${r.name} (${r.reason})`).join('; ');
}

function newestFirst(incidents: Incident[]): Incident[] {
  return [...incidents].sort((a, b) => Date.parse(b.created_at ?? '') - Date.parse(a.created_at ?? '') || 0);
}
