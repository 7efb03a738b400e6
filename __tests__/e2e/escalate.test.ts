/**
 * End-to-end for paging (issue 19 §1, §2, §5): the bundle's escalate/ job and the declare job's
 * `escalation-path`, run as child processes against the sandbox, with lost answers injected.
 * Exactly once over re-runs; a cancel run twice cancels once and stays green; unknown paths fail
 * before any write, with suggestions; `mode: test` and a fork's run page no one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../../scripts/run-action.mjs';
import { ONCALL_IDS } from '../../sandbox/seed.mjs';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();

const api = () => ({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url });
const writes = () => sandbox.requests.filter((r) => r.method === 'POST');
const escalationPosts = () => sandbox.requests.filter((r) => r.route === 'POST /v2/escalations');
const cancels = () => sandbox.requests.filter((r) => r.route === 'POST /v2/escalations/:id/actions/cancel');
/** A re-run of run 1001: the same run ID, the next attempt. */
const attempt = (n: number) => ({ GITHUB_RUN_ATTEMPT: String(n) });
const lostAnswer = (route: string) => sandbox.fault(route, { type: 'reset', after: 'process' });

const dir = mkdtempSync(join(tmpdir(), 'escalate-e2e-'));
/** A `workflow_run` watcher's environment for a watched run that failed, from `head` (a fork when not acme/shop). */
function watcherEnv(head: string): Record<string, string> {
  const payload = {
    workflow_run: {
      id: 3001,
      run_number: 9,
      run_attempt: 1,
      name: 'Deploy',
      head_sha: 'feedfacecafebeef00112233445566778899aabb',
      head_branch: 'main',
      head_repository: { full_name: head },
      conclusion: 'failure',
      event: 'push',
    },
  };
  const path = join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return { GITHUB_EVENT_NAME: 'workflow_run', GITHUB_EVENT_PATH: path, GITHUB_WORKFLOW: 'Watch deploys', GITHUB_RUN_ID: '4001' };
}

describe('escalate/: exactly once', () => {
  it('one failed run, re-run twice with a lost answer each time, pages exactly once', async () => {
    const page = (n: number) => runAction({ ...api(), 'escalation-path': 'platform' }, { job: 'escalate', env: attempt(n) });
    lostAnswer('POST /v2/escalations');
    const first = await page(1);
    lostAnswer('POST /v2/escalations');
    const second = await page(2);
    lostAnswer('POST /v2/escalations');
    const third = await page(3);
    for (const run of [first, second, third]) expect(run.code).toBe(0);
    expect(first.stdout).toMatch(/incident\.io POST \/v2\/escalations lost the connection to 127\.0\.0\.1:\d+ \(\w+\); retrying/);
    expect(sandbox.escalations()).toHaveLength(1);
    const [escalation] = sandbox.escalations();
    expect([first, second, third].map((r) => r.outputs)).toEqual([
      { 'escalation-id': escalation.id, 'escalation-status': 'triggered', created: 'true', skipped: 'false' },
      { 'escalation-id': escalation.id, 'escalation-status': 'triggered', created: 'false', skipped: 'false' },
      { 'escalation-id': escalation.id, 'escalation-status': 'triggered', created: 'false', skipped: 'false' },
    ]);
    // Each lost answer was retried with the same key: six requests, one escalation.
    expect(escalationPosts()).toHaveLength(6);
    expect(new Set(escalationPosts().map((r) => r.body.idempotency_key)).size).toBe(1);
    expect(escalation.events[0].users.map((u: { name: string }) => u.name)).toEqual(['Olivia Override']);
    expect(third.stdout).toContain('Nobody was paged again.');
    expect(first.summary).toContain('### incident.io: paged');
    expect(first.summary).toContain('Olivia Override');
  });
});

describe('escalate/: cancel when it is fixed', () => {
  const page = (runId: number) =>
    runAction(
      { ...api(), 'escalation-path': 'Platform', 'escalation-key': 'deploy-production' },
      { job: 'escalate', env: { GITHUB_RUN_ID: String(runId) } },
    );
  const cancel = () =>
    runAction(
      { ...api(), 'escalation-status': 'cancelled', 'escalation-key': 'deploy-production' },
      { job: 'escalate', env: { GITHUB_RUN_ID: '1101' } },
    );

  it('run twice, cancels once, and both runs are green; another key is untouched', async () => {
    expect((await page(1001)).code).toBe(0);
    const other = await runAction(
      { ...api(), 'escalation-path': 'Platform', 'escalation-key': 'deploy-production-api' },
      { job: 'escalate', env: { GITHUB_RUN_ID: '1002' } },
    );
    expect(other.code).toBe(0);
    lostAnswer('POST /v2/escalations/:id/actions/cancel');
    const first = await cancel();
    const second = await cancel();
    expect([first.code, second.code]).toEqual([0, 0]);
    const [ours, theirs] = sandbox.escalations();
    expect([ours.status, theirs.status]).toEqual(['cancelled', 'triggered']);
    expect(first.outputs).toMatchObject({ 'escalation-id': ours.id, 'escalation-status': 'cancelled', created: 'false' });
    expect(first.stdout).toMatch(/::notice title=incident\.io page cancelled::Cancelled 1 escalation of acme\/shop/);
    expect(second.stdout).toMatch(
      /::notice title=incident\.io nothing to cancel::Nothing to cancel: no escalation that steps of acme\/shop \("escalation-key" "deploy-production"\) made still pages anyone\./,
    );
    expect(second.outputs).toMatchObject({ 'escalation-id': '', skipped: 'false' });
    // The lost answer was retried (a repeat is a no-op); the second run sent no cancel at all.
    expect(cancels().every((r) => r.path === `/v2/escalations/${ours.id}/actions/cancel`)).toBe(true);
    expect(cancels()).toHaveLength(2);
    expect(sandbox.escalations().filter((e) => e.events.some((ev: { event: string }) => ev.event === 'cancelled'))).toHaveLength(1);
    // A cancelled page is never re-sent: a re-run of the failed run gets the cancelled escalation back.
    const rerun = await runAction(
      { ...api(), 'escalation-path': 'Platform', 'escalation-key': 'deploy-production' },
      { job: 'escalate', env: { GITHUB_RUN_ID: '1001', GITHUB_RUN_ATTEMPT: '2' } },
    );
    expect(rerun.code).toBe(0);
    expect(rerun.outputs).toMatchObject({ 'escalation-id': ours.id, 'escalation-status': 'cancelled', created: 'false' });
    expect(sandbox.escalations()).toHaveLength(2);
    expect(rerun.stdout).toContain('It was cancelled since, and a cancelled page is not sent again.');
  });

  it('a cancel without escalation-key is an input error, before any request', async () => {
    const result = await runAction({ ...api(), 'escalation-status': 'cancelled' }, { job: 'escalate' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Input "escalation-status" is "cancelled"');
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('unknown paths fail before any write, with suggestions', () => {
  it('escalate/: an unknown path, and a shared name with its IDs', async () => {
    const unknown = await runAction({ ...api(), 'escalation-path': 'Platfrom' }, { job: 'escalate' });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(
      /Input "escalation-path" is "Platfrom", which is not an escalation path in this incident\.io workspace\. Available: .*Did you mean "Platform"\?/,
    );
    const shared = await runAction({ ...api(), 'escalation-path': 'database' }, { job: 'escalate' });
    expect(shared.code).toBe(1);
    expect(shared.stdout).toContain(ONCALL_IDS.databasePaths[1]);
    expect(writes()).toEqual([]);
  });

  it('escalate/: with another mistake in the step, the path is still checked, in the same run', async () => {
    const result = await runAction({ ...api(), 'escalation-path': 'Platfrom', 'incident-id': 'INC 1' }, { job: 'escalate' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Input "incident-id" is "INC 1"');
    expect(result.stdout).toContain('Did you mean "Platform"?');
    expect(writes()).toEqual([]);
  });

  it('declare: an unknown path declares nothing, and is reported with the other mistakes', async () => {
    const result = await runAction({ ...api(), severity: 'Major', 'escalation-path': 'Platfrom' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Input "escalation-path" is "Platfrom", .*Did you mean "Platform"\?/);
    const both = await runAction({ ...api(), severity: 'Majr', 'escalation-path': 'Platfrom', visibility: 'secret' });
    expect(both.code).toBe(1);
    expect(both.stdout).toContain('Input "visibility" is "secret"');
    expect(both.stdout).toMatch(/Did you mean "Platform"\?/);
    expect(writes()).toEqual([]);
    expect(sandbox.incidents()).toHaveLength(0);
  });

  it('declare: escalation-path with mode: retrospective is an input error, before any request', async () => {
    const result = await runAction({ ...api(), mode: 'retrospective', 'escalation-path': 'Platform' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Input "escalation-path" is "Platform", but "mode" is "retrospective"');
    expect(writes()).toEqual([]);
  });
});

describe('declare with escalation-path', () => {
  const declare = (n: number, extra: Record<string, string> = {}) =>
    runAction({ ...api(), severity: 'Major', 'escalation-path': 'Platform', ...extra }, { env: attempt(n) });

  it('pages its own incident once over a re-run, lost answers included, linked to the incident', async () => {
    lostAnswer('POST /v2/escalations');
    const first = await declare(1);
    lostAnswer('POST /v2/escalations');
    const second = await declare(2);
    const third = await declare(3);
    for (const run of [first, second, third]) expect(run.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(sandbox.escalations()).toHaveLength(1);
    const [incident] = sandbox.incidents();
    const [escalation] = sandbox.escalations();
    expect(escalation._incidentId).toBe(incident.id);
    expect(escalation.title).toBe(`INC-1: ${incident.name}`);
    for (const run of [first, second, third]) {
      expect(run.outputs).toMatchObject({ 'incident-id': incident.id, 'escalation-id': escalation.id });
    }
    expect(first.stdout).toMatch(/::notice title=incident\.io page sent::Paged the escalation path "Platform" for INC-1/);
    expect(third.stdout).toMatch(/::notice title=incident\.io page already sent::.*Nobody was paged again\./);
    expect(first.summary).toMatch(/- \*\*Paged:\*\* Platform \(escalation `\w+`, status `triggered`\); notified so far: Olivia Override/);
  });

  it('a page that fails leaves the incident and its outputs, fails the step, and a re-run pages', async () => {
    sandbox.fault('POST /v2/escalations', { type: 'error', status: 403, code: 'forbidden', message: 'Forbidden' });
    const failed = await declare(1);
    expect(failed.code).toBe(1);
    expect(failed.outputs).toMatchObject({ 'incident-reference': 'INC-1', created: 'true' });
    expect(failed.outputs['escalation-id'] ?? '').toBe('');
    expect(failed.stdout).toMatch(
      /::error::INC-1 was declared, but paging the escalation path "Platform" for it failed: .*escalations\.create/,
    );
    expect(failed.summary).toContain('### incident.io: Declared INC-1');
    const again = await declare(2);
    expect(again.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(sandbox.escalations()).toHaveLength(1);
    expect(again.outputs['escalation-id']).toBe(sandbox.escalations()[0].id);
  });

  it('with fail-on-error: false, a failed page is a warning and the incident stands', async () => {
    sandbox.fault('POST /v2/escalations', { type: 'error', status: 403, code: 'forbidden', message: 'Forbidden' });
    const result = await declare(1, { 'fail-on-error': 'false' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/::warning[^:]*::INC-1 was declared, but paging the escalation path "Platform" for it failed/);
    expect(result.outputs['incident-id']).toBe(sandbox.incidents()[0].id);
  });

  it('a mode: test declare pages no one, says so, and still checks the path', async () => {
    const result = await declare(1, { mode: 'test' });
    expect(result.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(sandbox.escalations()).toHaveLength(0);
    expect(escalationPosts()).toHaveLength(0);
    expect(result.stdout).toMatch(
      /::notice title=incident\.io page skipped::Not paged: "mode" is "test", and incident\.io escalations have no test mode/,
    );
    expect(result.summary).toMatch(/- \*\*Paged:\*\* no one: "mode" is "test"/);
    const typo = await declare(2, { mode: 'tutorial', 'escalation-path': 'Platfrom' });
    expect(typo.code).toBe(1);
    expect(typo.stdout).toContain('Did you mean "Platform"?');
  });

  it("an incident-key follow-up to another run's open incident pages no one", async () => {
    const key = { 'incident-key': 'Deploy@main' };
    const first = await runAction(
      { ...api(), severity: 'Major', 'escalation-path': 'Platform', ...key },
      { env: { GITHUB_RUN_ID: '5001' } },
    );
    expect(first.code).toBe(0);
    const next = await runAction(
      { ...api(), severity: 'Major', 'escalation-path': 'Platform', ...key },
      { env: { GITHUB_RUN_ID: '5002' } },
    );
    expect(next.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(sandbox.escalations()).toHaveLength(1);
    expect(next.stdout).toMatch(
      /::notice title=incident\.io page skipped::Not paged: this run posted an update to INC-1, which another run declared/,
    );
    // A re-run of the first run finds its own incident through the key, and its page already sent.
    const rerun = await runAction(
      { ...api(), severity: 'Major', 'escalation-path': 'Platform', ...key },
      { env: { GITHUB_RUN_ID: '5001', GITHUB_RUN_ATTEMPT: '2' } },
    );
    expect(rerun.code).toBe(0);
    expect(rerun.outputs['escalation-id']).toBe(sandbox.escalations()[0].id);
    expect(sandbox.escalations()).toHaveLength(1);
  });

  it('a dry run says what it would page, and pages no one', async () => {
    const result = await declare(1, { 'dry-run': 'true' });
    expect(result.code).toBe(0);
    expect(writes()).toEqual([]);
    expect(result.stdout).toMatch(
      /Dry run: once the incident is declared, this step would send POST .*\/v2\/escalations to page the escalation path "Platform"/,
    );
    expect(result.summary).toMatch(/- \*\*Would page:\*\* Platform/);
  });
});

describe("a fork's run pages no one", () => {
  it('escalate/: skipped with a notice, nothing sent', async () => {
    const result = await runAction({ ...api(), 'escalation-path': 'Platform' }, { job: 'escalate', env: watcherEnv('mallory/shop') });
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ skipped: 'true', created: 'false' });
    expect(result.stdout).toMatch(
      /::notice title=incident\.io page refused \(fork\)::Skipped: this run came from the fork mallory\/shop, .*never pages acme\/shop's on-call/,
    );
    expect(sandbox.requests).toHaveLength(0);
  });

  it("declare: the fork's incident is declared, and nobody is paged", async () => {
    const result = await runAction({ ...api(), severity: 'Major', 'escalation-path': 'Platform' }, { env: watcherEnv('mallory/shop') });
    expect(result.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(sandbox.escalations()).toHaveLength(0);
    expect(sandbox.requests.filter((r) => r.path.startsWith('/v2/escalation'))).toEqual([]);
    expect(result.stdout).toMatch(/::notice title=incident\.io page skipped::Not paged: this run came from the fork mallory\/shop/);
  });

  it("the repository's own watcher pages", async () => {
    const result = await runAction({ ...api(), 'escalation-path': 'Platform' }, { job: 'escalate', env: watcherEnv('acme/shop') });
    expect(result.code).toBe(0);
    expect(sandbox.escalations()).toHaveLength(1);
  });
});
