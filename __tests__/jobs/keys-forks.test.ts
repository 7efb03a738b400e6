/**
 * Forks, watched-run conclusions and keys, on the source through `run` with the test doubles:
 * a fork's run never resolves, a watched run that did not fail declares nothing, keys derived
 * from event data are never an input error, and a key's incidents are checked again where it
 * matters (right before a resolve, and in each write's answer).
 */
import { run } from '../../src/main.js';
import type { GitHubContext } from '../../src/github/context.js';
import { readRunContext } from '../../src/github/context.js';
import { keyMarker } from '../../src/incident-io/incident-key.js';
import { followUpMessage } from '../../src/jobs/declare/follow-up.js';
import { shortenKey } from '../../src/core/keys.js';
import { MAX_INCIDENT_KEY } from '../../src/settings/values.js';
import { FakeClock, fakeCore, json, pushContext, scriptedFetch, type Reply, stepOf, type Step } from '../helpers/fakes.js';
import { defaultDeduplicationKey, keyToken } from '../../src/github/keys.js';

const KEY = 'inc_test_key_0123456789';
const ALERT = { job: 'alert', 'alert-source-id': 'src-1', 'alert-token': 'alert_tok_0123456789' };
const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_ACTION: 'report' };

/** A `workflow_run` watcher's context for a watched run of "Deploy" on `main`. */
function watcher(watched: Record<string, unknown> = {}): GitHubContext {
  return {
    ...pushContext,
    workflow: 'Watch deploys',
    runId: 3003,
    eventName: 'workflow_run',
    payload: {
      workflow_run: {
        id: 2002,
        run_number: 77,
        run_attempt: 1,
        name: 'Deploy',
        head_sha: 'feedface',
        head_branch: 'main',
        head_repository: { full_name: 'acme/shop' },
        conclusion: 'failure',
        event: 'push',
        ...watched,
      },
    },
  };
}
const fork = (more: Record<string, unknown> = {}) => watcher({ head_repository: { full_name: 'mallory/shop' }, ...more });

async function runWith(context: GitHubContext, step: Step, replies: Reply[] = []) {
  const { job, inputs } = stepOf(step);
  const core = fakeCore(inputs);
  const fetch = scriptedFetch(replies);
  await run({ core: core.core, fetch, env, clock: new FakeClock(), context: () => context }, job);
  const calls = fetch.calls.map((c) => ({
    method: c.init.method,
    path: new URL(c.url).pathname,
    body: c.init.body ? (JSON.parse(c.init.body as string) as Record<string, unknown>) : undefined,
  }));
  const said = core.log.map((l) => `${l.level}: ${l.message}`).join('\n');
  return { ...core, calls, said };
}

const status = (name: string, category: string, rank: number) => ({ id: `st-${name.toLowerCase()}`, name, category, rank });
const statuses = [status('Investigating', 'live', 1), status('Documenting', 'learning', 2), status('Closed', 'closed', 3)];
const marker = (key: string, idem = 'github-actions/acme/shop/runs/1') => keyMarker({ repository: 'acme/shop' }, key, idem).source;
const ours = (over: Record<string, unknown> = {}) => ({
  id: '01INC',
  reference: 'INC-7',
  name: 'Deploy failed',
  summary: `Broken.\n\n${marker('Deploy@main')}`,
  creator: { api_key: { id: '01KEY', name: 'CI' } },
  incident_status: statuses[0],
  mode: 'standard',
  created_at: '2026-11-26T10:00:00Z',
  ...over,
});

describe("a fork's run never resolves", () => {
  it.each([
    ['resolve by incident-id', { job: 'resolve', 'api-key': KEY, 'incident-id': 'INC-7' }],
    ['resolve by incident-key', { job: 'resolve', 'api-key': KEY, 'incident-key': 'Deploy@main' }],
    ['resolve by incident-key, as a dry run', { job: 'resolve', 'api-key': KEY, 'incident-key': 'Deploy@main', 'dry-run': 'true' }],
    ['a resolved alert', { ...ALERT, 'alert-status': 'resolved' }],
  ])('%s: refused with a notice, nothing sent, green, skipped=true', async (_what, inputs) => {
    const r = await runWith(fork({ conclusion: 'success' }), inputs);
    expect(r.failed).toBeUndefined();
    expect(r.calls).toHaveLength(0);
    expect(r.outputs).toEqual({ skipped: 'true' });
    expect(r.log).toContainEqual({
      level: 'notice',
      message: expect.stringMatching(
        /^Skipped: this run came from the fork mallory\/shop, not from acme\/shop, and a fork's run never resolves/,
      ),
    });
  });

  it('nor does a watched run whose event does not name its head repository', async () => {
    const r = await runWith(watcher({ head_repository: null, conclusion: 'success' }), { ...ALERT, 'alert-status': 'resolved' });
    expect(r.calls).toHaveLength(0);
    expect(r.outputs['skipped']).toBe('true');
    expect(r.said).toMatch(/may come from a fork/);
  });

  it("fires a fork's failure under the fork's own key and name, never the repository's", async () => {
    const r = await runWith(fork(), ALERT, [json(202, { status: 'success', message: 'ok' })]);
    expect(r.calls[0]!.body).toMatchObject({
      title: 'Workflow "Deploy" failed in mallory/shop:main (run #77)',
      deduplication_key: 'github-actions/acme/shop/Deploy/mallory/shop:main',
      metadata: { repository: 'acme/shop', head_repository: 'mallory/shop', conclusion: 'failure' },
    });
    expect(r.outputs['skipped']).toBe('false');
  });

  it("keeps today's deduplication key for the repository's own runs", () => {
    const own = readRunContext(watcher(), env);
    expect(defaultDeduplicationKey(own)).toBe('github-actions/acme/shop/Deploy/refs/heads/main');
    expect(defaultDeduplicationKey(readRunContext(pushContext, env))).toBe('github-actions/acme/shop/Deploy/refs/heads/main');
    expect(defaultDeduplicationKey(readRunContext(fork(), env))).toBe('github-actions/acme/shop/Deploy/mallory/shop:main');
  });

  it("searches a fork's incident-key under the fork's token, so it never follows up production's incident", async () => {
    const production = ours({ summary: `Broken.\n\n${marker('Deploy@main')}` });
    const r = await runWith(fork(), { 'api-key': KEY, severity: 'Major', 'incident-key': 'Deploy@main', 'dry-run': 'true' }, [
      json(200, { severities: [{ id: 'sev-major', name: 'Major', rank: 2 }] }),
      json(200, { incidents: [production], pagination_meta: {} }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.said).not.toMatch(/post an update|already open/);
    const forkToken = keyToken({ repository: 'acme/shop', fork: 'mallory/shop' }, 'Deploy@main');
    expect(r.said).toContain(forkToken);
    expect(r.said).toContain('Workflow \\"Deploy\\" failed in mallory/shop:main (run #77)');
  });
});

describe('a watched run that did not fail', () => {
  it.each(['success', 'skipped', 'neutral'])(
    'declares nothing when it ended "%s": skipped, with a notice naming it',
    async (conclusion) => {
      const r = await runWith(watcher({ conclusion }), { 'api-key': KEY, severity: 'Major' });
      expect(r.failed).toBeUndefined();
      expect(r.calls).toHaveLength(0);
      expect(r.outputs).toMatchObject({ skipped: 'true', created: 'false' });
      expect(r.log).toContainEqual({
        level: 'notice',
        message: expect.stringContaining(
          `Skipped: the watched run of "Deploy" in acme/shop@main ended with conclusion "${conclusion}", not a failure`,
        ),
      });
    },
  );

  it('fires no alert when it succeeded, but a resolved alert goes ahead', async () => {
    const firing = await runWith(watcher({ conclusion: 'success' }), ALERT);
    expect(firing.calls).toHaveLength(0);
    expect(firing.outputs['skipped']).toBe('true');
    const resolved = await runWith(watcher({ conclusion: 'success' }), { ...ALERT, 'alert-status': 'resolved' }, [
      json(202, { status: 'success', message: 'ok' }),
    ]);
    expect(resolved.calls).toHaveLength(1);
    expect(resolved.calls[0]!.body).toMatchObject({ status: 'resolved', title: 'Workflow "Deploy" recovered in acme/shop@main (run #77)' });
    expect(resolved.outputs['skipped']).toBe('false');
  });

  it('resolves by key on a green run, as asked', async () => {
    const r = await runWith(watcher({ conclusion: 'success' }), { job: 'resolve', 'api-key': KEY, 'incident-key': 'Deploy@main' }, [
      json(200, { incidents: [ours()], pagination_meta: {} }),
      json(200, { incident_statuses: statuses }),
      json(200, { incident: ours() }),
      json(200, { incident: ours({ incident_status: statuses[1] }) }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.outputs['status']).toBe('Documenting');
  });

  it('declares a cancelled run as cancelled, not failed', async () => {
    const r = await runWith(watcher({ conclusion: 'cancelled' }), { 'api-key': KEY, severity: 'Major', 'dry-run': 'true' }, [
      json(200, { severities: [{ id: 'sev-major', name: 'Major', rank: 2 }] }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.said).toContain('"name": "Workflow \\"Deploy\\" was cancelled in acme/shop@main (run #77)"');
    expect(r.said).toContain('- Conclusion: `cancelled`');
    expect(r.said).not.toMatch(/ failed in /);
  });
});

describe('incident-key: only provably our own, never one that is over', () => {
  const byKey = { job: 'resolve', 'api-key': KEY, 'incident-key': 'Deploy@main' };

  it('leaves a responder’s incident that quotes the marker alone, and names it', async () => {
    const quoting = ours({ id: '01P', reference: 'INC-9', creator: { user: { id: 'U1', name: 'Bob' } } });
    const r = await runWith(pushContext, byKey, [
      json(200, { incidents: [quoting], pagination_meta: {} }),
      json(200, { incident_statuses: statuses }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    expect(r.said).toMatch(/Left alone: INC-9 \(a person created it, not the action/);
    expect(r.said).toMatch(/No incident is open for incident-key "Deploy@main"/);
  });

  it('reads each incident again right before moving it, and never moves one that ended since the list', async () => {
    const r = await runWith(pushContext, byKey, [
      json(200, { incidents: [ours()], pagination_meta: {} }),
      json(200, { incident_statuses: statuses }),
      json(200, { incident: ours({ incident_status: statuses[2] }) }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /v2/incidents',
      'GET /v1/incident_statuses',
      'GET /v2/incidents/01INC',
    ]);
    expect(r.said).toMatch(/INC-7 was ended while this step ran \(status "Closed"\); left as it is\./);
    expect(r.said).toMatch(/Nothing left to resolve for incident-key "Deploy@main": INC-7 ended while this step ran/);
  });

  it("says so, and does not call it resolved, when the move's answer shows the incident closed by someone else", async () => {
    const r = await runWith(pushContext, byKey, [
      json(200, { incidents: [ours()], pagination_meta: {} }),
      json(200, { incident_statuses: statuses }),
      json(200, { incident: ours() }),
      json(200, { incident: ours({ incident_status: statuses[2] }) }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.said).toMatch(
      /INC-7 was ended by someone else while this step moved it to "Documenting": .* "Closed" \(closed\), and it stays there\./,
    );
    expect(r.said).not.toMatch(/Resolved 1 incident/);
  });

  it('by incident-id too: a move answered with a closed incident is reported as already resolved', async () => {
    const r = await runWith(pushContext, { job: 'resolve', 'api-key': KEY, 'incident-id': 'INC-7' }, [
      json(200, { incident: ours() }),
      json(200, { incident_statuses: statuses }),
      json(200, { incident: ours({ incident_status: statuses[2] }) }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.said).toMatch(/ended by someone else/);
    expect(r.said).toMatch(/is already resolved \(status "Closed"\)/);
  });

  it("declares a new incident when the follow-up's answer shows the open incident closed meanwhile", async () => {
    const created = {
      ...ours({ id: '01NEW', reference: 'INC-8' }),
      created_at: new Date(Date.parse('2026-11-26T12:00:00Z')).toISOString(),
    };
    const r = await runWith(pushContext, { 'api-key': KEY, severity: 'Major', 'incident-key': 'Deploy@main' }, [
      json(200, { severities: [{ id: 'sev-major', name: 'Major', rank: 2 }] }),
      json(200, { incidents: [ours()], pagination_meta: {} }),
      json(201, {
        incident_update: { id: 'u1', incident_id: '01INC', new_incident_status: statuses[2], created_at: '2026-11-26T12:00:00Z' },
      }),
      json(200, { incident: created }),
      json(200, { incidents: [created], pagination_meta: {} }),
      json(201, { incident_attachment: { id: 'a1' } }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.said).toMatch(/INC-7: Deploy failed was closed \(status "Closed", closed\) between the search and this run's update/);
    expect(r.calls.map((c) => `${c.method} ${c.path}`).slice(0, 4)).toEqual([
      'GET /v1/severities',
      'GET /v2/incidents',
      'POST /v2/incident_updates',
      'POST /v2/incidents',
    ]);
    expect(r.outputs).toMatchObject({ 'incident-reference': 'INC-8', created: 'true' });
  });
});

describe('update with a summary', () => {
  it("keeps the incident's own marker (its last line), never another key's quoted above it", async () => {
    const own = marker('Deploy@main');
    const other = marker('Deploy@release', 'github-actions/acme/shop/runs/2');
    const incident = ours({ summary: `See also:\n\n${other}\n\nBroken.\n\n${own}` });
    const r = await runWith(pushContext, { job: 'update', 'api-key': KEY, 'incident-id': 'INC-7', summary: 'Rolling back.' }, [
      json(200, { incident }),
      json(200, { incident: { ...incident, summary: 'edited' } }),
    ]);
    expect(r.failed).toBeUndefined();
    const sent = (r.calls[1]!.body!['incident'] as { summary: string }).summary;
    expect(sent.split('\n').pop()).toBe(own);
    expect(sent).not.toContain(other);
    expect(sent).toMatch(/^Rolling back\./);
  });

  it('carries no marker when the last line is not one', async () => {
    const incident = ours({ summary: `${marker('Deploy@main')}\n\nA note below it.` });
    const r = await runWith(pushContext, { job: 'update', 'api-key': KEY, 'incident-id': 'INC-7', summary: 'Rolling back.' }, [
      json(200, { incident }),
      json(200, { incident }),
    ]);
    expect((r.calls[1]!.body!['incident'] as { summary: string }).summary).not.toMatch(/iokey-/);
  });
});

describe('a key is never an input error for what it holds', () => {
  it('shortens a key over the limit deterministically, keeping its start and a hash of the whole', () => {
    const long = `Deploy@${'feature/'.repeat(40)}x`;
    const short = shortenKey(long, MAX_INCIDENT_KEY);
    expect(short).toHaveLength(MAX_INCIDENT_KEY);
    expect(short.startsWith('Deploy@feature/feature/')).toBe(true);
    expect(short).toMatch(/\u2026#[0-9a-f]{16}$/);
    expect(shortenKey(long, MAX_INCIDENT_KEY)).toBe(short);
    expect(shortenKey(`${long}y`, MAX_INCIDENT_KEY)).not.toBe(short);
    expect(shortenKey('Deploy@main', MAX_INCIDENT_KEY)).toBe('Deploy@main');
    // A character outside the BMP at the cut is never split in two.
    const emoji = shortenKey('\u{1F680}'.repeat(150), MAX_INCIDENT_KEY);
    expect(emoji).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it.each([
    ['a 250-character branch name', `Deploy@${'b'.repeat(250)}`],
    ['a line break from event text', 'Deploy@main\nsecond line'],
  ])('takes %s and searches under it', async (_what, key) => {
    const r = await runWith(pushContext, { job: 'resolve', 'api-key': KEY, 'incident-key': key }, [
      json(200, { incidents: [], pagination_meta: {} }),
      json(200, { incident_statuses: statuses }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.said).toMatch(/No incident is open for incident-key/);
  });
});

describe('the "failed again" update', () => {
  const jobs = { notices: [], failed: [] };
  it("names a fork's run by the fork, and a cancelled watched run as cancelled", () => {
    expect(followUpMessage(readRunContext(fork(), env), jobs)).toBe(
      'Workflow "Deploy" failed again in mallory/shop:main: [run #77](https://github.com/acme/shop/actions/runs/2002).',
    );
    expect(followUpMessage(readRunContext(watcher({ conclusion: 'cancelled' }), env), jobs)).toMatch(
      /^Workflow "Deploy" was cancelled in acme\/shop@main: \[run #77\]/,
    );
    expect(followUpMessage(readRunContext(pushContext, env), jobs)).toMatch(
      /^Workflow "Deploy" failed again in acme\/shop@main: \[run #7\]/,
    );
  });
});
