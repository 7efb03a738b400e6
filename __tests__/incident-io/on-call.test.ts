/**
 * Who is on call, on the source with fake answers (src/incident-io/on-call.ts): the final entries
 * (an override's user, not the rotation's) that cover the moment, in the order their entries
 * started, each person once; the cursor passed back as `entry_window_start` and never followed as
 * a URL; a stop rule for cursors that loop; and `on-call:` as a role's assignee.
 */
import { InputError } from '../../src/core/errors.js';
import { ENTRY_WINDOW_MS, MAX_ENTRY_PAGES, onCallLead, resolveSchedule, whoIsOnCall } from '../../src/incident-io/on-call.js';
import { AnswerError } from '../../src/core/shape.js';
import { parseOnCallAssignee } from '../../src/settings/changes.js';
import { FakeClock, json, scriptedFetch, testClient, type Reply } from '../helpers/fakes.js';

const AT = Date.parse('2026-11-26T03:00:00Z');
const hours = (n: number) => new Date(AT + n * 3_600_000).toISOString();
const user = (id: string, name: string, extra: Record<string, unknown> = {}) => ({ id, name, role: 'responder', ...extra });
const alice = user('01ALICE', 'Alice', { email: 'alice@example.com', slack_user_id: 'U0ALICE' });
const bob = user('01BOB', 'Bob', { email: 'bob@example.com', slack_user_id: 'U0BOB' });
const olivia = user('01OLIVIA', 'Olivia Override', { email: 'olivia@example.com', slack_user_id: 'U0OLIVIA' });
const entry = (u: unknown, from: number, to: number, extra: Record<string, unknown> = {}) => ({
  start_at: hours(from),
  end_at: hours(to),
  ...(u !== undefined && { user: u }),
  ...extra,
});
const entries = (lists: { final?: unknown[]; scheduled?: unknown[]; overrides?: unknown[] }, after?: string) =>
  json(200, {
    schedule_entries: { scheduled: lists.scheduled ?? [], overrides: lists.overrides ?? [], final: lists.final ?? [] },
    ...(after !== undefined && {
      pagination_meta: { after, after_url: `https://trap.example/v2/schedule_entries?entry_window_start=${after}` },
    }),
  });
const params = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe('whoIsOnCall', () => {
  it('asks for a window around the moment and reports the override, not the rotation it covers', async () => {
    const fetch = scriptedFetch([
      entries({
        scheduled: [entry(alice, -1, 23)],
        overrides: [entry(olivia, -1, 11)],
        final: [entry(olivia, -1, 11)],
      }),
    ]);
    const onCall = await whoIsOnCall(testClient(fetch), '01SCHED', AT);
    expect(onCall.users).toEqual([{ id: '01OLIVIA', name: 'Olivia Override', email: 'olivia@example.com', slack_user_id: 'U0OLIVIA' }]);
    expect(params(fetch.calls[0]!.url)).toEqual({
      schedule_id: '01SCHED',
      entry_window_start: new Date(AT - ENTRY_WINDOW_MS).toISOString(),
      entry_window_end: new Date(AT + ENTRY_WINDOW_MS).toISOString(),
    });
  });

  it('keeps only the final entries that cover the moment: an entry that ends at it is over, one that starts at it has begun', async () => {
    const fetch = scriptedFetch([
      entries({ final: [entry(alice, -5, 0), entry(bob, 0, 5), entry(olivia, 0.01, 2), entry(user('01X', 'Ended'), -3, -0.01)] }),
    ]);
    expect((await whoIsOnCall(testClient(fetch), '01S', AT)).users.map((u) => u.id)).toEqual(['01BOB']);
  });

  it('orders people by when their entry started, then by entry order, each once', async () => {
    const frank = user('01FRANK', 'Frank');
    const fetch = scriptedFetch([
      entries({ final: [entry(bob, -2, 5), entry(frank, -3, 1), entry(alice, -2, 4), entry(frank, -1, 2), entry(olivia, -6, 6)] }),
    ]);
    expect((await whoIsOnCall(testClient(fetch), '01S', AT)).users.map((u) => u.name)).toEqual([
      'Olivia Override',
      'Frank',
      'Bob',
      'Alice',
    ]);
  });

  it('passes the cursor back as entry_window_start with the end unchanged, never fetching the after_url it was given', async () => {
    const fetch = scriptedFetch([entries({ final: [entry(alice, -1, 1)] }, 'cursor-1'), entries({ final: [entry(bob, -2, 2)] })]);
    const onCall = await whoIsOnCall(testClient(fetch), '01S', AT);
    expect(onCall.users.map((u) => u.id)).toEqual(['01BOB', '01ALICE']);
    expect(fetch.calls.map((c) => new URL(c.url).origin)).toEqual(['https://api.incident.io', 'https://api.incident.io']);
    expect(params(fetch.calls[1]!.url)).toEqual({
      schedule_id: '01S',
      entry_window_start: 'cursor-1',
      entry_window_end: new Date(AT + ENTRY_WINDOW_MS).toISOString(),
    });
    expect(onCall).toMatchObject({ complete: true, pages: 2 });
  });

  it('stops at a cursor that loops, at an empty page that still has one, and at its page limit (saying so)', async () => {
    const looping = scriptedFetch([entries({ final: [entry(alice, -1, 1)] }, 'c1'), entries({ final: [entry(alice, -1, 1)] }, 'c1')]);
    expect(await whoIsOnCall(testClient(looping), '01S', AT)).toMatchObject({ complete: true, pages: 2, users: [{ id: '01ALICE' }] });
    const endless = scriptedFetch([entries({ final: [entry(alice, -1, 1)] }, 'c1'), entries({}, 'c2')]);
    expect(await whoIsOnCall(testClient(endless), '01S', AT)).toMatchObject({ complete: true, pages: 2 });
    let n = 0;
    const fresh: Reply = () => entries({ scheduled: [entry(alice, 5, 6)] }, `c${++n}`);
    const capped = scriptedFetch(Array.from({ length: MAX_ENTRY_PAGES + 3 }, () => fresh));
    expect(await whoIsOnCall(testClient(capped), '01S', AT)).toMatchObject({ complete: false, pages: MAX_ENTRY_PAGES, users: [] });
    expect(capped.calls).toHaveLength(MAX_ENTRY_PAGES);
  });

  it('reports nobody for a schedule with no one on call, and skips a shift nobody holds', async () => {
    expect((await whoIsOnCall(testClient(scriptedFetch([entries({})])), '01S', AT)).users).toEqual([]);
    const unheld = scriptedFetch([entries({ final: [entry(undefined, -1, 1)] })]);
    expect((await whoIsOnCall(testClient(unheld), '01S', AT)).users).toEqual([]);
  });

  it('refuses entries it cannot read, naming the request and the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ schedule_entries: null }, /schedule_entries is null/],
      [{ schedule_entries: { final: {} } }, /schedule_entries\.final is an object where a list is expected/],
      [
        { schedule_entries: { final: [{ start_at: hours(-1), end_at: hours(1), user: { name: 'no id' } }] } },
        /final\[0\]\.user\.id is missing/,
      ],
      [
        { schedule_entries: { final: [{ start_at: 'yesterday', end_at: hours(1), user: alice }] } },
        /final\[0\]\.start_at is text that is not a time/,
      ],
    ];
    for (const [body, message] of cases) {
      const attempt = whoIsOnCall(testClient(scriptedFetch([json(200, body)])), '01S', AT);
      await expect(attempt).rejects.toThrow(AnswerError);
      await expect(whoIsOnCall(testClient(scriptedFetch([json(200, body)])), '01S', AT)).rejects.toThrow(message);
    }
    await expect(
      whoIsOnCall(testClient(scriptedFetch([json(200, { schedule_entries: { final: [] } })])), '01S', AT),
    ).resolves.toMatchObject({
      users: [],
    });
  });
});

describe('schedules by name', () => {
  const pages = {
    items: [
      { id: '01DBA', name: 'Database' },
      { id: '01DBB', name: 'Database' },
      { id: '01PP', name: 'Platform Primary' },
    ],
    complete: true,
    pages: 1,
  };

  it('resolves a name in any case, refuses an unknown one with a suggestion and a shared one with the IDs', () => {
    expect(resolveSchedule('schedule', 'platform primary', pages).id).toBe('01PP');
    expect(() => resolveSchedule('schedule', 'Platform Primry', pages)).toThrow(
      'Input "schedule" is "Platform Primry", which is not a schedule in this incident.io workspace. Available: "Database", "Database", "Platform Primary". Did you mean "Platform Primary"?',
    );
    expect(() => resolveSchedule('schedule', 'DATABASE', pages)).toThrow('use one of their IDs: Database = 01DBA, Database = 01DBB.');
  });
});

describe('on-call as a role assignee', () => {
  it('reads the prefix in any case, with or without the space after it', () => {
    expect(parseOnCallAssignee('Incident Lead', 'on-call:Platform Primary')).toBe('Platform Primary');
    expect(parseOnCallAssignee('Incident Lead', 'On-Call: Platform Primary')).toBe('Platform Primary');
    expect(parseOnCallAssignee('Incident Lead', 'ON-CALL:01PP')).toBe('01PP');
    expect(parseOnCallAssignee('Incident Lead', 'alice@example.com')).toBeUndefined();
    expect(parseOnCallAssignee('Incident Lead', 'oncall:Platform')).toBeUndefined();
    expect(() => parseOnCallAssignee('Incident Lead', 'on-call:  ')).toThrow(InputError);
    expect(() => parseOnCallAssignee('Incident Lead', 'on-call:')).toThrow(/names no schedule/);
  });

  const schedules = () => json(200, { schedules: [{ id: '01PP', name: 'Platform Primary' }], pagination_meta: { page_size: 100 } });

  it('gives the first person on call', async () => {
    const fetch = scriptedFetch([schedules(), entries({ final: [entry(bob, -1, 2), entry(olivia, -2, 2)] })]);
    const lead = await onCallLead(testClient(fetch, { clock: new FakeClock(AT) }), 'Incident Lead', 'platform primary', AT);
    expect(lead).toEqual({ schedule: { id: '01PP', name: 'Platform Primary' }, user: expect.objectContaining({ id: '01OLIVIA' }) });
  });

  it('refuses an unknown schedule as an input error (before any write)', async () => {
    const lead = onCallLead(testClient(scriptedFetch([schedules()])), 'Incident Lead', 'Platfrom Primary', AT);
    await expect(lead).rejects.toThrow('Input "roles" is "Platfrom Primary", which is not a schedule');
  });

  it('warns, and assigns no one, when nobody is on call or the schedule cannot be read', async () => {
    const nobody = await onCallLead(testClient(scriptedFetch([schedules(), entries({})])), 'Incident Lead', 'Platform Primary', AT);
    expect(nobody).toEqual({
      schedule: { id: '01PP', name: 'Platform Primary' },
      warning: 'The role "Incident Lead" was left unassigned: nobody is on call on the schedule "Platform Primary" (01PP) now.',
    });
    const policy = { maxAttempts: 2, maxServerDirectedAttempts: 5, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 1000 };
    const broken = await onCallLead(
      testClient(scriptedFetch([schedules(), json(500, {}), json(500, {})]), { policy }),
      'Incident Lead',
      'Platform Primary',
      AT,
    );
    expect(broken).toMatchObject({
      warning: expect.stringMatching(
        /^The role "Incident Lead" was left unassigned: who is on call on the schedule "Platform Primary" could not be read\. incident\.io GET \/v2\/schedule_entries answered 500/,
      ),
    });
    const unreadable = await onCallLead(testClient(scriptedFetch([json(403, {})])), 'Incident Lead', 'Platform Primary', AT);
    expect(unreadable).toMatchObject({ warning: expect.stringContaining('the schedules could not be read to find "Platform Primary"') });
    const malformed = await onCallLead(
      testClient(scriptedFetch([schedules(), json(200, { schedule_entries: [] })])),
      'Incident Lead',
      '01PP',
      AT,
    );
    expect(malformed).toMatchObject({ warning: expect.stringContaining('could not be read') });
  });
});
