/**
 * Maintenance windows opened exactly once and ended without being extended: the key and its
 * marker, the search (provably ours, state checked after the list), the lost create, the end as a
 * full replace converted from the read shapes, and the servers that misbehave.
 */
import { ApiError } from '../../src/core/errors.js';
import {
  carriesMarker,
  endTime,
  endWindow,
  findEndedWindow,
  findOurWindows,
  openWindow,
  updatePayload,
  windowConditionWords,
  windowKey,
  windowName,
  type MaintenanceWindow,
  type WindowPayload,
} from '../../src/incident-io/maintenance-windows.js';
import { FakeWindows } from '../helpers/fake-windows.js';
import { FakeClock, json, testClient } from '../helpers/fakes.js';

const parts = { repository: 'acme/shop', runId: 1001, maintenanceKey: '', conditions: '["alerts",[["01ATTR",["01ENTRY"]]]]' };
const KEY = windowKey(parts);

/** A client whose deadline outlasts the minutes a test moves the clock on. */
function setup() {
  const clock = new FakeClock();
  const server = new FakeWindows(clock);
  const client = testClient(server.fetch, { clock, deadlineMs: 86_400_000 });
  return { clock, server, client };
}

const payload = (clock: FakeClock, extra: Partial<WindowPayload> = {}): WindowPayload => ({
  name: windowName('Workflow "Deploy" in acme/shop@main, run #7', KEY.marker),
  lead: { id: '01USERALICE' },
  start_at: new Date(clock.now()).toISOString(),
  end_at: new Date(clock.now() + 30 * 60_000).toISOString(),
  show_in_sidebar: true,
  alert_condition_groups: [
    {
      conditions: [
        { subject: 'alert.attributes.01ATTR', operation: 'one_of', param_bindings: [{ array_value: [{ literal: '01ENTRY' }] }] },
      ],
    },
  ],
  reroute_on_end: true,
  resolve_on_end: false,
  ...extra,
});

describe('the key and its marker', () => {
  it('is short, readable, and the same for the same repository, run and conditions', () => {
    expect(KEY.marker).toMatch(/^\(GitHub Actions key [0-9a-f]{12}\)$/);
    expect(windowKey({ ...parts })).toEqual(KEY);
    expect(KEY.description).toBe('the alerts it holds, in run 1001 of acme/shop');
  });

  it('differs for another run, repository, conditions or maintenance key; a maintenance key ignores the conditions', () => {
    const markers = [
      KEY,
      windowKey({ ...parts, runId: 1002 }),
      windowKey({ ...parts, repository: 'acme/other' }),
      windowKey({ ...parts, conditions: '[]' }),
      windowKey({ ...parts, maintenanceKey: 'api' }),
      windowKey({ ...parts, maintenanceKey: 'api-eu' }),
    ].map((k) => k.marker);
    expect(new Set(markers).size).toBe(markers.length);
    expect(windowKey({ ...parts, maintenanceKey: 'api', conditions: 'other' }).marker).toBe(
      windowKey({ ...parts, maintenanceKey: 'api' }).marker,
    );
    expect(windowKey({ ...parts, maintenanceKey: 'api' }).description).toBe('maintenance-key "api", in run 1001 of acme/shop');
  });

  it('counts only in its exact place: the last words of the name', () => {
    expect(carriesMarker(windowName('Deploy', KEY.marker), KEY.marker)).toBe(true);
    expect(carriesMarker(`Copied from ${KEY.marker} by Bob`, KEY.marker)).toBe(false);
    expect(carriesMarker(`${KEY.marker}`, KEY.marker)).toBe(false);
    expect(carriesMarker(`Deploy ${KEY.marker} `, KEY.marker)).toBe(false);
    expect(carriesMarker(`Deploy${KEY.marker}`, KEY.marker)).toBe(false);
  });
});

describe('findOurWindows', () => {
  it('lists the active and the upcoming windows, one status a request, every page', async () => {
    const { server, client, clock } = setup();
    server.pageCap = 2;
    for (let i = 0; i < 5; i++) server.add({ name: `Someone else's window ${i}` });
    const mine = server.add({ name: windowName('Deploy', KEY.marker) });
    const upcoming = server.add({ name: windowName('Deploy later', KEY.marker), start_at: new Date(clock.now() + 5_000).toISOString() });
    const search = await findOurWindows(client, KEY.marker, clock.now());
    expect(search.ours.map((w) => w.id)).toEqual([mine.id, upcoming.id]);
    const statuses = server.calls.map((c) => [c.query.get('status'), c.query.get('page_size'), c.query.get('after') !== null]);
    expect(statuses).toEqual([
      ['active', '50', false],
      ['upcoming', '50', false],
      ['active', '50', true],
      ['active', '50', true],
    ]);
  });

  it('takes no window that quotes the marker elsewhere in its name', async () => {
    const { server, client, clock } = setup();
    server.add({ name: `Bob's window, like ${KEY.marker} but his` });
    server.add({ name: `${KEY.marker}` });
    expect((await findOurWindows(client, KEY.marker, clock.now())).ours).toEqual([]);
  });

  it('checks each window after the list: an ended or archived one from a server that ignores the filter is never ours to reuse', async () => {
    const { server, client, clock } = setup();
    server.ignoreStatus = true;
    const ended = server.add({ name: windowName('Deploy', KEY.marker), end_at: new Date(clock.now() - 1_000).toISOString() });
    const archived = server.add({ name: windowName('Deploy', KEY.marker), archived_at: new Date(clock.now()).toISOString() });
    const search = await findOurWindows(client, KEY.marker, clock.now());
    expect(search.ours).toEqual([]);
    expect(search.over.map((w) => w.id).sort()).toEqual([ended.id, archived.id].sort());
  });

  it('stops on a cursor that repeats, and leaves out (and counts) items it cannot read', async () => {
    const { server, client, clock } = setup();
    const page = () =>
      json(200, {
        maintenance_windows: [
          { id: '01A', name: windowName('x', KEY.marker), end_at: new Date(clock.now() + 60_000).toISOString() },
          { id: '01B' },
        ],
        pagination_meta: { after: '01A' },
      });
    server.replies.set('GET /v1/maintenance_windows', [page(), page(), page(), page(), page()]);
    const search = await findOurWindows(client, KEY.marker, clock.now());
    expect(search.ours.map((w) => w.id)).toEqual(['01A']);
    // Each status: the first page, then a page that hands back the same cursor, and no more.
    expect(server.calls).toHaveLength(4);
    expect(search.notes).toEqual(['4 listed maintenance window(s) lacked an ID, a name or an end time, and were left out of the search.']);
  });

  it('fails with the request named when the list is not a list', async () => {
    const { server, client, clock } = setup();
    server.replies.set('GET /v1/maintenance_windows', [json(200, { maintenance_windows: 'nope' }), json(200, { maintenance_windows: [] })]);
    await expect(findOurWindows(client, KEY.marker, clock.now())).rejects.toThrow(
      /incident.io GET \/v1\/maintenance_windows\?status=(active|upcoming) answered with a list the action cannot read: maintenance_windows is text where a list is expected/,
    );
  });
});

describe('openWindow', () => {
  it('creates a window when none of the key is open', async () => {
    const { server, client, clock } = setup();
    const opened = await openWindow(client, payload(clock), KEY.marker);
    expect(opened).toMatchObject({ created: true, recovered: false, others: [] });
    expect(server.windows).toHaveLength(1);
    expect(opened.window.id).toBe(server.windows[0]!.id);
    expect(server.calls.map((c) => c.method)).toEqual(['GET', 'GET', 'POST']);
  });

  it('reuses the open window of the key, created=false, and creates nothing', async () => {
    const { server, client, clock } = setup();
    const first = await openWindow(client, payload(clock), KEY.marker);
    clock.time += 60_000;
    const again = await openWindow(client, payload(clock), KEY.marker);
    expect(again).toMatchObject({ created: false, window: { id: first.window.id, end_at: first.window.end_at } });
    expect(server.windows).toHaveLength(1);
  });

  it('opens a new window when the one of the key is over (a re-run after the end), leaving that one as it was', async () => {
    const { server, client, clock } = setup();
    const first = await openWindow(client, payload(clock), KEY.marker);
    const ended = { ...server.windows[0]! };
    clock.time += 31 * 60_000;
    const again = await openWindow(client, payload(clock), KEY.marker);
    expect(again).toMatchObject({ created: true });
    expect(again.window.id).not.toBe(first.window.id);
    expect(server.windows[0]).toEqual(ended);
    expect(server.calls.filter((c) => c.method === 'PUT')).toEqual([]);
  });

  it('makes one window when the create took effect and its answer was lost: found by its marker before any retry', async () => {
    const { server, client, clock } = setup();
    server.loseNextCreate = true;
    const opened = await openWindow(client, payload(clock), KEY.marker);
    expect(opened).toMatchObject({ created: true, recovered: true });
    expect(server.windows).toHaveLength(1);
    expect(server.calls.map((c) => `${c.method} ${c.query.get('status') ?? c.path}`)).toEqual([
      'GET active',
      'GET upcoming',
      'POST /v1/maintenance_windows',
      'GET active',
      'GET upcoming',
      `GET /v1/maintenance_windows/${server.windows[0]!.id}`,
    ]);
  });

  it('retries a create that did not take effect, once the lists show no window', async () => {
    const { server, client, clock } = setup();
    server.replies.set('POST /v1/maintenance_windows', [json(503, { type: 'internal_error', errors: [{ message: 'down' }] })]);
    const opened = await openWindow(client, payload(clock), KEY.marker);
    expect(opened).toMatchObject({ created: true, recovered: false });
    expect(server.windows).toHaveLength(1);
    expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(2);
  });

  it('says how to get the window without a second one when the create may have landed and the answer never came', async () => {
    const clock = new FakeClock();
    const server = new FakeWindows(clock);
    const client = testClient(server.fetch, { clock, deadlineMs: 5_000 });
    server.replies.set(
      'POST /v1/maintenance_windows',
      Array.from({ length: 10 }, () => json(503, { type: 'internal_error', errors: [{ message: 'down' }] })),
    );
    await expect(openWindow(client, payload(clock), KEY.marker)).rejects.toThrow(
      /re-running this step finds it by the marker "\(GitHub Actions key [0-9a-f]{12}\)" at the end of its name, and opens no second one/,
    );
  });

  it('fails on a create answer it cannot read, naming the request, and saying a re-run finds the window', async () => {
    const { server, client, clock } = setup();
    server.replies.set('POST /v1/maintenance_windows', [json(201, { maintenance_window: { id: '01X' } })]);
    await expect(openWindow(client, payload(clock), KEY.marker)).rejects.toThrow(
      /^incident.io POST \/v1\/maintenance_windows answered 201 with a window the action cannot read: maintenance_window.name is missing.*re-running this step finds it/,
    );
  });

  it('warns when incident.io renamed the window so that its marker is gone', async () => {
    const { server, client, clock } = setup();
    const body = payload(clock);
    const created = (await new FakeWindows(clock)
      .fetch('https://x/v1/maintenance_windows', { method: 'POST', body: JSON.stringify(body) })
      .then((r) => r.json())) as { maintenance_window: { name: string } };
    created.maintenance_window.name = 'Workflow "Deploy" in acme/shop@main';
    server.replies.set('POST /v1/maintenance_windows', [json(201, created)]);
    const opened = await openWindow(client, body, KEY.marker);
    expect(opened.notes).toEqual([
      expect.stringMatching(/^incident.io named the window "Workflow \\"Deploy\\" in acme\/shop@main", without the marker/),
    ]);
  });
});

describe('endWindow', () => {
  async function opened(extra: Partial<WindowPayload> = {}) {
    const ctx = setup();
    const { window } = await openWindow(ctx.client, payload(ctx.clock, extra), KEY.marker);
    ctx.server.calls.length = 0;
    return { ...ctx, window };
  }

  it('sets end_at to now with a PUT of every field as it was, and sends no DELETE', async () => {
    const { server, client, clock, window } = await opened({
      incident_id: '01INCIDENT',
      notification_message: 'Deploying checkout',
      notify_channels: [{ channel_id: 'C01', channel_type: 'public', channel_name: 'deploys' }],
      notify_start_minutes_before: 5,
      resolve_on_end: true,
      reroute_on_end: false,
    });
    clock.time += 10 * 60_000;
    const outcome = await endWindow(client, window.id);
    expect(outcome.state).toBe('ended');
    const put = server.calls.find((c) => c.method === 'PUT')!;
    expect(put.body).toEqual({
      ...payload(new FakeClock()),
      ...{
        name: window.name,
        start_at: window.start_at,
        end_at: new Date(clock.now()).toISOString(),
        incident_id: '01INCIDENT',
        notification_message: 'Deploying checkout',
        notify_channels: [{ channel_id: 'C01', channel_type: 'public', channel_name: 'deploys' }],
        notify_start_minutes_before: 5,
        resolve_on_end: true,
        reroute_on_end: false,
      },
    });
    expect(server.calls.map((c) => c.method)).toEqual(['GET', 'PUT']);
    expect(server.windows[0]!.end_at).toBe(new Date(clock.now()).toISOString());
  });

  it('converts every read shape back: lead, subjects, operations, bindings without labels, escalation targets, channels without is_private', () => {
    const read = {
      id: '01W',
      name: 'n',
      start_at: '2026-11-26T12:00:00Z',
      end_at: '2026-11-26T12:30:00Z',
      lead: { user: { id: '01U', name: 'Alice', email: 'a@example.com', role: 'owner' } },
      alert_condition_groups: [
        {
          conditions: [
            {
              subject: { label: 'Alert → Title', reference: 'alert.title' },
              operation: { label: 'contains', value: 'contains' },
              param_bindings: [
                { value: { label: 'checkout', literal: 'checkout' } },
                { array_value: [{ label: 'X', reference: 'alert.attributes.01A' }] },
              ],
            },
          ],
        },
      ],
      escalation_targets: [{ users: { array_value: [{ label: 'Bob', literal: '01BOB' }] } }],
      notify_channels: [{ channel_id: 'C1', channel_type: 'public', is_private: false }],
      notify_end_minutes_before: 0,
      resolve_on_end: false,
      reroute_on_end: true,
      show_in_sidebar: false,
    } as unknown as MaintenanceWindow;
    expect(updatePayload(read, '2026-11-26T12:10:00.000Z')).toEqual({
      name: 'n',
      lead: { id: '01U' },
      start_at: '2026-11-26T12:00:00Z',
      end_at: '2026-11-26T12:10:00.000Z',
      show_in_sidebar: false,
      alert_condition_groups: [
        {
          conditions: [
            {
              subject: 'alert.title',
              operation: 'contains',
              param_bindings: [{ value: { literal: 'checkout' } }, { array_value: [{ reference: 'alert.attributes.01A' }] }],
            },
          ],
        },
      ],
      reroute_on_end: true,
      resolve_on_end: false,
      notify_channels: [{ channel_id: 'C1', channel_type: 'public' }],
      notify_end_minutes_before: 0,
      escalation_targets: [{ users: { array_value: [{ literal: '01BOB' }] } }],
    });
    expect(windowConditionWords(read.alert_condition_groups)).toEqual(['"Alert → Title" contains "checkout", "X"']);
  });

  it('never extends: the end is the earlier of now and the current end', () => {
    const window = { start_at: '2026-11-26T12:00:00Z', end_at: '2026-11-26T12:30:00Z' };
    expect(endTime(window, Date.parse('2026-11-26T12:10:00Z'))).toEqual({
      endAt: '2026-11-26T12:10:00.000Z',
      beforeStart: false,
      over: false,
    });
    expect(endTime(window, Date.parse('2026-11-26T12:30:00Z')).over).toBe(true);
    expect(endTime(window, Date.parse('2026-11-26T13:00:00Z')).endAt).toBe('2026-11-26T12:30:00.000Z');
  });

  it('ends a window that has not started yet one second after its start, never before it', () => {
    const window = { start_at: '2026-11-26T12:00:05Z', end_at: '2026-11-26T12:30:05Z' };
    expect(endTime(window, Date.parse('2026-11-26T12:00:00Z'))).toEqual({
      endAt: '2026-11-26T12:00:06.000Z',
      beforeStart: true,
      over: false,
    });
  });

  it('leaves a window that ended already (or was archived) alone, with no write', async () => {
    const { server, client, clock, window } = await opened();
    clock.time += 31 * 60_000;
    expect((await endWindow(client, window.id)).state).toBe('already-ended');
    server.windows[0]!.archived_at = new Date(clock.now()).toISOString();
    expect((await endWindow(client, window.id)).state).toBe('archived');
    expect(server.calls.map((c) => c.method)).toEqual(['GET', 'GET']);
  });

  it('names the fields it could not send back, which the full replace may have reset', async () => {
    const { server, client, window } = await opened();
    server.windows[0]!['quiet_hours'] = { from: '22:00' };
    const outcome = await endWindow(client, window.id);
    expect(outcome.state === 'ended' && outcome.unknownFields).toEqual(['quiet_hours']);
  });

  it('does not end a window whose lead is not a user: the PUT would have to change its lead', async () => {
    const { server, client, window } = await opened();
    server.windows[0]!['lead'] = { api_key: { id: 'k', name: 'CI key' } };
    await expect(endWindow(client, window.id)).rejects.toThrow(/whose lead is not a user.*It ends on its own at /);
    expect(server.calls.map((c) => c.method)).toEqual(['GET']);
  });

  it('fails when the answer shows the window still ending later: not known to have ended', async () => {
    const { server, client, window } = await opened();
    server.replies.set(`PUT /v1/maintenance_windows/${window.id}`, [json(200, { maintenance_window: { ...server.windows[0] } })]);
    await expect(endWindow(client, window.id)).rejects.toThrow(
      new RegExp(
        `answered with the window ending at "${window.end_at.replace(/[.]/g, '\\.')}", not at .* so it is not known to have ended`,
      ),
    );
  });

  it('fails, naming the request, on a window it cannot read, before writing', async () => {
    const { server, client, window } = await opened();
    server.windows[0]!['reroute_on_end'] = 'yes';
    const error = await endWindow(client, window.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as Error).message).toMatch(
      /^incident.io GET \/v1\/maintenance_windows\/\S+ answered with an answer the action cannot use: maintenance_window.reroute_on_end is text/,
    );
    expect(server.calls.map((c) => c.method)).toEqual(['GET']);
  });
});

describe('findEndedWindow', () => {
  it('finds a past window of the key among the first pages', async () => {
    const { server, client, clock } = setup();
    const past = server.add({
      name: windowName('Deploy', KEY.marker),
      start_at: new Date(clock.now() - 7_200_000).toISOString(),
      end_at: new Date(clock.now() - 3_600_000).toISOString(),
    });
    server.add({ name: 'Other' });
    expect(await findEndedWindow(client, KEY.marker)).toEqual({ window: expect.objectContaining({ id: past.id }), complete: true });
    expect(server.calls.map((c) => c.query.get('status'))).toEqual(['past']);
  });
});
