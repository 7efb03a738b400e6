/**
 * The incident behind an alert (`wait-for-incident`): polling on a fake clock until the route has
 * opened an incident or the wait ends, the alerts that are not this event's, the outputs, the
 * notice and the warnings that keep the step green, the wait's own deadline, and the inputs.
 */
import { readRunContext } from '../../../src/github/context.js';
import type { Fetch } from '../../../src/core/fetch.js';
import {
  alertNotBefore,
  describeLookups,
  incidentWait,
  parseWait,
  readAlertIncidentInputs,
  reportAlertIncident,
  type AlertIncidentContext,
  type SentEvent,
} from '../../../src/jobs/alert/wait-for-incident.js';
import { Output } from '../../../src/output/output.js';
import { Redactor } from '../../../src/core/redact.js';
import { Mistakes } from '../../../src/settings/mistakes.js';
import { outputsOf } from '../../../src/settings/inputs.js';
import { FakeClock, fakeCore, json, pushContext } from '../../helpers/fakes.js';

const API_KEY = 'inc_live_0123456789abcdef';
const ALERT_TOKEN = 'alert-token-0123456789abcdef';
const SOURCE = '01ALERTSOURCE';
const DEDUP = 'github-actions/acme/shop/Deploy/refs/heads/main';
const ENV = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_STEP_SUMMARY: '/tmp/summary.md' };
const T0 = Date.parse('2026-11-26T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const alert = (over: Record<string, unknown> = {}) => ({
  id: '01ALERTNEW',
  title: 'Deploy failed',
  alert_source_id: SOURCE,
  deduplication_key: DEDUP,
  status: 'firing',
  created_at: iso(T0 + 300),
  updated_at: iso(T0 + 300),
  ...over,
});
const INCIDENT = { id: '01INCIDENT', reference: 'INC-9', name: 'Deploy failed', permalink: 'https://app.incident.io/acme/incidents/9' };

interface Options {
  alerts?: unknown[];
  /** The link to the incident appears at this clock time (never, when undefined). */
  linkedAt?: number;
  reply?: (path: string) => Response | undefined;
}

function api(clock: FakeClock, { alerts = [alert()], linkedAt, reply }: Options = {}) {
  const calls: { path: string; query: URLSearchParams; authorization: string; at: number }[] = [];
  const fetch: Fetch = async (raw, init) => {
    const url = new URL(raw);
    const authorization = (init.headers as Record<string, string>)['Authorization']!;
    calls.push({ path: url.pathname, query: url.searchParams, authorization, at: clock.now() });
    const replaced = reply?.(url.pathname);
    if (replaced) return replaced;
    if (url.pathname === '/v2/alerts') return json(200, { alerts, pagination_meta: { page_size: 25 } });
    if (url.pathname === '/v2/incident_alerts') {
      const linked = linkedAt !== undefined && clock.now() >= linkedAt;
      const links = [
        { id: 'l-other', alert: { id: '01ALERTOTHER' }, incident: { id: '01WRONG', reference: 'INC-1', name: 'x' } },
        ...(linked
          ? [
              {
                id: 'l1',
                alert: { id: url.searchParams.get('alert_id') },
                incident: { id: INCIDENT.id, reference: 'INC-9', name: 'Deploy failed' },
              },
            ]
          : []),
      ];
      return json(200, { incident_alerts: links, pagination_meta: { page_size: 25 } });
    }
    if (url.pathname === `/v2/incidents/${INCIDENT.id}`) return json(200, { incident: INCIDENT });
    throw new Error(`unexpected ${url.pathname}`);
  };
  return { fetch, calls };
}

const sent = (over: Partial<SentEvent> = {}): SentEvent => ({
  status: 'firing',
  alertSourceId: SOURCE,
  deduplicationKey: DEDUP,
  sentAt: T0 - 200,
  receivedAt: T0,
  serverDate: T0,
  ...over,
});

async function report(waitForIncident: number, options: Options = {}, event = sent(), apiKey = API_KEY, noSecrets?: string) {
  const clock = new FakeClock(T0);
  const server = api(clock, options);
  const core = fakeCore({});
  const redactor = new Redactor([API_KEY, ALERT_TOKEN]);
  const ctx: AlertIncidentContext = {
    out: new Output(core.core, redactor, ENV, outputsOf('alert')),
    redactor,
    env: ENV,
    clock,
    fetch: server.fetch,
    settings: { job: 'alert', dryRun: false, apiUrl: 'https://api.incident.io', apiKey, waitForIncident },
    run: readRunContext(pushContext, ENV),
    deadline: { at: T0 + 1_000, name: 'the write deadline, nearly spent by the send' },
    noSecrets,
  };
  const card = await reportAlertIncident(ctx, event);
  const lines = (level: string) => core.log.filter((l) => l.level === level).map((l) => l.message);
  return { card, core, clock, calls: server.calls, lines };
}

describe('reportAlertIncident', () => {
  it('polls until the route has opened the incident, then sets the outputs (wait 10 s, incident 2 s later)', async () => {
    const r = await report(10, { linkedAt: T0 + 2_000 });
    expect(r.core.outputs).toEqual({
      'alert-id': '01ALERTNEW',
      'incident-id': '01INCIDENT',
      'incident-reference': 'INC-9',
      'incident-url': 'https://app.incident.io/acme/incidents/9',
      'incident-name': 'Deploy failed',
    });
    // Polls at 0, 1 s and 3 s: the alert is read once, its incidents each time.
    expect(r.calls.map((c) => c.path)).toEqual([
      '/v2/alerts',
      '/v2/incident_alerts',
      '/v2/incident_alerts',
      '/v2/incident_alerts',
      '/v2/incidents/01INCIDENT',
    ]);
    expect(r.clock.now()).toBe(T0 + 3_000);
    expect(r.lines('info')).toContain(
      'The alert 01ALERTNEW is attached to incident INC-9: Deploy failed https://app.incident.io/acme/incidents/9.',
    );
    expect(r.lines('notice')).toEqual([]);
    expect(r.card.map(([label]) => label)).toEqual(['Alert', 'Incident']);
  });

  it('asks for firing alerts of this key and source, and sends only the API key, only to the API', async () => {
    const r = await report(5, { linkedAt: T0 });
    const [list] = r.calls;
    expect(Object.fromEntries(list!.query)).toEqual({
      'deduplication_key[is]': DEDUP,
      'status[one_of]': 'firing',
      'alert_source[one_of]': SOURCE,
      page_size: '25',
    });
    expect(r.calls.every((c) => c.authorization === `Bearer ${API_KEY}`)).toBe(true);
  });

  it("takes only this event's alert: of this source and key, firing, created after the send, the newest", async () => {
    const alerts = [
      alert({ id: '01OTHERSOURCE', alert_source_id: '01SOMEONEELSE', created_at: iso(T0 + 900) }),
      alert({ id: '01OTHERKEY', deduplication_key: `${DEDUP}-api`, created_at: iso(T0 + 900) }),
      alert({ id: '01RESOLVED', status: 'resolved', created_at: iso(T0 + 900) }),
      alert({ id: '01YESTERDAY', created_at: iso(T0 - 86_400_000) }),
      alert({ id: '01OLDER', created_at: iso(T0 + 100) }),
      alert({ id: '01ALERTNEW', created_at: iso(T0 + 500) }),
    ];
    const r = await report(5, { alerts, linkedAt: T0 });
    expect(r.core.outputs['alert-id']).toBe('01ALERTNEW');
    expect(r.calls[1]!.query.get('alert_id')).toBe('01ALERTNEW');
  });

  it('keeps the outputs empty, with one notice, when no incident comes within the wait; it ends with the wait', async () => {
    const r = await report(10, {});
    expect(r.core.outputs).toEqual({
      'alert-id': '01ALERTNEW',
      'incident-id': '',
      'incident-reference': '',
      'incident-url': '',
      'incident-name': '',
    });
    expect(r.lines('notice')).toEqual([
      'incident.io recorded the alert (01ALERTNEW), but no alert route had opened an incident for it, or attached it to one, within 10 s, so the incident outputs are empty. ' +
        'The alert\'s routes decide whether it opens an incident; a longer "wait-for-incident" (up to 60) waits for a slower one.',
    ]);
    // The last poll starts 2 s before the wait ends, so its requests end inside it.
    expect(r.calls.at(-1)!.at).toBe(T0 + 8_000);
    expect(r.clock.now()).toBeLessThanOrEqual(T0 + 10_000);
    expect(r.lines('warning')).toEqual([]);
  });

  it('says when incident.io had not even recorded a new alert (an older firing one takes the event in)', async () => {
    const r = await report(3, { alerts: [alert({ created_at: iso(T0 - 60_000) })] });
    expect(r.lines('notice')).toEqual([
      expect.stringMatching(
        /^incident.io had not recorded a new firing alert for the event within 3 s \(an event whose key matches an alert that was already firing joins that older alert, which this step does not report\), so the incident outputs are empty/,
      ),
    ]);
    expect(r.core.outputs['alert-id']).toBe('');
    expect(r.calls.every((c) => c.path === '/v2/alerts')).toBe(true);
  });

  it('warns, naming the scope and the input, on a 403, and the step stays green', async () => {
    const r = await report(10, {
      reply: (path) => (path === '/v2/alerts' ? json(403, { type: 'forbidden', errors: [{ message: 'no' }] }) : undefined),
    });
    expect(r.lines('error')).toEqual([]);
    expect(r.lines('warning')).toEqual([
      expect.stringMatching(
        /^The alert was sent, but the action could not look up the incident behind it, so the incident outputs are empty: .*"alerts\.view".*"wait-for-incident"/,
      ),
    ]);
    expect(r.core.outputs['incident-id']).toBe('');
    expect(r.card).toEqual([['Incident', expect.anything()]]);
  });

  it('warns on an answer it cannot read, instead of failing the step', async () => {
    const r = await report(10, { reply: (path) => (path === '/v2/incident_alerts' ? json(200, { incident_alerts: 'soon' }) : undefined) });
    expect(r.lines('warning')[0]).toMatch(/incident_alerts is text where a list is expected/);
  });

  it('has its own deadline after the send (the wait, not the spent write deadline), and no request outlives it', async () => {
    const late = await report(10, { linkedAt: T0 + 8_000 });
    expect(late.core.outputs['incident-id']).toBe('01INCIDENT');
    const limited = await report(10, {
      reply: (path) =>
        path === '/v2/incident_alerts'
          ? json(429, { type: 'rate_limited', errors: [{ message: 'slow down' }] }, { 'retry-after': '100' })
          : undefined,
    });
    expect(limited.lines('warning')[0]).toMatch(/waiting \d+ s more would pass the 10 s wait for the alert's incident/);
    expect(limited.clock.now()).toBeLessThanOrEqual(T0 + 10_000);
  });

  it('makes no lookups for a resolved event, or with wait-for-incident 0', async () => {
    for (const [wait, event] of [
      [10, sent({ status: 'resolved' })],
      [0, sent()],
    ] as const) {
      const r = await report(wait, { linkedAt: T0 }, event);
      expect(r.calls).toEqual([]);
      expect(r.core.outputs).toEqual({});
      expect(r.card).toEqual([]);
    }
  });

  it('says, on a run GitHub gives no secrets, that the empty key made it look nothing up', async () => {
    const r = await report(10, { linkedAt: T0 }, sent(), '', 'this run is for a pull request from a fork');
    expect(r.calls).toEqual([]);
    expect(r.lines('notice')).toEqual([
      'The alert was sent, but "api-key" is empty because this run is for a pull request from a fork, and GitHub gives such runs no secrets, ' +
        'so "wait-for-incident" looked nothing up and the incident outputs are empty.',
    ]);
    expect(r.core.outputs['incident-id']).toBe('');
  });

  it("counts an alert as this event's from a round trip before the answer's Date, on incident.io's clock", () => {
    expect(alertNotBefore(sent())).toBe(T0 - 200 - 2_000);
    expect(alertNotBefore(sent({ serverDate: T0 + 60_000 }))).toBe(T0 + 60_000 - 200 - 2_000);
    expect(alertNotBefore(sent({ serverDate: undefined }))).toBe(T0 - 200 - 2_000);
  });

  it('sets the wait from now: its last poll 2 s (at most a quarter of it) before its end, which is the deadline of every lookup', () => {
    const clock = new FakeClock(T0);
    expect(incidentWait(clock, 60)).toEqual({
      until: T0 + 58_000,
      deadline: { at: T0 + 60_000, name: "the 60 s wait for the alert's incident" },
    });
    // A short wait keeps a quarter of itself for the last poll.
    expect(incidentWait(clock, 4).until).toBe(T0 + 3_000);
    expect(incidentWait(clock, 1).until).toBe(T0 + 750);
  });

  it("describes a dry run's lookups, the key URL-encoded", () => {
    expect(describeLookups('https://api.incident.io', SOURCE, 'a&b', 10)).toBe(
      'Dry run: after a real send, "wait-for-incident" would poll for up to 10 s, with "api-key": ' +
        'GET https://api.incident.io/v2/alerts?deduplication_key%5Bis%5D=a%26b&status%5Bone_of%5D=firing&alert_source%5Bone_of%5D=01ALERTSOURCE&page_size=25 ' +
        "(the newest firing alert created after the send), GET https://api.incident.io/v2/incident_alerts?alert_id=<that alert's ID>&page_size=25, " +
        "then GET https://api.incident.io/v2/incidents/<its incident's ID>.",
    );
  });
});

describe('readAlertIncidentInputs', () => {
  const read = (values: Record<string, string>, secretless = false) => {
    const mistakes = new Mistakes();
    const settings = readAlertIncidentInputs((name) => values[name] ?? '', mistakes, {
      secretless,
      alertToken: values['alert-token'] ?? ALERT_TOKEN,
    });
    return { settings, mistakes: mistakes.messages, faulty: [...mistakes.inputs] };
  };

  it('is off by default, and reads whole seconds up to 60 with a key', () => {
    expect(read({})).toEqual({ settings: { apiKey: '', waitForIncident: 0 }, mistakes: [], faulty: [] });
    expect(read({ 'api-key': API_KEY, 'wait-for-incident': '60' }).settings).toEqual({ apiKey: API_KEY, waitForIncident: 60 });
    expect(read({ 'api-key': API_KEY, 'wait-for-incident': ' 7 ' }).settings.waitForIncident).toBe(7);
  });

  it('refuses a wait without a key, and a key without a wait', () => {
    expect(read({ 'wait-for-incident': '10' })).toMatchObject({
      faulty: ['api-key'],
      mistakes: [expect.stringMatching(/^Input "wait-for-incident" is 10, which needs "api-key"/)],
    });
    expect(read({ 'api-key': API_KEY })).toMatchObject({
      faulty: ['api-key'],
      mistakes: [expect.stringMatching(/^Input "api-key" is set, but "wait-for-incident" is 0 \(off\)/)],
    });
    expect(read({ 'api-key': API_KEY, 'wait-for-incident': '0' }).faulty).toEqual(['api-key']);
  });

  it('takes an empty key on a run GitHub gives no secrets', () => {
    expect(read({ 'wait-for-incident': '10' }, true)).toEqual({ settings: { apiKey: '', waitForIncident: 10 }, mistakes: [], faulty: [] });
  });

  it('reports a malformed wait once, not again as a key without a wait', () => {
    expect(read({ 'api-key': API_KEY, 'wait-for-incident': '90' })).toMatchObject({ faulty: ['wait-for-incident'] });
  });

  it('refuses the alert token given as the API key, without repeating it', () => {
    const r = read({ 'api-key': ALERT_TOKEN, 'alert-token': ALERT_TOKEN, 'wait-for-incident': '10' });
    expect(r.faulty).toEqual(['api-key']);
    expect(r.mistakes).toEqual([expect.stringMatching(/^Input "api-key" has the same value as "alert-token"/)]);
    expect(r.mistakes.join('')).not.toContain(ALERT_TOKEN);
  });

  it.each(['61', '-1', '1.5', '10s', 'ten', ' 1 0', '1e1', '0x10'])('refuses %j', (raw) => {
    expect(() => parseWait(raw)).toThrow(
      /^Input "wait-for-incident" is .*; allowed values: a whole number of seconds from 0 \(off, the default\) to 60, such as "10"\.$/,
    );
  });
});
