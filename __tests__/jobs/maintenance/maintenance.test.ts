/**
 * The maintenance job's story on the source, with fakes passed in: what start and end send, their
 * outputs, log and summary, the dry run a person can check by eye, the fork rule, every mistake in
 * one run, and the hostile text that reaches the log and the summary.
 */
import { InputError } from '../../../src/core/errors.js';
import type { Fetch } from '../../../src/core/fetch.js';
import { Redactor } from '../../../src/core/redact.js';
import { readRunContext } from '../../../src/github/context.js';
import { refuseInputs } from '../../../src/jobs/check.js';
import { recordingFetch } from '../../../src/jobs/job.js';
import { lookups } from '../../../src/jobs/maintenance/index.js';
import { maintenance, type MaintenanceContext } from '../../../src/jobs/maintenance/maintenance.js';
import { readJobInputs } from '../../../src/jobs/registry.js';
import { Output } from '../../../src/output/output.js';
import { outputsOf } from '../../../src/settings/inputs.js';
import { FakeWindows } from '../../helpers/fake-windows.js';
import { FakeClock, fakeCore, json, pushContext } from '../../helpers/fakes.js';

const KEY = 'inc_live_0123456789abcdef';
const ENV = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_STEP_SUMMARY: '/tmp/summary.md' };
const SERVICE = { id: '01ATTRSERVICE', name: 'Service', type: 'CatalogEntry["01CATSERVICE"]', array: false, required: false };
const ENTRIES = [
  { id: '01ENTRYCHECKOUT', name: 'Checkout', external_id: 'checkout', aliases: ['co'] },
  { id: '01ENTRYPAYMENTS', name: 'Payments', external_id: 'payments', aliases: [] },
];
const ALICE = { id: '01USERALICE', name: 'Alice Example', email: 'alice@example.com', role: 'responder' };

/** The workspace: maintenance windows (FakeWindows), alert attributes, the catalog, users and one incident. */
function workspace(clock: FakeClock, attributes: unknown[] = [SERVICE]) {
  const windows = new FakeWindows(clock);
  const fetch: Fetch = async (raw, init) => {
    const url = new URL(raw);
    if (url.pathname.startsWith('/v1/maintenance_windows')) return windows.fetch(raw, init);
    windows.calls.push({ method: init.method ?? 'GET', path: url.pathname, query: url.searchParams });
    const identifier = url.searchParams.get('identifier');
    switch (url.pathname) {
      case '/v2/alert_attributes':
        return json(200, { alert_attributes: attributes });
      case '/v3/catalog_entries':
        return json(200, {
          catalog_entries: ENTRIES.filter((e) => !identifier || [e.id, e.external_id, e.name, ...e.aliases].includes(identifier)),
        });
      case '/v2/users':
        return json(200, { users: url.searchParams.get('email') === 'alice@example.com' ? [ALICE] : [] });
      case '/v2/incidents/42':
        return json(200, {
          incident: {
            id: '01INCIDENT42',
            reference: 'INC-42',
            name: 'Checkout slow',
            permalink: 'https://app.incident.io/acme/incidents/42',
          },
        });
      default:
        return json(404, { type: 'not_found', errors: [{ message: `no ${url.pathname}` }] });
    }
  };
  return { windows, fetch };
}

const inputs = (values: Record<string, string>) => (name: string) => (values[name] ?? '').trim();
const START = { 'api-key': KEY, window: 'start', alerts: 'Service: [checkout, payments]', lead: 'alice@example.com' };

async function runJob(values: Record<string, string>, { clock = new FakeClock(), context = pushContext, space = workspace(clock) } = {}) {
  const read = await readJobInputs('maintenance', inputs(values));
  const core = fakeCore({});
  const redactor = new Redactor([KEY]);
  const out = new Output(core.core, redactor, ENV, outputsOf('maintenance'));
  const requests: string[] = [];
  const ctx: MaintenanceContext = {
    out,
    redactor,
    env: ENV,
    clock,
    fetch: read.settings.dryRun ? recordingFetch(space.fetch, requests) : space.fetch,
    settings: read.settings,
    run: readRunContext(context, ENV),
    deadline: { at: clock.now() + 120_000, name: 'the 120 s deadline' },
    requests,
  };
  let error: Error | undefined;
  try {
    if (read.mistakes.length > 0) await refuseInputs(ctx, read, lookups(read));
    else await maintenance(ctx);
  } catch (e) {
    error = e as Error;
  }
  const lines = (level: string) => core.log.filter((l) => l.level === level).map((l) => l.message);
  const summary = core.summaryParts.join('');
  return {
    ...space,
    clock,
    core,
    error,
    lines,
    summary,
    calls: space.windows.calls.map((c) => `${c.method} ${c.path}${c.query.get('status') ? `?status=${c.query.get('status')}` : ''}`),
  };
}

describe('window: start', () => {
  it('opens one window: now for 30 minutes, the alerts as catalog entry IDs, the lead by ID, rerouted on end, in the sidebar', async () => {
    const r = await runJob(START);
    expect(r.error).toBeUndefined();
    expect(r.windows.windows).toHaveLength(1);
    const post = r.windows.calls.find((c) => c.method === 'POST')!;
    const now = r.clock.now();
    expect(post.body).toEqual({
      name: expect.stringMatching(/^Workflow "Deploy" in acme\/shop@main, run #7 \(GitHub Actions key [0-9a-f]{12}\)$/),
      lead: { id: '01USERALICE' },
      start_at: new Date(now).toISOString(),
      end_at: new Date(now + 30 * 60_000).toISOString(),
      show_in_sidebar: true,
      alert_condition_groups: [
        {
          conditions: [
            {
              subject: 'alert.attributes.01ATTRSERVICE',
              operation: 'one_of',
              param_bindings: [{ array_value: [{ literal: '01ENTRYCHECKOUT' }, { literal: '01ENTRYPAYMENTS' }] }],
            },
          ],
        },
      ],
      reroute_on_end: true,
      resolve_on_end: false,
    });
    expect(r.core.outputs).toEqual({
      'maintenance-window-id': r.windows.windows[0]!.id,
      'ends-at': new Date(now + 30 * 60_000).toISOString(),
      created: 'true',
    });
    const endsAt = r.core.outputs['ends-at'];
    expect(r.lines('info').join('\n')).toContain(`until ${endsAt}: if the end step never runs, it ends on its own then.`);
    expect(r.lines('notice')).toEqual([
      expect.stringMatching(/^Opened maintenance window .* When it ends, alerts still firing go through alert routing again\.$/),
    ]);
    expect(r.summary).toContain('### incident.io: maintenance window opened');
    expect(r.summary).toContain(`- **Ends:** ${endsAt}, on its own, if the end step never runs`);
    expect(r.summary).toContain('- **Lead:** Alice Example (alice\\@example.com)');
    expect(r.summary).toContain(
      '  - "Alert → alert.attributes.01ATTRSERVICE" one of "label of 01ENTRYCHECKOUT", "label of 01ENTRYPAYMENTS"',
    );
  });

  it('returns the same window with created=false on a re-run, and creates nothing', async () => {
    const clock = new FakeClock();
    const space = workspace(clock);
    const first = await runJob(START, { clock, space });
    clock.time += 5 * 60_000;
    const again = await runJob(START, { clock, space });
    expect(space.windows.windows).toHaveLength(1);
    expect(again.core.outputs).toEqual({ ...first.core.outputs, created: 'false' });
    expect(again.lines('notice')[0]).toMatch(
      /was already open for the alerts it holds, in run 1001 of acme\/shop \(by an earlier attempt or step\); reusing it as it is/,
    );
    expect(again.summary).toContain('maintenance window already open (reused)');
  });

  it('gives matrix legs that hold other alerts their own window, and legs with the same alerts one', async () => {
    const clock = new FakeClock();
    const space = workspace(clock);
    await runJob(START, { clock, space });
    await runJob({ ...START, alerts: 'service: [payments, co]' }, { clock, space });
    expect(space.windows.windows).toHaveLength(1);
    await runJob({ ...START, alerts: 'Service: payments' }, { clock, space });
    await runJob({ ...START, 'maintenance-key': 'leg-b' }, { clock, space });
    expect(space.windows.windows).toHaveLength(3);
  });

  it('sends the end behaviour, the duration, a name, and the incident by its full ID', async () => {
    const r = await runJob({ ...START, 'on-end': 'resolve', duration: '1h30m', name: 'Checkout rollout', 'incident-id': 'INC-42' });
    const body = r.windows.calls.find((c) => c.method === 'POST')!.body!;
    expect(body).toMatchObject({
      reroute_on_end: false,
      resolve_on_end: true,
      incident_id: '01INCIDENT42',
      end_at: new Date(r.clock.now() + 90 * 60_000).toISOString(),
      name: expect.stringMatching(/^Checkout rollout \(GitHub Actions key [0-9a-f]{12}\)$/),
    });
    expect(r.summary).toContain('- **Incident:** [INC-42: Checkout slow](https://app.incident.io/acme/incidents/42)');
    const none = await runJob({ ...START, 'on-end': 'none' });
    expect(none.windows.calls.find((c) => c.method === 'POST')!.body).toMatchObject({ reroute_on_end: false, resolve_on_end: false });
  });

  it('suggests "checkout" for "chekout" and writes nothing', async () => {
    const r = await runJob({ ...START, alerts: 'Service: chekout' });
    expect(r.error).toBeInstanceOf(InputError);
    expect(r.error!.message).toMatch(
      /Input "alerts" sets "Service" to "chekout", which is not an entry of its catalog.*Did you mean "Checkout"\?/,
    );
    expect(r.windows.calls.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(r.windows.windows).toEqual([]);
  });

  it('reports an unknown value, an unknown lead and an unknown incident together, before any write', async () => {
    const r = await runJob({ ...START, alerts: 'Service: chekout', lead: 'carol@example.com', 'incident-id': '404' });
    const lines = r.error!.message.split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^Input "alerts" sets "Service" to "chekout"/),
      'Input "lead" is "carol@example.com", but no user has this email in this incident.io workspace. Use the email of their incident.io account, or their incident.io user ID.',
      expect.stringMatching(/^Input "incident-id" is "INC-404", but incident.io has no such incident \(404\)/),
    ]);
    expect(r.calls.filter((c) => !c.startsWith('GET'))).toEqual([]);
  });

  it('opens nothing for a fork, and says why in a notice', async () => {
    const fork = {
      ...pushContext,
      eventName: 'workflow_run',
      payload: {
        workflow_run: {
          id: 2002,
          run_number: 9,
          name: 'Deploy',
          head_branch: 'main',
          head_repository: { full_name: 'mallory/shop' },
          conclusion: 'failure',
        },
      },
    };
    const r = await runJob(START, { context: fork });
    expect(r.calls).toEqual([]);
    expect(r.core.outputs).toEqual({ skipped: 'true', created: 'false' });
    expect(r.lines('notice')).toEqual([
      expect.stringMatching(
        /^Skipped: this run came from the fork mallory\/shop, not from acme\/shop, and a fork's run never opens a maintenance window: it would silence acme\/shop's alerts\..* Nothing was sent\.$/,
      ),
    ]);
  });

  it('opens nothing when the event does not say where a pull request came from', async () => {
    const pull = { ...pushContext, eventName: 'pull_request', payload: { pull_request: { number: 3, head: {} } } };
    const r = await runJob(START, { context: pull });
    expect(r.calls).toEqual([]);
    expect(r.lines('notice')[0]).toMatch(/does not name the pull request's head repository, so this run may come from a fork/);
  });
});

describe('a dry run', () => {
  it('prints the create with names beside the IDs, writes nothing, and ends with what it checked', async () => {
    const r = await runJob({ ...START, 'dry-run': 'true', 'incident-id': '42' });
    expect(r.windows.calls.filter((c) => c.method !== 'GET')).toEqual([]);
    const log = r.lines('info').join('\n');
    expect(log).toContain('Dry run: this request would be sent to POST https://api.incident.io/v1/maintenance_windows:');
    expect(log).toContain('lead.id "01USERALICE" = user "Alice Example" ("alice@example.com")');
    expect(log).toContain('incident_id "01INCIDENT42" = incident "INC-42: Checkout slow"');
    expect(log).toContain('subject "alert.attributes.01ATTRSERVICE" = alert attribute "Service"');
    expect(log).toContain('literal "01ENTRYCHECKOUT" = catalog entry "Checkout" (a value of alert attribute "Service")');
    expect(r.core.outputs).toEqual({ created: 'false' });
    expect(r.summary).toContain('dry run (would open a maintenance window)');
    expect(r.summary).toContain('  - "Service" is one of "Checkout", "Payments"');
    expect(r.summary).toContain('- **Ends:** 30m later, ');
    const last = r.summary.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^- \*\*Checked:\*\* against the incident.io workspace: /);
    for (const lookup of ['alert attributes', 'catalog entries', 'users', 'the incident', 'maintenance windows'])
      expect(last).toContain(lookup);
    expect(last).toMatch(
      /\. A dry run cannot check whether the API key may create or update maintenance windows \("maintenance\\_window.create", "maintenance\\_window.update"\): it writes nothing\.$/,
    );
  });

  it('says a real run would reuse the window that is open already', async () => {
    const clock = new FakeClock();
    const space = workspace(clock);
    await runJob(START, { clock, space });
    const r = await runJob({ ...START, 'dry-run': 'true' }, { clock, space });
    expect(r.lines('info').join('\n')).toMatch(/is already open, so a real run would reuse it and open none/);
    expect(r.summary).toContain('a window of this key is already open: a real run would reuse it');
  });
});

describe('window: end', () => {
  async function started() {
    const clock = new FakeClock();
    const space = workspace(clock);
    const first = await runJob(START, { clock, space });
    clock.time += 7 * 60_000;
    space.windows.calls.length = 0;
    return { clock, space, id: first.core.outputs['maintenance-window-id']! };
  }

  it('ends the window of the same alerts now, with a PUT and no DELETE, and says so', async () => {
    const { clock, space, id } = await started();
    const r = await runJob({ 'api-key': KEY, window: 'end', alerts: 'Service: [co, payments]' }, { clock, space });
    expect(r.error).toBeUndefined();
    const now = new Date(clock.now()).toISOString();
    expect(r.calls).toEqual([
      'GET /v2/alert_attributes',
      'GET /v3/catalog_entries',
      'GET /v3/catalog_entries',
      'GET /v1/maintenance_windows?status=active',
      'GET /v1/maintenance_windows?status=upcoming',
      `GET /v1/maintenance_windows/${id}`,
      `PUT /v1/maintenance_windows/${id}`,
    ]);
    expect(space.windows.windows[0]).toMatchObject({ end_at: now, reroute_on_end: true, resolve_on_end: false });
    expect(r.core.outputs).toEqual({ created: 'false', 'maintenance-window-id': id, 'ends-at': now });
    expect(r.lines('notice')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Ended maintenance window ".*" \\(${id}\\) at ${now.replace(/\./g, '\\.')}\\. When it ends, alerts still firing go through alert routing again\\.$`,
        ),
      ),
    ]);
    expect(r.summary).toContain('### incident.io: maintenance window ended');
  });

  it('finds the window by maintenance-key without looking up any alert', async () => {
    const clock = new FakeClock();
    const space = workspace(clock);
    await runJob({ ...START, 'maintenance-key': 'api' }, { clock, space });
    space.windows.calls.length = 0;
    const r = await runJob({ 'api-key': KEY, window: 'end', 'maintenance-key': 'api' }, { clock, space });
    expect(r.calls.filter((c) => !c.includes('maintenance_windows'))).toEqual([]);
    expect(r.calls.some((c) => c.startsWith('PUT'))).toBe(true);
  });

  it('is a notice and a success when no window carries the key', async () => {
    const r = await runJob({ 'api-key': KEY, window: 'end', alerts: 'Service: checkout' });
    expect(r.error).toBeUndefined();
    expect(r.core.outputs).toEqual({ created: 'false', 'maintenance-window-id': '', 'ends-at': '' });
    expect(r.lines('notice')).toEqual([
      expect.stringMatching(
        /^No active or upcoming maintenance window carries the marker "\(GitHub Actions key [0-9a-f]{12}\)" of the alerts it holds, in run 1001 of acme\/shop, nor does a past one: the start step opened none/,
      ),
    ]);
    expect(r.calls.filter((c) => !c.startsWith('GET'))).toEqual([]);
  });

  it('is a notice and a success when the window ended already, and writes nothing', async () => {
    const { clock, space, id } = await started();
    clock.time += 60 * 60_000;
    const r = await runJob({ 'api-key': KEY, window: 'end', alerts: 'Service: [checkout, payments]' }, { clock, space });
    expect(r.error).toBeUndefined();
    expect(r.lines('notice')).toEqual([
      expect.stringMatching(new RegExp(`^The maintenance window ${id} of the alerts it holds.* ended already, at .*: nothing to end\\.$`)),
    ]);
    expect(r.calls.filter((c) => !c.startsWith('GET'))).toEqual([]);
    expect(r.core.outputs['maintenance-window-id']).toBe(id);
  });

  it('ends every window of the key (two legs that opened one at the same moment)', async () => {
    const { clock, space } = await started();
    const [first] = space.windows.windows;
    space.windows.add({ ...first!, id: '01WINDOWTWIN', name: first!.name });
    const r = await runJob({ 'api-key': KEY, window: 'end', alerts: 'Service: [checkout, payments]' }, { clock, space });
    expect(r.calls.filter((c) => c.startsWith('PUT'))).toHaveLength(2);
    expect(space.windows.windows.every((w) => w.end_at === new Date(clock.now()).toISOString())).toBe(true);
  });

  it('prints the PUT in a dry run and writes nothing', async () => {
    const { clock, space, id } = await started();
    const r = await runJob({ 'api-key': KEY, window: 'end', alerts: 'Service: [checkout, payments]', 'dry-run': 'true' }, { clock, space });
    expect(r.calls.filter((c) => !c.startsWith('GET'))).toEqual([]);
    const log = r.lines('info').join('\n');
    expect(log).toContain(`Dry run: this request would be sent to PUT https://api.incident.io/v1/maintenance_windows/${id}:`);
    expect(log).toContain('lead.id "01USERALICE" = user "Alice Example" ("alice@example.com")');
    expect(log).toMatch(/only end_at would change, from \S+ to now/);
    expect(r.summary).toContain('dry run (would end a maintenance window)');
  });

  it('ends nothing for a fork', async () => {
    const { clock, space } = await started();
    const fork = {
      ...pushContext,
      eventName: 'pull_request',
      payload: { pull_request: { number: 3, head: { repo: { full_name: 'mallory/shop' }, ref: 'main' } } },
    };
    const r = await runJob({ 'api-key': KEY, window: 'end', alerts: 'Service: checkout' }, { clock, space, context: fork });
    expect(r.calls).toEqual([]);
    expect(r.lines('notice')[0]).toMatch(/a fork's run never ends a maintenance window that acme\/shop's own runs opened/);
  });
});

describe('every mistake in one run', () => {
  it('reports a malformed input and an unknown name in another input together, writing nothing', async () => {
    const r = await runJob({ ...START, alerts: 'Service: chekout', duration: '2d', lead: 'carol@example.com' });
    const lines = r.error!.message.split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^Input "duration" is "2d"/),
      expect.stringMatching(/^Input "alerts" sets "Service" to "chekout".*Did you mean "Checkout"\?$/),
      expect.stringMatching(/^Input "lead" is "carol@example.com", but no user has this email/),
    ]);
    expect(r.calls.filter((c) => !c.startsWith('GET'))).toEqual([]);
    expect(r.calls.some((c) => c.includes('maintenance_windows'))).toBe(false);
  });
});

describe('text the action does not own', () => {
  it('keeps hostile attribute names and labels inert in the log and escaped in the summary', async () => {
    const hostile = { ...SERVICE, name: '::error::pwned ##[warning]x [link](https://evil.example) <img>' };
    const clock = new FakeClock();
    const r = await runJob(
      { ...START, alerts: `"${hostile.name}": checkout`, 'dry-run': 'true' },
      { clock, space: workspace(clock, [hostile]) },
    );
    expect(r.error).toBeUndefined();
    for (const { message } of r.core.log) {
      for (const line of message.split('\n')) expect(line.trimStart().startsWith('::')).toBe(false);
      expect(message).not.toContain('##[');
    }
    expect(r.summary).not.toContain('[link](https://evil.example)');
    expect(r.summary).not.toContain('<img>');
  });
});
