/**
 * End-to-end for maintenance/: the bundle's maintenance job as a child process against the
 * sandbox, with injected faults. Issue 20's "done when": a start whose answer is lost after the
 * create makes one window and a re-run reuses it (`created=false`); an end moves `end_at` to now
 * and sends no DELETE; `Service: chekout` suggests `checkout` and writes nothing; a fork's start
 * opens nothing. The sandbox holds its own assumptions about condition subjects and catalog
 * literals (sandbox/maintenance.mjs), stricter than the spec, so a body it takes is one the
 * action means.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../../scripts/run-action.mjs';
import { ONCALL_IDS } from '../../sandbox/seed.mjs';
import { useSandbox } from '../helpers/sandbox.js';
import { specRequestErrors } from '../helpers/spec-shape.js';

const sandbox = useSandbox();
const CHECKOUT = '01ENTRYCHECKOUT00000000000';
const PAYMENTS = '01ENTRYPAYMENTS00000000000';
const START = { window: 'start', alerts: 'Service: [checkout, payments]', lead: 'alice@example.com' };
const api = () => ({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url });
const maintenance = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runAction({ ...api(), ...inputs }, { job: 'maintenance', env: { INCIDENT_IO_TIMEOUT_MS: '3000', ...env } });
const windowRequests = () => sandbox.requests.filter((r) => r.path.startsWith('/v1/maintenance_windows'));
const writes = () => sandbox.requests.filter((r) => r.method !== 'GET');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'incident-io-maintenance-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment of a run whose event is `name` with `payload`. */
function eventEnv(name: string, payload: unknown): Record<string, string> {
  const path = join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: path };
}

describe('window: start', () => {
  it('makes one window when the create answer is lost after the create, and a re-run reuses it with created=false', async () => {
    sandbox.fault('POST /v1/maintenance_windows', { type: 'reset', after: 'process' });
    const first = await maintenance(START);
    expect(first.stdout).not.toContain('::error::');
    expect(first.code).toBe(0);
    expect(sandbox.maintenanceWindows()).toHaveLength(1);
    const [window] = sandbox.maintenanceWindows();
    expect(first.outputs).toEqual({ 'maintenance-window-id': window.id, 'ends-at': window.end_at, created: 'true', skipped: 'false' });
    expect(first.stdout).toContain("its create's answer was lost; found again by its marker, not opened twice");
    // The step says when the window ends by itself, in its log and its summary.
    expect(first.stdout).toContain(`until ${window.end_at}: if the end step never runs, it ends on its own then.`);
    expect(first.summary).toContain(`- **Ends:** ${window.end_at}, on its own, if the end step never runs`);
    expect(first.summary).toContain('- **Lead:** Alice Example (alice\\@example.com)');
    expect(first.summary).toMatch(/Holds the alerts where:\*\*\n {2}- .*Service.* is one of "Checkout", "Payments"/);
    expect(Date.parse(window.end_at) - Date.parse(window.start_at)).toBe(30 * 60_000);
    expect(window._bodies[0].alert_condition_groups).toEqual([
      {
        conditions: [
          {
            subject: `alert.attributes.${ONCALL_IDS.serviceAttribute}`,
            operation: 'one_of',
            param_bindings: [{ array_value: [{ literal: CHECKOUT }, { literal: PAYMENTS }] }],
          },
        ],
      },
    ]);
    expect(window._bodies[0]).toMatchObject({ show_in_sidebar: true, reroute_on_end: true, resolve_on_end: false });
    // Before the create, and before retrying the create whose answer was lost: the active and the upcoming windows.
    const statuses = windowRequests().map((r) => `${r.route}${r.query['status'] ? `?status=${r.query['status']}` : ''}`);
    // The two lists go out together, in either order.
    const lists = ['GET /v1/maintenance_windows?status=active', 'GET /v1/maintenance_windows?status=upcoming'];
    expect(statuses.slice(0, 2).sort()).toEqual(lists);
    expect(statuses[2]).toBe('POST /v1/maintenance_windows');
    expect(statuses.slice(3, 5).sort()).toEqual(lists);

    const again = await maintenance(START);
    expect(again.code).toBe(0);
    expect(again.outputs).toEqual({ ...first.outputs, created: 'false' });
    expect(sandbox.maintenanceWindows()).toHaveLength(1);
    expect(windowRequests().filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(again.stdout).toMatch(/was already open for .*; reusing it as it is/);
  });

  it('suggests "checkout" for "chekout" and writes nothing', async () => {
    const result = await maintenance({ ...START, alerts: 'Service: chekout' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::Input "alerts" sets "Service" to "chekout", which is not an entry of its catalog.*Did you mean "Checkout"\?/,
    );
    expect(result.outputs).toEqual({ created: 'false', skipped: 'false' });
    expect(writes()).toEqual([]);
    expect(windowRequests()).toEqual([]);
  });

  it('reports every mistake in one run, the lookups of the well-formed inputs included, and writes nothing', async () => {
    const result = await maintenance({ ...START, alerts: 'Service: chekout', duration: '2d', lead: 'carol@example.com' });
    expect(result.code).toBe(1);
    const error = result.stdout.split('\n').find((line) => line.startsWith('::error::'))!;
    expect(error).toMatch(/Input "duration" is "2d"/);
    expect(error).toMatch(/Input "alerts" sets "Service" to "chekout"/);
    expect(error).toMatch(/Input "lead" is "carol@example.com", but no user has this email/);
    expect(writes()).toEqual([]);
    expect(windowRequests()).toEqual([]);
  });

  it('refuses to open a window with values unchecked when the key may not read the catalog', async () => {
    sandbox.state.catalogForbidden = true;
    const result = await maintenance(START);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::.*403.*"catalog_entries\.view".*never sent unchecked/);
    expect(sandbox.maintenanceWindows()).toEqual([]);
  });

  it("opens nothing for a fork's run, and says why in a notice", async () => {
    const pullRequestTarget = eventEnv('pull_request_target', {
      pull_request: { number: 7, head: { repo: { full_name: 'mallory/shop' }, ref: 'main' }, base: { repo: { full_name: 'acme/shop' } } },
    });
    const watcher = eventEnv('workflow_run', {
      action: 'completed',
      workflow_run: {
        id: 2002,
        run_number: 77,
        run_attempt: 1,
        name: 'Deploy',
        head_branch: 'main',
        head_sha: 'feedfacecafebeef00112233445566778899aabb',
        head_repository: { full_name: 'mallory/shop' },
        conclusion: 'success',
        event: 'push',
      },
    });
    for (const env of [pullRequestTarget, watcher]) {
      const result = await maintenance(START, env);
      expect(result.code).toBe(0);
      expect(result.outputs).toEqual({ skipped: 'true', created: 'false' });
      expect(result.stdout).toMatch(
        /::notice title=incident\.io maintenance window not opened \(fork\)::Skipped: this run came from the fork mallory\/shop.*would silence acme\/shop's alerts/,
      );
    }
    expect(sandbox.requests).toEqual([]);
  });

  it('prints the create in a dry run, with names beside the IDs, and writes nothing', async () => {
    const result = await maintenance({ ...START, 'dry-run': 'true' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Dry run: this request would be sent to POST ${sandbox.url}/v1/maintenance_windows:`);
    expect(result.stdout).toContain(`literal "${CHECKOUT}" = catalog entry "Checkout"`);
    expect(result.outputs).toEqual({ created: 'false', skipped: 'false' });
    expect(writes()).toEqual([]);
  });
});

describe('window: end', () => {
  it('sets end_at to now with a PUT that resends everything else as it was, and sends no DELETE', async () => {
    const started = await maintenance({ ...START, 'on-end': 'resolve', name: 'Checkout rollout', duration: '2h' });
    expect(started.code).toBe(0);
    const [window] = sandbox.maintenanceWindows();
    const before = Date.now();
    // The end step is the start step copied with `window: end` and the aliases of the same entries.
    const end = await maintenance({ window: 'end', alerts: 'Service: [co, payments]', lead: 'alice@example.com' });
    const after = Date.now();
    expect(end.code).toBe(0);
    const endedAt = Date.parse(window.end_at);
    expect(endedAt).toBeGreaterThanOrEqual(before - 1_000);
    expect(endedAt).toBeLessThanOrEqual(after);
    expect(end.outputs).toEqual({ created: 'false', 'maintenance-window-id': window.id, 'ends-at': window.end_at, skipped: 'false' });
    expect(end.stdout).toContain('::notice title=incident.io maintenance window::Input "lead" is only read by "window: start"');
    expect(end.stdout).toMatch(
      /::notice title=incident\.io maintenance window ended::Ended maintenance window .*When it ends, alerts still firing that it held are resolved\./,
    );
    expect(end.summary).toContain('### incident.io: maintenance window ended');
    expect(windowRequests().map((r) => r.method)).not.toContain('DELETE');
    const [created, put] = window._bodies;
    expect({ ...put, end_at: 'x' }).toEqual({ ...created, end_at: 'x' });
    expect(specRequestErrors('PUT /v1/maintenance_windows/{id}', put)).toEqual([]);
    expect(window).toMatchObject({
      resolve_on_end: true,
      reroute_on_end: false,
      name: expect.stringMatching(/^Checkout rollout \(GitHub Actions key/),
    });

    // Ended already: a second end is a success with a notice, and writes nothing.
    const twice = await maintenance({ window: 'end', alerts: 'Service: [checkout, payments]' });
    expect(twice.code).toBe(0);
    expect(twice.stdout).toMatch(new RegExp(`::notice title=.*nothing to end::The maintenance window ${window.id} of .*ended already`));
    expect(windowRequests().filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('finds the window by maintenance-key, per matrix leg', async () => {
    for (const leg of ['eu', 'us']) expect((await maintenance({ ...START, 'maintenance-key': `deploy-${leg}` })).code).toBe(0);
    expect(sandbox.maintenanceWindows()).toHaveLength(2);
    const end = await maintenance({ window: 'end', 'maintenance-key': 'deploy-eu' });
    expect(end.code).toBe(0);
    const [eu, us] = sandbox.maintenanceWindows();
    expect(end.outputs['maintenance-window-id']).toBe(eu.id);
    expect(Date.parse(eu.end_at)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(us.end_at)).toBeGreaterThan(Date.now() + 20 * 60_000);
  });

  it('is a notice and exit 0 when no window carries the key', async () => {
    const end = await maintenance({ window: 'end', alerts: 'Service: checkout' });
    expect(end.code).toBe(0);
    expect(end.outputs).toEqual({ created: 'false', 'maintenance-window-id': '', 'ends-at': '', skipped: 'false' });
    expect(end.stdout).toMatch(
      /::notice title=incident\.io maintenance window%3A nothing to end::No active or upcoming maintenance window carries the marker/,
    );
    expect(writes()).toEqual([]);
  });
});

describe('faults and hostile answers', () => {
  it('a create answered too late (past the request timeout) is found by its marker, not opened twice', async () => {
    sandbox.fault('POST /v1/maintenance_windows', { type: 'slow', delayMs: 4_500 });
    const result = await maintenance(START);
    expect(result.code).toBe(0);
    expect(result.outputs.created).toBe('true');
    expect(sandbox.maintenanceWindows()).toHaveLength(1);
    expect(windowRequests().filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(result.stdout).toContain("its create's answer was lost; found again by its marker, not opened twice");
  });

  it('never repeats the API key that an error answer echoes, in the log, the outputs or the summary', async () => {
    expect((await maintenance(START)).code).toBe(0);
    sandbox.fault('PUT /v1/maintenance_windows/:id', { type: 'echo-key' });
    const end = await maintenance({ window: 'end', alerts: START.alerts });
    expect(end.code).toBe(1);
    expect(end.stdout).toMatch(/::error::incident\.io PUT \/v1\/maintenance_windows\/\S+ answered 400/);
    const shown = end.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    for (const text of [shown, end.stderr, end.summary, JSON.stringify(end.outputs)]) expect(text).not.toContain(sandbox.apiKey);
    // Nothing was ended: the window still holds its alerts until its own end.
    expect(Date.parse(sandbox.maintenanceWindows()[0].end_at)).toBeGreaterThan(Date.now() + 20 * 60_000);
  });
});
