/**
 * Who is on call: schedules by name, and the people on call on one at a moment, from
 * `GET /v2/schedule_entries`' `final` list (the rotations with the overrides applied), so an
 * override's user is reported, never the rotation's.
 *
 * The entries are read for a short window around the moment and kept when they cover it. The
 * cursor (`pagination_meta.after`) goes back in as `entry_window_start`, with the end unchanged,
 * as the spec says: the `after_url` the answer also offers is never fetched, so the API key goes
 * only to `api-url`. A page without a cursor, with no entries, or with a cursor seen before ends
 * the reading; MAX_ENTRY_PAGES pages end it with `complete` false.
 */
import { ApiError } from '../core/errors.js';
import type { IncidentIoClient } from './client.js';
import { readPages, resolveFromPages, type Pages } from './pages.js';
import type { Named } from './names.js';
import { AnswerError, expectShape, id, items, list, loose, object, optional, text, type Problem, type Shape } from '../core/shape.js';

/** Schedules are listed 100 a page, for at most this many pages. */
export const SCHEDULE_PAGE_SIZE = 100;
export const MAX_SCHEDULE_PAGES = 20;
/** Pages of entries read for one moment, at most. */
export const MAX_ENTRY_PAGES = 10;
/** The window asked for: this long either side of the moment. */
export const ENTRY_WINDOW_MS = 60_000;

export type Schedule = Named;

const SCHEDULE: Shape<Schedule> = object({ id, name: id });

export function listSchedules(client: IncidentIoClient): Promise<Pages<Schedule>> {
  return readPages(client, '/v2/schedules', 'schedules', SCHEDULE, { pageSize: SCHEDULE_PAGE_SIZE, maxPages: MAX_SCHEDULE_PAGES });
}

/** The schedule `value` names (its ID, or its name in any case); unknown or shared names as for paths. */
export function resolveSchedule(input: string, value: string, pages: Pages<Schedule>): Schedule {
  return resolveFromPages(input, 'schedule', value, pages);
}

/** A person on call, as incident.io names them. */
export interface OnCallUser {
  id: string;
  name: string;
  email?: string;
  slack_user_id?: string;
}

export interface OnCall {
  /** One place per user, ordered by when their entry started (then by entry order). */
  users: OnCallUser[];
  /** False when the page limit stopped the reading with a cursor still to follow. */
  complete: boolean;
  pages: number;
}

interface Entry {
  start_at: string;
  end_at: string;
  user?: { id: string; name?: string; email?: string; slack_user_id?: string };
}

/** The user of an entry is optional in the spec (a shift nobody holds); one that is there must have its ID. */
const ENTRY: Shape<Entry> = object({
  start_at: id,
  end_at: id,
  user: optional(object({ id, name: loose(text), email: loose(text), slack_user_id: loose(text) })),
});
const ENTRIES = object({
  schedule_entries: object({ final: list(ENTRY), scheduled: loose(items(object({}))), overrides: loose(items(object({}))) }),
  pagination_meta: optional(object({ after: optional(text) })),
});

const iso = (ms: number) => new Date(ms).toISOString();

/** Who is on call on `scheduleId` at `at` (ms). */
export async function whoIsOnCall(client: IncidentIoClient, scheduleId: string, at: number, maxPages = MAX_ENTRY_PAGES): Promise<OnCall> {
  const path = '/v2/schedule_entries';
  const end = iso(at + ENTRY_WINDOW_MS);
  const covering: Entry[] = [];
  const cursors = new Set<string>();
  let start = iso(at - ENTRY_WINDOW_MS);
  for (let page = 1; page <= maxPages; page++) {
    const body = expectShape(
      ENTRIES,
      await client.get<unknown>(path, { schedule_id: scheduleId, entry_window_start: start, entry_window_end: end }),
      `incident.io GET ${path} answered`,
    );
    const { final, scheduled = [], overrides = [] } = body.schedule_entries;
    covering.push(...final.filter((entry, i) => covers(entry, at, `schedule_entries.final[${i}]`)));
    const next = body.pagination_meta?.after;
    const empty = final.length === 0 && scheduled.length === 0 && overrides.length === 0;
    if (empty || !next || cursors.has(next)) return { users: onCallUsers(covering), complete: true, pages: page };
    cursors.add(next);
    start = next;
  }
  return { users: onCallUsers(covering), complete: false, pages: maxPages };
}

/** Whether an entry covers the moment; a time that is not one is incident.io's fault, named. */
function covers(entry: Entry, at: number, where: string): boolean {
  const problems: Problem[] = [];
  const startAt = Date.parse(entry.start_at);
  const endAt = Date.parse(entry.end_at);
  if (Number.isNaN(startAt)) problems.push({ path: `${where}.start_at`, expected: 'a time', found: 'text' });
  if (Number.isNaN(endAt)) problems.push({ path: `${where}.end_at`, expected: 'a time', found: 'text' });
  if (problems.length > 0) {
    throw new AnswerError(
      `incident.io GET /v2/schedule_entries answered with an answer the action cannot use: ${problems.map((p) => `${p.path} is text that is not a time`).join('; ')}.`,
      problems,
    );
  }
  return startAt <= at && at < endAt;
}

/** Entries sorted by start (a stable sort keeps entry order among equals), one place per user. */
function onCallUsers(entries: readonly Entry[]): OnCallUser[] {
  const sorted = [...entries].sort((a, b) => Date.parse(a.start_at) - Date.parse(b.start_at));
  const users: OnCallUser[] = [];
  for (const { user } of sorted) {
    if (!user || users.some((u) => u.id === user.id)) continue;
    users.push({
      id: user.id,
      name: user.name ?? '',
      ...(user.email && { email: user.email }),
      ...(user.slack_user_id && { slack_user_id: user.slack_user_id }),
    });
  }
  return users;
}

/** The lead a schedule gives a declare: its first user on call, or why there is none (a warning, never a failure). */
export type OnCallLead = { schedule: Schedule; user: OnCallUser } | { schedule?: Schedule; user?: undefined; warning: string };

/**
 * The first user on call on `scheduleValue` at `at`, for the declare job's `roles`. A schedule no
 * one can find by that name is an input error, before any write. Nobody on call, or a schedule
 * that cannot be read (after the client's retries), is a warning: the incident is declared
 * without that role, since an incident with no lead beats no incident.
 */
export async function onCallLead(client: IncidentIoClient, role: string, scheduleValue: string, at: number): Promise<OnCallLead> {
  const what = `The role ${JSON.stringify(role)} was left unassigned`;
  let pages: Pages<Schedule>;
  try {
    pages = await listSchedules(client);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { warning: `${what}: the schedules could not be read to find ${JSON.stringify(scheduleValue)}. ${error.message}` };
  }
  const schedule = resolveSchedule('roles', scheduleValue, pages);
  try {
    const onCall = await whoIsOnCall(client, schedule.id, at);
    const [user] = onCall.users;
    if (user) return { schedule, user };
    return { schedule, warning: `${what}: nobody is on call on the schedule ${JSON.stringify(schedule.name)} (${schedule.id}) now.` };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return {
      schedule,
      warning: `${what}: who is on call on the schedule ${JSON.stringify(schedule.name)} could not be read. ${error.message}`,
    };
  }
}
