/**
 * End-to-end: `incident-key` finds only the action's own incidents, a fork's run never resolves
 * production, a watched run that did not fail declares nothing, an incident closed while a step
 * runs is never moved back, and a key built from a long branch name works.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../../scripts/run-action.mjs';
import { addIncident } from '../../sandbox/incidents.mjs';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();
const api = () => ({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url });
const updates = () => sandbox.incidentUpdates();
const category = (reference: string) => sandbox.incidents().find((i) => i.reference === reference)?.incident_status.category;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'incident-io-keys-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A watcher run (3000 + id) that `workflow_run` started for the watched run `id` of "Deploy". */
function watcherEnv(watched: Record<string, unknown> = {}) {
  const id = Number(watched['id'] ?? 2002);
  const payload = {
    action: 'completed',
    workflow_run: {
      id,
      run_number: id - 1925,
      run_attempt: 1,
      name: 'Deploy',
      head_sha: 'feedfacecafebeef00112233445566778899aabb',
      head_branch: 'main',
      head_repository: { full_name: 'acme/shop' },
      conclusion: 'failure',
      event: 'push',
      ...watched,
    },
  };
  const path = join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return { GITHUB_EVENT_NAME: 'workflow_run', GITHUB_EVENT_PATH: path, GITHUB_WORKFLOW: 'Watch deploys', GITHUB_RUN_ID: String(id + 1000) };
}
const fork = { head_repository: { full_name: 'mallory/shop' } };

describe('incident-key: only our own incidents', () => {
  const key = 'Deploy@main';
  const fail = (n: number) =>
    runAction(
      { ...api(), severity: 'Major', 'incident-key': key },
      { env: { GITHUB_RUN_ID: String(8000 + n), GITHUB_RUN_NUMBER: String(n) } },
    );
  const recover = (n: number) => runAction({ ...api(), 'incident-key': key }, { job: 'resolve', env: { GITHUB_RUN_ID: String(8000 + n) } });

  it("is not captured by a responder's incident that quotes the marker: a new one is declared, and the quote is left alone", async () => {
    const first = await fail(1);
    const ours = sandbox.incidents()[0];
    expect(await recover(2)).toMatchObject({ code: 0 });
    // A responder declares a follow-up in the app, pasting our summary (marker last), and another
    // quotes the marker in the middle of an incident an integration declared through an API key.
    addIncident(sandbox.state, { name: 'Follow-up: checkout retries', summary: ours.summary });
    const marker = (ours.summary as string).split('\n').pop()!;
    addIncident(sandbox.state, {
      name: 'Payments degraded',
      summary: `Related to ${first.outputs['incident-reference']}:\n\n${marker}\n\nStill investigating.`,
      creator: { api_key: { id: '01OTHERKEY', name: 'Datadog' } },
    });

    const again = await fail(3);
    expect(again.code).toBe(0);
    expect(again.outputs).toMatchObject({ created: 'true', 'incident-reference': 'INC-4' });
    expect(updates()).toHaveLength(0);
    const leftAlone = /^Left alone: (.*)\. Each mentions the marker of incident-key "Deploy@main"/m.exec(again.stdout)?.[1];
    expect(leftAlone).toContain('INC-2 (a person created it, not the action (incident.io names no API key as its creator))');
    expect(leftAlone).toContain("INC-3 (its summary quotes this key's marker, but its last line is not the marker)");

    const green = await recover(4);
    expect(green.code).toBe(0);
    expect(green.stdout).toMatch(/Resolved 1 incident\(s\) open for incident-key "Deploy@main": INC-4/);
    expect(green.stdout).toMatch(/Left alone: INC-3 .*; INC-2 /);
    expect(['INC-2', 'INC-3', 'INC-4'].map(category)).toEqual(['live', 'live', 'learning']);
  });

  it('is found again after incident.io re-writes the Markdown of its summary', async () => {
    await fail(1);
    const incident = sandbox.incidents()[0];
    // Other emphasis, the code span as HTML, the middle dot as an entity.
    incident.summary = (incident.summary as string)
      .replace(/^_(Incident key .*)_$/m, '*$1*')
      .replace(/`Deploy@main`/, '<code>Deploy@main</code>')
      .replace(/ · /g, ' &middot; ');
    expect(incident.summary).toMatch(/\*Incident key <code>Deploy@main<\/code> &middot; iokey-/);
    const again = await fail(2);
    expect(again.outputs.created).toBe('false');
    expect(updates()).toHaveLength(1);
  });

  it('keeps its own marker when update replaces the summary, not a quoted one of another key', async () => {
    const first = await fail(1);
    const other = await runAction({ ...api(), severity: 'Minor', 'incident-key': 'Deploy@release' }, { env: { GITHUB_RUN_ID: '9001' } });
    const otherMarker = (sandbox.incidents()[1].summary as string).split('\n').pop()!;
    // A responder pastes the other incident's marker at the top of ours.
    sandbox.incidents()[0].summary = `See also:\n\n${otherMarker}\n\n${sandbox.incidents()[0].summary}`;
    const updated = await runAction(
      {
        ...api(),
        'incident-id': first.outputs['incident-id']!,
        summary: 'Checkout is down: rolling back.',
      },
      { job: 'update' },
    );
    expect(updated.code).toBe(0);
    const summary = sandbox.incidents()[0].summary as string;
    expect(summary).toMatch(/^Checkout is down: rolling back\./);
    expect(summary.split('\n').pop()).toMatch(/^_Incident key `Deploy@main` · iokey-/);
    expect(summary).not.toContain(otherMarker);
    // Each key still finds its own incident.
    expect((await fail(2)).outputs['incident-reference']).toBe(first.outputs['incident-reference']);
    const release = await runAction({ ...api(), severity: 'Minor', 'incident-key': 'Deploy@release' }, { env: { GITHUB_RUN_ID: '9002' } });
    expect(release.outputs['incident-reference']).toBe(other.outputs['incident-reference']);
  });
});

describe('state moves only forward: an incident closed while the step runs', () => {
  const key = 'Deploy@main';
  const inputs = () => ({ ...api(), severity: 'Major', 'incident-key': key });

  it('is not moved back to post-incident by a green run', async () => {
    const first = await runAction(inputs(), { env: { GITHUB_RUN_ID: '8001' } });
    sandbox.state.closeOnWrite = [first.outputs['incident-id']!];
    const green = await runAction(
      { ...api(), 'incident-key': key, message: 'The deploy succeeded again.' },
      { job: 'resolve', env: { GITHUB_RUN_ID: '8002' } },
    );
    expect(green.code).toBe(0);
    expect(category('INC-1')).toBe('closed');
    expect(green.stdout).toMatch(
      /INC-1 was ended by someone else while this step moved it to "Documenting".*"Closed" \(closed\), and it stays there/,
    );
    expect(green.stdout).not.toMatch(/Resolved 1 incident/);
  });

  it('is not moved back when it was closed after the search but before the step came to it', async () => {
    await runAction(inputs(), { env: { GITHUB_RUN_ID: '8001' } });
    // The list answers late; the incident is closed in the app meanwhile.
    sandbox.fault('GET /v1/incident_statuses', { type: 'slow', delayMs: 1000 });
    const before = sandbox.requests.length;
    const green = runAction({ ...api(), 'incident-key': key }, { job: 'resolve', env: { GITHUB_RUN_ID: '8002' } });
    await waitFor(() => sandbox.requests.slice(before).some((r) => r.route === 'GET /v2/incidents' && r.respondedAt !== undefined));
    sandbox.incidents()[0].incident_status = { ...sandbox.state.incidentStatuses.find((s) => s.category === 'closed') };
    const result = await green;
    expect(result.code).toBe(0);
    expect(category('INC-1')).toBe('closed');
    expect(sandbox.requests.filter((r) => r.route === 'POST /v2/incidents/:id/actions/edit')).toHaveLength(0);
    expect(result.stdout).toMatch(/INC-1 was ended while this step ran \(status "Closed"\); left as it is\./);
  });

  it('gets no "failed again" in its place: a failing run declares a new incident', async () => {
    const first = await runAction(inputs(), { env: { GITHUB_RUN_ID: '8001' } });
    sandbox.state.closeOnWrite = [first.outputs['incident-id']!];
    const next = await runAction(inputs(), { env: { GITHUB_RUN_ID: '8002', GITHUB_RUN_NUMBER: '43' } });
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/INC-1: .* was closed \(status "Closed", closed\) between the search and this run's update/);
    expect(next.outputs).toMatchObject({ created: 'true', 'incident-reference': 'INC-2' });
    expect(category('INC-1')).toBe('closed');
    expect(sandbox.incidents()).toHaveLength(2);
  });
});

describe('forks are not production', () => {
  // The README's watcher key: the watched workflow's name and head branch (all these runs are on main).
  const watch = (watched: Record<string, unknown>, inputs: Record<string, string>, job = 'declare') =>
    runAction({ ...api(), 'incident-key': 'Deploy@main', ...inputs }, { job, env: watcherEnv(watched) });

  it("a fork's green run on its own main does not resolve production's incident or alert", async () => {
    const red = await watch({ id: 2002 }, { severity: 'Major' });
    expect(red.outputs.created).toBe('true');
    const green = await watch({ id: 2003, conclusion: 'success', ...fork }, {}, 'resolve');
    expect(green.code).toBe(0);
    expect(green.outputs).toEqual({ skipped: 'true' });
    expect(green.stdout).toMatch(
      /::notice title=incident\.io resolve refused \(fork\)::Skipped: this run came from the fork mallory\/shop/,
    );
    expect(category('INC-1')).toBe('live');

    const alert = {
      'api-url': sandbox.url,
      'alert-source-id': sandbox.alertSourceId,
      'alert-token': sandbox.alertToken,
    };
    await runAction(alert, { job: 'alert', env: watcherEnv({ id: 2004 }) });
    const forkAlert = await runAction(
      { ...alert, 'alert-status': 'resolved' },
      { job: 'alert', env: watcherEnv({ id: 2005, conclusion: 'success', ...fork }) },
    );
    expect(forkAlert.outputs.skipped).toBe('true');
    expect(sandbox.alerts().map((a) => a.status)).toEqual(['firing']);
    // The repository's own green run still resolves both.
    const own = await watch({ id: 2006, conclusion: 'success' }, {}, 'resolve');
    expect(own.outputs.skipped).toBe('false');
    expect(category('INC-1')).toBe('learning');
  });

  it("a fork's failing run is its own incident, named for the fork, and never an update to production's", async () => {
    await watch({ id: 2002 }, { severity: 'Major' });
    const forked = await watch({ id: 2003, ...fork }, { severity: 'Major' });
    expect(forked.outputs).toMatchObject({ created: 'true', 'incident-reference': 'INC-2' });
    expect(updates()).toHaveLength(0);
    const incident = sandbox.incidents()[1];
    expect(incident.name).toBe('Workflow "Deploy" failed in mallory/shop:main (run #78)');
    expect(incident.summary).toContain('- Head: `mallory/shop:main` (a fork: its owner chose its code and branch name)');
    expect(incident.summary).toMatch(/Incident key `Deploy@main` of the fork `mallory\/shop` · iokey-/);
  });
});

describe('a watched run is described as it ended', () => {
  it('a succeeded watched run declares nothing and fires nothing', async () => {
    const declare = await runAction({ ...api(), severity: 'Major' }, { env: watcherEnv({ conclusion: 'success' }) });
    expect(declare.code).toBe(0);
    expect(declare.outputs).toMatchObject({ skipped: 'true', created: 'false' });
    expect(declare.stdout).toMatch(
      /::notice title=incident\.io step skipped::Skipped: the watched run of "Deploy" in acme\/shop@main ended with conclusion "success"/,
    );
    const alert = await runAction(
      { 'api-url': sandbox.url, 'alert-source-id': sandbox.alertSourceId, 'alert-token': sandbox.alertToken },
      { job: 'alert', env: watcherEnv({ conclusion: 'skipped' }) },
    );
    expect(alert.outputs.skipped).toBe('true');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('a cancelled watched run is declared as cancelled', async () => {
    const result = await runAction({ ...api(), severity: 'Major' }, { env: watcherEnv({ conclusion: 'cancelled' }) });
    expect(result.code).toBe(0);
    expect(sandbox.incidents()[0].name).toBe('Workflow "Deploy" was cancelled in acme/shop@main (run #77)');
  });
});

describe('a key built from a long branch name', () => {
  it('declares, follows up and resolves under the shortened key, with fail-on-error at its default', async () => {
    const branch = `renovate/${'very-long-dependency-name-'.repeat(10)}`;
    expect(branch.length).toBeGreaterThan(200);
    const keyed = (watched: Record<string, unknown>, inputs: Record<string, string> = { severity: 'Major' }, job = 'declare') =>
      runAction({ ...api(), 'incident-key': `Deploy@${branch}`, ...inputs }, { job, env: watcherEnv({ head_branch: branch, ...watched }) });
    const red = await keyed({ id: 2002 });
    expect(red.code).toBe(0);
    expect(red.outputs.created).toBe('true');
    expect(sandbox.incidents()[0].summary).toMatch(
      /Incident key `Deploy@renovate\/very-long-dependency-name-.*\u2026#[0-9a-f]{16}` · iokey-/,
    );
    const again = await keyed({ id: 2003 });
    expect(again.outputs).toMatchObject({ created: 'false', 'incident-reference': 'INC-1' });
    const green = await keyed({ id: 2004, conclusion: 'success' }, {}, 'resolve');
    expect(green.code).toBe(0);
    expect(category('INC-1')).toBe('learning');
  });
});

async function waitFor(condition: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
