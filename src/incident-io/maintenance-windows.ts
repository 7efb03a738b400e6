/**
 * Maintenance windows (`/v1/maintenance_windows`), opened exactly once and ended without being
 * extended.
 *
 * incident.io takes no idempotency key for a window, so each window the action opens carries a
 * marker derived from its key as the last words of its `name`: `(GitHub Actions key 3f9a2c1b7e04)`.
 * Before creating, and before retrying a create whose answer was lost (the client's `landed`
 * check), the active and the upcoming windows are listed (the `status` filter takes one value:
 * two lists, every page), and a window is ours only when its name ends with the exact marker, it
 * is not archived, and it has not ended, whatever filter the server applied.
 *
 * A window is ended with `PUT /v1/maintenance_windows/{id}`, a full replace, never `DELETE`
 * (incident.io refuses to archive an active window): the window is read, every field it has is
 * sent back as it is, converted from the read shapes (`lead: {user}`, `subject: {label, reference}`,
 * `operation: {label, value}`, bindings with labels) to the write shapes, and only `end_at`
 * changes, to the earlier of now and its current end. `reroute_on_end` and `resolve_on_end` are
 * sent as they are, so the window ends as it was opened to.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../core/errors.js';
import type { BindingValuePayload, ConditionGroupPayload, ParamBindingPayload } from '../settings/conditions.js';
import {
  AnswerError,
  boolean,
  check,
  describeProblems,
  expectShape,
  id,
  integer,
  isRecord,
  items,
  list,
  loose,
  object,
  optional,
  text,
  type Infer,
} from '../core/shape.js';
import type { IncidentIoClient } from './client.js';

export const WINDOWS_PATH = '/v1/maintenance_windows';
/** The list's largest page (the spec's maximum). */
const PAGE_SIZE = 50;
/** Pages read per status before the list is called incomplete: 1,000 windows. */
const MAX_PAGES = 20;
/** Past windows are only read to tell "ended already" from "never opened": the first pages are enough to say which. */
const MAX_PAST_PAGES = 4;

/** A user as `UserReferencePayloadV2` takes them: by ID, email or Slack user ID. */
export type LeadPayload = { id: string } | { email: string } | { slack_user_id: string };

/** The body of a create, and of a PUT (a full replace, with the same required fields). */
export interface WindowPayload {
  name: string;
  lead: LeadPayload;
  start_at: string;
  end_at: string;
  show_in_sidebar: boolean;
  alert_condition_groups: ConditionGroupPayload[];
  reroute_on_end?: boolean;
  resolve_on_end?: boolean;
  incident_id?: string;
  notification_message?: string;
  notify_channels?: { channel_id: string; channel_type: string; channel_name?: string }[];
  notify_start_minutes_before?: number;
  notify_end_minutes_before?: number;
  escalation_targets?: { escalation_paths?: ParamBindingPayload; users?: ParamBindingPayload }[];
}

// The read shapes (MaintenanceWindowV1). Everything a PUT sends back is read strictly: a field
// of the wrong type would otherwise be reset by the full replace. Labels are only shown.
const VALUE_READ = object({ label: loose(text), literal: optional(text), reference: optional(text) });
const BINDING_READ = object({ value: optional(VALUE_READ), array_value: optional(list(VALUE_READ)) });
const CONDITION_READ = object({
  subject: object({ label: loose(text), reference: id }),
  operation: object({ label: loose(text), value: id }),
  param_bindings: list(BINDING_READ),
});
const GROUP_READ = object({ conditions: list(CONDITION_READ) });
const WINDOW_READ = object({
  id,
  name: id,
  start_at: id,
  end_at: id,
  lead: object({ user: optional(object({ id, name: loose(text), email: loose(text) })) }),
  alert_condition_groups: list(GROUP_READ),
  resolve_on_end: boolean,
  reroute_on_end: boolean,
  show_in_sidebar: boolean,
  incident_id: optional(id),
  notification_message: optional(text),
  notify_channels: optional(list(object({ channel_id: id, channel_type: id, channel_name: optional(text) }))),
  notify_start_minutes_before: optional(integer),
  notify_end_minutes_before: optional(integer),
  escalation_targets: optional(list(object({ escalation_paths: optional(BINDING_READ), users: optional(BINDING_READ) }))),
  archived_at: optional(text),
  created_at: loose(text),
  updated_at: loose(text),
});
const ONE_WINDOW = object({ maintenance_window: WINDOW_READ });

export type MaintenanceWindow = Infer<typeof WINDOW_READ>;
export type ConditionGroupRead = Infer<typeof GROUP_READ>;

/** What a list item must have for the action to tell whether it is ours; other items are left out and counted. */
const WINDOW_LISTED = object({ id, name: text, end_at: text, archived_at: loose(text), created_at: loose(text) });
const LIST_PAGE = object({ maintenance_windows: items(WINDOW_LISTED), pagination_meta: loose(object({ after: loose(text) })) });
type Listed = Infer<typeof WINDOW_LISTED>;

/** The fields of a window the action knows how to send back; any other would be lost by a PUT, and is named. */
const KNOWN_FIELDS = new Set([
  'id',
  'name',
  'lead',
  'start_at',
  'end_at',
  'alert_condition_groups',
  'resolve_on_end',
  'reroute_on_end',
  'show_in_sidebar',
  'incident_id',
  'notification_message',
  'notify_channels',
  'notify_start_minutes_before',
  'notify_end_minutes_before',
  'escalation_targets',
  'archived_at',
  'created_at',
  'updated_at',
]);

// ── The key and its marker ───────────────────────────────────────────────────────────────────

export interface WindowKeyParts {
  repository: string;
  runId: number;
  /** The `maintenance-key` input; empty for a key derived from the conditions. */
  maintenanceKey: string;
  /** The conditions in canonical form (see ResolvedConditions.canonical); unused with a maintenance key. */
  conditions: string;
}

export interface WindowKey {
  /** The marker a window of this key carries as the last words of its name. */
  marker: string;
  /** What the key is, for people: `maintenance-key "api"`, or `the conditions, in run 1001 of acme/shop`. */
  description: string;
}

/**
 * The window's key: the repository, the run ID, and the `maintenance-key` or else the conditions.
 * A re-run of the run (same run ID) finds the window its first attempt opened; matrix legs that
 * hold different alerts (or give different maintenance keys) get their own windows; another run
 * never finds this run's window. The marker is 12 hex digits of SHA-256 over those parts.
 */
export function windowKey(parts: WindowKeyParts): WindowKey {
  const source = parts.maintenanceKey !== '' ? ['maintenance-key', parts.maintenanceKey] : ['conditions', parts.conditions];
  const hash = createHash('sha256')
    .update(JSON.stringify(['github-actions/maintenance', parts.repository, ...source, parts.runId]))
    .digest('hex')
    .slice(0, 12);
  const what = parts.maintenanceKey !== '' ? `maintenance-key ${JSON.stringify(parts.maintenanceKey)}` : 'the alerts it holds';
  return { marker: `(GitHub Actions key ${hash})`, description: `${what}, in run ${parts.runId} of ${parts.repository}` };
}

/** The window's name: the base, then the marker. */
export function windowName(base: string, marker: string): string {
  return `${base.trim()} ${marker}`;
}

/** The exact marker in its exact place: the last words of the name, after a space. A quote elsewhere does not count. */
export function carriesMarker(name: string, marker: string): boolean {
  return name.endsWith(` ${marker}`);
}

// ── Finding our windows ──────────────────────────────────────────────────────────────────────

interface ListRead {
  windows: Listed[];
  /** False when the page cap stopped the list before its end. */
  complete: boolean;
  /** Items left out because they lack what the action needs to tell whether they are ours. */
  dropped: number;
}

/**
 * Every window of one `status`, following the `after` cursor. It stops on a page without a
 * cursor, an empty page, a cursor seen before (a server that repeats itself), or the page cap.
 */
async function listWindows(client: IncidentIoClient, status: 'active' | 'upcoming' | 'past', maxPages: number): Promise<ListRead> {
  const windows: Listed[] = [];
  const seen = new Set<string>();
  let after: string | undefined;
  let dropped = 0;
  for (let page = 0; page < maxPages; page++) {
    const body = await client.get<unknown>(WINDOWS_PATH, { status, page_size: PAGE_SIZE, after });
    const result = check(LIST_PAGE, body);
    if (!result.ok) {
      throw new AnswerError(
        `incident.io GET ${WINDOWS_PATH}?status=${status} answered with a list the action cannot read: ${describeProblems(result.problems)}.`,
        result.problems,
      );
    }
    const listed = result.value.maintenance_windows;
    const raw = isRecord(body) && Array.isArray(body['maintenance_windows']) ? body['maintenance_windows'].length : listed.length;
    dropped += raw - listed.length;
    windows.push(...listed);
    const next = result.value.pagination_meta?.after;
    if (raw === 0 || !next || seen.has(next)) return { windows, complete: true, dropped };
    seen.add(next);
    after = next;
  }
  return { windows, complete: false, dropped };
}

export interface Search {
  /** The windows that are provably ours and still to end: earliest first. */
  ours: { id: string; name: string; end_at: string }[];
  /** Ours, but over (ended, or archived): listed by a server that ignored the filter. Never reused. */
  over: { id: string; end_at: string }[];
  /** What the log should say about the search (an incomplete list, items that could not be read). */
  notes: string[];
}

/**
 * The active and upcoming windows that carry `marker` (both lists, every page), each checked
 * after the list: not archived, and ending after `now`.
 */
export async function findOurWindows(client: IncidentIoClient, marker: string, now: number): Promise<Search> {
  const lists = await Promise.all([listWindows(client, 'active', MAX_PAGES), listWindows(client, 'upcoming', MAX_PAGES)]);
  const byId = new Map<string, Listed>();
  for (const window of lists.flatMap((l) => l.windows)) if (carriesMarker(window.name, marker)) byId.set(window.id, window);
  const notes: string[] = [];
  if (lists.some((l) => !l.complete)) {
    notes.push(
      `The maintenance windows were listed up to ${MAX_PAGES * PAGE_SIZE} per status; a window of this key past that would not be found.`,
    );
  }
  const dropped = lists.reduce((sum, l) => sum + l.dropped, 0);
  if (dropped > 0)
    notes.push(`${dropped} listed maintenance window(s) lacked an ID, a name or an end time, and were left out of the search.`);
  const ours: Search['ours'] = [];
  const over: Search['over'] = [];
  for (const window of byId.values()) {
    const ends = Date.parse(window.end_at);
    if (window.archived_at === undefined && ends > now) ours.push(window);
    else over.push(window);
  }
  ours.sort((a, b) => (earlier(a, b) ? -1 : 1));
  return { ours, over, notes };
}

/** incident.io's IDs are ULIDs, ordered by when they were made; created_at first, when both have one. */
function earlier(a: { id: string; created_at?: string }, b: { id: string; created_at?: string }): boolean {
  const [at, bt] = [Date.parse(a.created_at ?? ''), Date.parse(b.created_at ?? '')];
  if (!Number.isNaN(at) && !Number.isNaN(bt) && at !== bt) return at < bt;
  return a.id.length !== b.id.length ? a.id.length < b.id.length : a.id < b.id;
}

/**
 * The most recent past window that carries `marker`, among the first pages of the past list:
 * to tell a window that ended already from one that was never opened.
 */
export async function findEndedWindow(
  client: IncidentIoClient,
  marker: string,
): Promise<{ window?: { id: string; end_at: string }; complete: boolean }> {
  const { windows, complete } = await listWindows(client, 'past', MAX_PAST_PAGES);
  return { window: windows.find((w) => carriesMarker(w.name, marker)), complete };
}

// ── Open ─────────────────────────────────────────────────────────────────────────────────────

export interface Opened {
  window: MaintenanceWindow;
  /** False when an earlier attempt or step had opened it (found by its marker). */
  created: boolean;
  /** The create's answer was lost, and the window was found by its marker before a retry. */
  recovered: boolean;
  /** Other windows of the same key (two legs that created at the same moment): the end step ends them all. */
  others: string[];
  notes: string[];
}

/**
 * The window of `marker`: the one already open (active or upcoming), or a new one created from
 * `payload`, whose name must end with the marker. A create whose answer is lost is retried only
 * after the lists show no window of the marker; one that does is the window.
 */
export async function openWindow(client: IncidentIoClient, payload: WindowPayload, marker: string): Promise<Opened> {
  if (!carriesMarker(payload.name, marker)) throw new Error(`A window's name must end with its marker ${marker}.`);
  const search = await findOurWindows(client, marker, client.now());
  const [existing, ...rest] = search.ours;
  if (existing) {
    return {
      window: await readWindow(client, existing.id),
      created: false,
      recovered: false,
      others: rest.map((w) => w.id),
      notes: search.notes,
    };
  }
  let found: Search['ours'][number] | undefined;
  const landed = async () => {
    found = (await findOurWindows(client, marker, client.now())).ours[0];
    return found !== undefined;
  };
  let response;
  try {
    response = await client.post<unknown>(WINDOWS_PATH, payload, landed);
  } catch (error) {
    throw mayHaveOpened(error, marker);
  }
  if (response.landed && found) {
    return { window: await readWindow(client, found.id), created: true, recovered: true, others: [], notes: search.notes };
  }
  const answer = check(ONE_WINDOW, response.body);
  if (!answer.ok) {
    throw new AnswerError(
      `incident.io POST ${WINDOWS_PATH} answered ${response.status} with a window the action cannot read: ${describeProblems(answer.problems)}. ` +
        `It may have opened the window: re-running this step finds it by the marker ${JSON.stringify(marker)} at the end of its name, and opens no second one.`,
      answer.problems,
    );
  }
  const window = answer.value.maintenance_window;
  const notes = [...search.notes];
  if (!carriesMarker(window.name, marker)) {
    notes.push(
      `incident.io named the window ${JSON.stringify(window.name)}, without the marker ${JSON.stringify(marker)} at its end, so neither a re-run nor the end step can find it: ` +
        `it ends on its own at ${window.end_at}, or end it in incident.io.`,
    );
  }
  return { window, created: true, recovered: false, others: [], notes };
}

/**
 * A create whose answer never came (a lost connection, a timeout, a 5xx, a body cut short) may
 * have opened the window: the error says how to get it without a second one. A refusal (4xx
 * other than 408 and 429) opened nothing, and is left as it is.
 */
function mayHaveOpened(error: unknown, marker: string): unknown {
  if (!(error instanceof ApiError)) return error;
  const refused = error.status !== undefined && error.status >= 300 && error.status < 500 && error.status !== 408 && error.status !== 429;
  if (refused) return error;
  return new ApiError(
    `${error.message} incident.io may have opened the window before its answer was lost: re-running this step finds it by the marker ` +
      `${JSON.stringify(marker)} at the end of its name, and opens no second one.`,
    error.status,
    error.type,
    error.requestId,
    error.body,
  );
}

/** One window, read strictly: what a PUT sends back must be there, with its type. */
export async function readWindow(client: IncidentIoClient, windowId: string): Promise<MaintenanceWindow> {
  const path = `${WINDOWS_PATH}/${encodeURIComponent(windowId)}`;
  return expectShape(ONE_WINDOW, await client.get<unknown>(path), `incident.io GET ${path} answered`).maintenance_window;
}

// ── End ──────────────────────────────────────────────────────────────────────────────────────

export type EndOutcome =
  | {
      state: 'ended';
      /** The window as the PUT's answer has it. */
      window: MaintenanceWindow;
      /** The end time sent. */
      endAt: string;
      /** True when the window had not started yet, so it ends one second after its start. */
      beforeStart: boolean;
      /** Fields the read had that the action does not know how to send back (a PUT may have reset them). */
      unknownFields: string[];
    }
  | { state: 'already-ended'; window: MaintenanceWindow }
  | { state: 'archived'; window: MaintenanceWindow };

/**
 * Ends the window now: read, converted, sent back with only `end_at` changed, to the earlier of
 * now and its current end (never later), and not before one second after its start (the API
 * refuses an end before the start). The answer must show the new end; a window that ended
 * already, or was archived, is left alone.
 */
export async function endWindow(client: IncidentIoClient, windowId: string): Promise<EndOutcome> {
  const path = `${WINDOWS_PATH}/${encodeURIComponent(windowId)}`;
  const read = await client.get<unknown>(path);
  const window = expectShape(ONE_WINDOW, read, `incident.io GET ${path} answered`).maintenance_window;
  if (window.archived_at !== undefined) return { state: 'archived', window };
  const { endAt, beforeStart, over } = endTime(window, client.now(), path);
  if (over) return { state: 'already-ended', window };
  const payload = updatePayload(window, endAt, path);
  const unknownFields =
    isRecord(read) && isRecord(read['maintenance_window'])
      ? Object.keys(read['maintenance_window']).filter((k) => !KNOWN_FIELDS.has(k))
      : [];
  const response = await client.request<unknown>('PUT', path, { body: payload });
  const answer = expectShape(ONE_WINDOW, response.body, `incident.io PUT ${path} answered ${response.status}`).maintenance_window;
  const answeredEnd = Date.parse(answer.end_at);
  if (!(answeredEnd <= Date.parse(endAt) + 1000)) {
    throw new ApiError(
      `incident.io PUT ${path} answered with the window ending at ${JSON.stringify(answer.end_at)}, not at ${endAt} as asked, ` +
        'so it is not known to have ended: it holds its alerts until its end.',
    );
  }
  return { state: 'ended', window: answer, endAt, beforeStart, unknownFields };
}

/**
 * When a window that is still to end ends if ended at `now`: the earlier of now and its current
 * end (never later), and not before one second after its start, since the API refuses an end
 * before the start (a window opened by a runner whose clock was ahead has not started yet).
 * `over` when it has ended already.
 */
export function endTime(
  window: Pick<MaintenanceWindow, 'start_at' | 'end_at'>,
  now: number,
  path = WINDOWS_PATH,
): { endAt: string; beforeStart: boolean; over: boolean } {
  const end = Date.parse(window.end_at);
  const start = Date.parse(window.start_at);
  if (Number.isNaN(end) || Number.isNaN(start)) {
    throw new ApiError(
      `incident.io GET ${path} answered with a window whose start_at or end_at is not a time (${JSON.stringify(window.start_at)}, ${JSON.stringify(window.end_at)}), ` +
        'so the action cannot tell when to end it.',
    );
  }
  const beforeStart = now <= start;
  const endAt = new Date(beforeStart ? Math.min(start + 1000, end) : Math.min(now, end)).toISOString();
  return { endAt, beforeStart, over: end <= now };
}

/**
 * The window as a PUT body: every field it has, converted from the read shapes, with `end_at`
 * replaced. A lead that is not a user (an API key, a workflow) cannot be sent back: the PUT
 * would have to change it, so the window is not ended by the action.
 */
export function updatePayload(window: MaintenanceWindow, endAt: string, path = `${WINDOWS_PATH}/${window.id}`): WindowPayload {
  const leadId = window.lead.user?.id;
  if (leadId === undefined) {
    throw new ApiError(
      `incident.io GET ${path} answered with a window whose lead is not a user, and a PUT replaces the whole window with a user as its lead: ` +
        `the action does not end it, since that would change its lead. It ends on its own at ${window.end_at}; to end it sooner, end it in incident.io.`,
    );
  }
  const payload: WindowPayload = {
    name: window.name,
    lead: { id: leadId },
    start_at: window.start_at,
    end_at: endAt,
    show_in_sidebar: window.show_in_sidebar,
    alert_condition_groups: window.alert_condition_groups.map((group) => ({
      conditions: group.conditions.map((condition) => ({
        subject: condition.subject.reference,
        operation: condition.operation.value,
        param_bindings: condition.param_bindings.map(bindingPayload),
      })),
    })),
    reroute_on_end: window.reroute_on_end,
    resolve_on_end: window.resolve_on_end,
  };
  if (window.incident_id !== undefined) payload.incident_id = window.incident_id;
  if (window.notification_message !== undefined) payload.notification_message = window.notification_message;
  if (window.notify_channels !== undefined) {
    payload.notify_channels = window.notify_channels.map(({ channel_id, channel_type, channel_name }) => ({
      channel_id,
      channel_type,
      ...(channel_name !== undefined && { channel_name }),
    }));
  }
  if (window.notify_start_minutes_before !== undefined) payload.notify_start_minutes_before = window.notify_start_minutes_before;
  if (window.notify_end_minutes_before !== undefined) payload.notify_end_minutes_before = window.notify_end_minutes_before;
  if (window.escalation_targets !== undefined) {
    payload.escalation_targets = window.escalation_targets.map((target) => ({
      ...(target.escalation_paths !== undefined && { escalation_paths: bindingPayload(target.escalation_paths) }),
      ...(target.users !== undefined && { users: bindingPayload(target.users) }),
    }));
  }
  return payload;
}

type BindingRead = Infer<typeof BINDING_READ>;
type ValueRead = Infer<typeof VALUE_READ>;

function bindingPayload(binding: BindingRead): ParamBindingPayload {
  return {
    ...(binding.value !== undefined && { value: valuePayload(binding.value) }),
    ...(binding.array_value !== undefined && { array_value: binding.array_value.map(valuePayload) }),
  };
}

function valuePayload(value: ValueRead): BindingValuePayload {
  return {
    ...(value.literal !== undefined && { literal: value.literal }),
    ...(value.reference !== undefined && { reference: value.reference }),
  };
}

/**
 * A window's groups in words, from incident.io's own labels (what it understood):
 * `"Alert → Service" is one of "Checkout", "Payments"`. Labels are text the action does not own,
 * quoted; a value without a label is shown as sent.
 */
export function windowConditionWords(groups: readonly ConditionGroupRead[]): string[] {
  return groups.map((group) =>
    group.conditions
      .map((condition) => {
        const values = condition.param_bindings
          .flatMap((binding) => [binding.value, ...(binding.array_value ?? [])])
          .filter((value): value is ValueRead => value !== undefined)
          .map((value) => JSON.stringify(value.label ?? value.literal ?? value.reference ?? ''));
        const subject = JSON.stringify(condition.subject.label ?? condition.subject.reference);
        const operation = condition.operation.label ?? condition.operation.value.replace(/_/g, ' ');
        return `${subject} ${operation}${values.length > 0 ? ` ${values.join(', ')}` : ''}`;
      })
      .join(' and '),
  );
}
