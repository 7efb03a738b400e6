/**
 * On-call schedules (`GET /v2/schedules`) and their entries (`GET /v2/schedule_entries`): who is
 * on call when, worked out from each rotation's handovers and the schedule's overrides for any
 * window asked, so "now" is always covered.
 */
import { URLSearchParams } from 'node:url';
import { invalid, isTimestamp, notFound, ok, pageSize, required } from './common.mjs';
import { listPage } from './lists.mjs';

const INTERVAL_MS = { hourly: 3_600_000, daily: 86_400_000, weekly: 604_800_000 };
/** The longest window the sandbox works out entries for (its own limit, not incident.io's). */
const MAX_WINDOW_MS = 92 * 86_400_000;
/** The window when none is given: a day from its start. */
const DEFAULT_WINDOW_MS = 86_400_000;
const CURSOR_PREFIX = 'sbx1.';

const iso = (ms) => new Date(ms).toISOString();

/** UserV2 for a user ID (the seeded users hold exactly its fields). */
export function userV2(state, id) {
  const user = state.users.find((u) => u.id === id);
  if (!user) throw new Error(`Sandbox seed: no user ${id}`);
  return { ...user };
}

/** The entries a rotation's handovers make that overlap [from, to), in time order. */
function rotationEntries(state, rotation, from, to) {
  const people = rotation.user_ids.length;
  if (people === 0) return [];
  const shift = INTERVAL_MS[rotation.interval_type] * rotation.interval;
  const anchor = Date.parse(rotation.handover_start_at);
  const entries = [];
  for (let k = Math.floor((from - anchor) / shift); anchor + k * shift < to; k++) {
    const start = anchor + k * shift;
    const end = start + shift;
    if (end <= from) continue;
    entries.push({
      entry_id: `${rotation.id}.${k}`,
      fingerprint: `${rotation.id}.${k}.${rotation.user_ids[((k % people) + people) % people]}`,
      layer_id: rotation.layer.id,
      rotation_id: rotation.id,
      start_at: iso(start),
      end_at: iso(end),
      user: userV2(state, rotation.user_ids[((k % people) + people) % people]),
    });
  }
  return entries;
}

const overlaps = (entry, from, to) => Date.parse(entry.start_at) < to && Date.parse(entry.end_at) > from;

function overrideEntry(state, override) {
  return {
    entry_id: override.id,
    fingerprint: `${override.id}.${override.user_id}`,
    layer_id: override.layer_id,
    rotation_id: override.rotation_id,
    start_at: override.start_at,
    end_at: override.end_at,
    user: userV2(state, override.user_id),
  };
}

/** `entry` with the parts that `overrides` cover cut out: zero, one or two pieces. */
function subtract(entry, overrides) {
  let pieces = [[Date.parse(entry.start_at), Date.parse(entry.end_at)]];
  for (const o of overrides) {
    const [os, oe] = [Date.parse(o.start_at), Date.parse(o.end_at)];
    pieces = pieces.flatMap(([s, e]) => (oe <= s || os >= e ? [[s, e]] : [...(os > s ? [[s, os]] : []), ...(oe < e ? [[oe, e]] : [])]));
  }
  return pieces.map(([s, e]) => ({ ...entry, start_at: iso(s), end_at: iso(e) }));
}

/** Sorts entries by start, then by rotation order (the schedule's), keeping the rest stable. */
function byStart(entries, rotations) {
  const rank = (e) => rotations.findIndex((r) => r.id === e.rotation_id);
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Date.parse(a.entry.start_at) - Date.parse(b.entry.start_at) || rank(a.entry) - rank(b.entry) || a.index - b.index)
    .map((e) => e.entry);
}

/** { scheduled, overrides, final } for a schedule over [from, to): final has the overrides applied. */
export function scheduleEntries(state, schedule, from, to) {
  const scheduled = [];
  const final = [];
  const overrides = schedule.overrides.filter((o) => overlaps(o, from, to)).map((o) => overrideEntry(state, o));
  for (const rotation of schedule.rotations) {
    const own = rotationEntries(state, rotation, from, to);
    const mine = schedule.overrides.filter((o) => o.rotation_id === rotation.id);
    scheduled.push(...own);
    final.push(...own.flatMap((e) => subtract(e, mine)).filter((e) => overlaps(e, from, to)));
    final.push(...overrides.filter((o) => o.rotation_id === rotation.id));
  }
  return {
    scheduled: byStart(scheduled, schedule.rotations),
    overrides: byStart(overrides, schedule.rotations),
    final: byStart(final, schedule.rotations),
  };
}

/** The final entries that cover the moment `at` (ms). */
export function onCallAt(state, schedule, at) {
  return scheduleEntries(state, schedule, at, at + 1).final;
}

/** ScheduleV2 as answered, with current_shifts worked out for now. */
function scheduleV2(state, schedule) {
  return {
    id: schedule.id,
    name: schedule.name,
    timezone: schedule.timezone,
    team_ids: [...schedule.team_ids],
    annotations: { ...schedule.annotations },
    permalink: `https://app.incident.io/sandbox/on-call/schedules/${schedule.id}`,
    config: {
      rotations: schedule.rotations.map((r) => ({
        id: r.id,
        name: r.name,
        handover_start_at: r.handover_start_at,
        handovers: [{ interval: r.interval, interval_type: r.interval_type }],
        layers: [{ ...r.layer }],
        users: r.user_ids.map((id) => userV2(state, id)),
        working_intervals: [],
      })),
    },
    current_shifts: onCallAt(state, schedule, Date.now()),
    created_at: schedule.created_at,
    updated_at: schedule.updated_at,
  };
}

/** `GET /v2/schedules`: in seed order, `page_size` up to 10000 (default 25), with total_record_count. */
function listSchedules(state, { query }) {
  const size = pageSize(query, 10000);
  const { page, meta } = listPage(state, state.schedules, { after: query.after, size, what: 'schedule', total: true });
  return ok({ schedules: page.map((s) => scheduleV2(state, s)), pagination_meta: meta });
}

const encodeCursor = (cursor) => CURSOR_PREFIX + Buffer.from(JSON.stringify(cursor)).toString('base64url');

/** A cursor from pagination_meta.after, or undefined if `value` is not one of the sandbox's. */
function decodeCursor(value) {
  if (!value.startsWith(CURSOR_PREFIX)) return undefined;
  try {
    const cursor = JSON.parse(Buffer.from(value.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8'));
    if (typeof cursor.schedule_id === 'string' && Number.isFinite(cursor.from) && Number.isInteger(cursor.offset)) return cursor;
  } catch {
    // not a cursor: reported below
  }
  return undefined;
}

/**
 * `GET /v2/schedule_entries?schedule_id=&entry_window_start=&entry_window_end=`: every entry that
 * overlaps the window, `state.scheduleEntriesPageSize` of each list a page. A page with more to
 * come has pagination_meta { after, after_url }; `after` is an opaque cursor that goes back in as
 * entry_window_start (with entry_window_end unchanged). The last page has no pagination_meta.
 * after_url points at `state.scheduleEntriesAfterUrlBase` (default: this sandbox), so a test can
 * point it at a trap. `state.scheduleEntriesBug = 'endless'`: every page has a cursor, past the end.
 */
function listScheduleEntries(state, { query, host }) {
  const scheduleId = query.schedule_id;
  if (!scheduleId) throw required('schedule_id', 'schedule_id is required');
  const schedule = state.schedules.find((s) => s.id === scheduleId);
  if (!schedule) throw notFound(`No schedule with ID ${scheduleId} exists`, 'schedule_id');
  let from = Date.now();
  let offset = 0;
  const start = query.entry_window_start;
  if (start) {
    const cursor = decodeCursor(start);
    if (cursor) {
      if (cursor.schedule_id !== scheduleId) throw invalid('entry_window_start', 'This cursor belongs to another schedule');
      ({ from, offset } = cursor);
    } else if (isTimestamp(start)) {
      from = Date.parse(start);
    } else {
      throw invalid('entry_window_start', `${JSON.stringify(start)} is neither an RFC 3339 time nor a cursor from pagination_meta.after`);
    }
  }
  const end = query.entry_window_end;
  if (end && !isTimestamp(end)) throw invalid('entry_window_end', `${JSON.stringify(end)} is not an RFC 3339 time`);
  const to = end ? Date.parse(end) : from + DEFAULT_WINDOW_MS;
  if (to <= from) throw invalid('entry_window_end', 'entry_window_end must be after entry_window_start');
  if (to - from > MAX_WINDOW_MS) throw invalid('entry_window_end', 'The sandbox works out at most 92 days of entries at a time');

  const all = scheduleEntries(state, schedule, from, to);
  const size = state.scheduleEntriesPageSize;
  const page = Object.fromEntries(Object.entries(all).map(([list, entries]) => [list, entries.slice(offset, offset + size)]));
  const more = Object.values(all).some((entries) => entries.length > offset + size);
  const body = { schedule_entries: page };
  if (more || state.scheduleEntriesBug === 'endless') {
    const after = encodeCursor({ schedule_id: scheduleId, from, offset: offset + size });
    const base = state.scheduleEntriesAfterUrlBase ?? `http://${host}`;
    const params = new URLSearchParams({ schedule_id: scheduleId, entry_window_start: after, ...(end ? { entry_window_end: end } : {}) });
    body.pagination_meta = { after, after_url: `${base}/v2/schedule_entries?${params}` };
  }
  return ok(body);
}

/** Route key -> { auth, handle } for schedules. */
export const scheduleRoutes = {
  'GET /v2/schedules': { auth: 'api', handle: listSchedules },
  'GET /v2/schedule_entries': { auth: 'api', handle: listScheduleEntries },
};
