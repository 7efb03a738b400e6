/**
 * Following an outage across runs with `incident-key`: one open incident per key.
 *
 * incident.io cannot list incidents by name, summary or idempotency key, so the action marks
 * an incident it declares under a key with one line at the end of its summary, carrying a
 * token: `iokey-` and 24 hex digits of SHA-256 over the repository and the key. A token of
 * letters and digits survives however incident.io stores the Markdown, and a responder may
 * rename the incident freely. To find the open incidents of a key, the action lists open
 * incidents (triage, live, paused; in the step's mode), newest first, at most
 * MAX_LIST_PAGES pages, and keeps those whose summary carries the token. The same line carries
 * `iorun-` and 12 hex digits over the create's idempotency key, so a re-run of the run that
 * declared the incident (a watcher re-run, say) knows it as its own, and posts no update.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../errors.js';
import { code, md, type Markdown } from '../output/markdown.js';
import type { Mode } from '../settings/settings.js';
import type { IncidentIoClient } from './client.js';
import { readIncident, type Incident } from './incidents.js';
import { isRecord } from './retry.js';

/** Status categories of an incident that is still open. */
export const OPEN_CATEGORIES_FOR_KEY = ['triage', 'live', 'paused'];
export const LIST_PAGE_SIZE = 250;
/** Searched newest first: 1,000 open incidents in all. */
export const MAX_LIST_PAGES = 4;

const TOKEN = /iokey-[0-9a-f]{24}/;

export function keyToken(repository: string, key: string): string {
  return `iokey-${createHash('sha256').update(`${repository}\n${key}`).digest('hex').slice(0, 24)}`;
}

/** The token of the run that declared an incident: its create's idempotency key, hashed. */
export function runToken(idempotencyKey: string): string {
  return `iorun-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 12)}`;
}

/**
 * The line the action appends to the summary of an incident it declares under a key. (`\u00b7` is
 * `·`, escaped because a template keeps its characters as written and the bundle is ASCII-only.)
 */
export function keyMarker(repository: string, key: string, idempotencyKey: string): Markdown {
  return md`_Incident key ${code(key)} \u00b7 ${keyToken(repository, key)} \u00b7 ${runToken(idempotencyKey)}: the incident.io GitHub Action finds this open incident by this line, so keep it when you edit the summary._`;
}

/** Whether the run whose create uses `idempotencyKey` declared this incident. */
export function declaredBy(incident: Incident, idempotencyKey: string): boolean {
  return markerLine(incident.summary)?.includes(runToken(idempotencyKey)) ?? false;
}

/** The marker line of a summary, if it has one, to carry over when the summary is replaced. */
export function markerLine(summary: string | undefined): string | undefined {
  return summary?.split('\n').find((line) => TOKEN.test(line));
}

export interface KeySearch {
  /** The open incidents of the key, newest first. */
  incidents: Incident[];
  /** False when the page limit stopped the search with more open incidents left unread. */
  complete: boolean;
  /** How many open incidents were read. */
  read: number;
}

export async function findOpenByKey(
  client: IncidentIoClient,
  { repository, key, mode, maxPages = MAX_LIST_PAGES }: { repository: string; key: string; mode: Mode; maxPages?: number },
): Promise<KeySearch> {
  const token = keyToken(repository, key);
  const found: Incident[] = [];
  const seen = new Set<string>();
  let after: string | undefined;
  let read = 0;
  for (let page = 0; page < maxPages; page++) {
    const body = await client.get<unknown>('/v2/incidents', {
      page_size: LIST_PAGE_SIZE,
      sort_by: 'created_at_newest_first',
      'status_category[one_of]': OPEN_CATEGORIES_FOR_KEY,
      'mode[one_of]': [mode],
      after,
    });
    const items = isRecord(body) && Array.isArray(body['incidents']) ? body['incidents'] : undefined;
    if (!items) throw new ApiError('incident.io GET /v2/incidents answered without the expected "incidents" list.');
    read += items.length;
    for (const item of items) {
      if (isRecord(item) && typeof item['summary'] === 'string' && item['summary'].includes(token)) {
        const incident = readIncident({ incident: item }, 'GET /v2/incidents answered');
        // A page that repeats an incident (a list that moved under the cursor) must not resolve it twice.
        if (!found.some((f) => f.id === incident.id)) found.push(incident);
      }
    }
    const meta = isRecord(body) ? body['pagination_meta'] : undefined;
    const next = isRecord(meta) && typeof meta['after'] === 'string' && meta['after'] !== '' ? meta['after'] : undefined;
    if (items.length === 0 || next === undefined || seen.has(next)) return { incidents: newestFirst(found), complete: true, read };
    seen.add(next);
    after = next;
  }
  return { incidents: newestFirst(found), complete: false, read };
}

function newestFirst(incidents: Incident[]): Incident[] {
  return [...incidents].sort((a, b) => Date.parse(b.created_at ?? '') - Date.parse(a.created_at ?? '') || 0);
}
