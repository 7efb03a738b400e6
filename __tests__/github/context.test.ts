import {
  contextBlock,
  defaultIncidentName,
  foreignRun,
  incidentSummary,
  readRunContext,
  runOutcome,
  runPlace,
  type GitHubContext,
} from '../../src/github/context.js';
import { defaultIdempotencyKey } from '../../src/github/keys.js';

const ghContext: GitHubContext = {
  serverUrl: 'https://ghe.example.com',
  apiUrl: 'https://ghe.example.com/api/v3',
  workflow: 'Deploy [prod]',
  runId: 987654,
  runNumber: 42,
  runAttempt: 2,
  sha: 'abcdef1234567890',
  ref: 'refs/heads/main',
  actor: 'octo_cat',
  eventName: 'push',
  job: 'deploy',
  payload: {},
};
const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main' };

describe('context', () => {
  const run = readRunContext(ghContext, env);

  it('builds links from GITHUB_SERVER_URL (GitHub Enterprise Server)', () => {
    expect(contextBlock(run).source).toBe(
      [
        '**GitHub Actions context**',
        '- Repository: [acme/shop](https://ghe.example.com/acme/shop)',
        '- Workflow: Deploy \\[prod\\], [run #42](https://ghe.example.com/acme/shop/actions/runs/987654)',
        '- Job: `deploy`',
        '- Commit: [`abcdef1`](https://ghe.example.com/acme/shop/commit/abcdef1234567890)',
        '- Ref: `refs/heads/main`',
        '- Actor: octo\\_cat',
        '- Event: `push`',
        '- Attempt: 2',
      ].join('\n'),
    );
  });

  it('names the workflow, repository, ref and run number by default', () => {
    expect(defaultIncidentName(run)).toBe('Workflow "Deploy [prod]" failed in acme/shop@main (run #42)');
    expect(defaultIncidentName({ ...run, eventName: 'workflow_dispatch' })).toBe(
      'Workflow "Deploy [prod]" declared an incident in acme/shop@main (run #42)',
    );
  });

  it('keys the incident by repository and run ID, not attempt', () => {
    expect(defaultIdempotencyKey(run)).toBe('github-actions/acme/shop/runs/987654');
    expect(defaultIdempotencyKey({ ...run, runAttempt: 3 })).toBe(defaultIdempotencyKey(run));
  });

  it('refuses to invent a key outside GitHub Actions', () => {
    const local = readRunContext({ ...ghContext, runId: NaN }, {});
    expect(() => defaultIdempotencyKey(local)).toThrow(/Input "idempotency-key" is empty.*GITHUB_RUN_ID/);
  });

  it('appends the block to the summary, or uses it alone', () => {
    expect(incidentSummary('  Checkout is down.  ', run)).toBe(`Checkout is down.\n\n${contextBlock(run).source}`);
    expect(incidentSummary('', run)).toBe(contextBlock(run).source);
  });

  it('reads the ref name from the ref when GITHUB_REF_NAME is absent, and tolerates a bare context', () => {
    expect(readRunContext(ghContext, { GITHUB_REPOSITORY: 'acme/shop' }).refName).toBe('main');
    const bare = readRunContext(
      {
        ...ghContext,
        serverUrl: '',
        workflow: '',
        runId: NaN,
        runNumber: NaN,
        runAttempt: NaN,
        sha: '',
        ref: '',
        actor: '',
        eventName: '',
        job: '',
      },
      {},
    );
    expect(contextBlock(bare).source).toBe('**GitHub Actions context**');
    expect(defaultIncidentName(bare)).toBe('Workflow GitHub Actions failed in an unknown repository');
  });
});

describe('a workflow_run watcher', () => {
  const watched = (run: Record<string, unknown>) =>
    readRunContext(
      {
        ...ghContext,
        eventName: 'workflow_run',
        runAttempt: 1,
        payload: { workflow_run: { id: 555, run_number: 9, name: 'Deploy', ...run } },
      },
      env,
    );

  it("takes the watched run's attempt and commit, not the watcher's", () => {
    const run = watched({ run_attempt: 3, head_sha: 'fedcba9876543210', head_branch: 'release' });
    expect([run.runId, run.runAttempt, run.sha, run.ref]).toEqual([555, 3, 'fedcba9876543210', 'refs/heads/release']);
  });

  it("leaves the commit empty when the payload has none, rather than show the watcher's", () => {
    expect(watched({ run_attempt: 1 }).sha).toBe('');
  });
});

describe('forks', () => {
  const at = (eventName: string, payload: Record<string, unknown>, ref = 'refs/heads/main') =>
    readRunContext({ ...ghContext, eventName, ref, payload }, { GITHUB_REPOSITORY: 'acme/shop' });
  const watcher = (run: Record<string, unknown>) =>
    at('workflow_run', {
      workflow_run: { id: 555, run_number: 9, name: 'Deploy', head_branch: 'main', conclusion: 'failure', ...run },
    });

  it("keeps today's names for the repository's own runs", () => {
    const own = watcher({ head_repository: { full_name: 'acme/shop' } });
    expect(own.fork).toBeUndefined();
    expect(own.headRepository).toBe('acme/shop');
    expect(defaultIncidentName(own)).toBe('Workflow "Deploy" failed in acme/shop@main (run #9)');
    expect(defaultIncidentName(readRunContext(ghContext, env))).toBe('Workflow "Deploy [prod]" failed in acme/shop@main (run #42)');
    expect(foreignRun(own)).toBeUndefined();
    expect(foreignRun(readRunContext(ghContext, env))).toBeUndefined();
    // GitHub compares repository names without case.
    expect(watcher({ head_repository: { full_name: 'ACME/Shop' } }).fork).toBeUndefined();
  });

  it("names a watched fork's run by the fork and its branch, never as the repository's", () => {
    const run = watcher({ head_repository: { full_name: 'mallory/shop' } });
    expect(run.fork).toEqual({ repository: 'mallory/shop', branch: 'main' });
    expect(runPlace(run)).toBe('mallory/shop:main');
    expect(defaultIncidentName(run)).toBe('Workflow "Deploy" failed in mallory/shop:main (run #9)');
    expect(defaultIncidentName(run, true)).toBe('Workflow "Deploy" recovered in mallory/shop:main (run #9)');
    expect(contextBlock(run).source).toContain('- Head: `mallory/shop:main` (a fork: its owner chose its code and branch name)');
    expect(foreignRun(run)).toBe('this run came from the fork mallory/shop, not from acme/shop');
  });

  it("names a fork's pull request by its head repository and head branch (pull_request_target runs on the base ref)", () => {
    const pull = (head: unknown) => ({ pull_request: { number: 7, html_url: 'https://github.com/acme/shop/pull/7', head } });
    const run = at('pull_request_target', pull({ ref: 'feature', repo: { full_name: 'mallory/shop' } }));
    expect(runPlace(run)).toBe('mallory/shop:feature');
    expect(foreignRun(run)).toMatch(/fork mallory\/shop/);
    const own = at('pull_request', pull({ ref: 'feature', repo: { full_name: 'acme/shop' } }), 'refs/pull/7/merge');
    expect(own.fork).toBeUndefined();
    // A deleted fork: the event does not say where the code came from, so the run may not resolve.
    expect(foreignRun(at('pull_request_target', pull({ ref: 'feature', repo: null })))).toMatch(/may come from a fork/);
    expect(foreignRun(watcher({}))).toMatch(/does not name the watched run's head repository/);
  });
});

describe("a watched run's conclusion", () => {
  const watched = (conclusion: unknown) =>
    readRunContext(
      {
        ...ghContext,
        eventName: 'workflow_run',
        payload: {
          workflow_run: {
            id: 5,
            run_number: 9,
            name: 'Deploy',
            head_branch: 'main',
            head_repository: { full_name: 'acme/shop' },
            conclusion,
          },
        },
      },
      env,
    );

  it('is said as it is: a run that did not fail is never called failed', () => {
    const said = (c: unknown) => defaultIncidentName(watched(c));
    expect(said('failure')).toBe('Workflow "Deploy" failed in acme/shop@main (run #9)');
    expect(said('cancelled')).toBe('Workflow "Deploy" was cancelled in acme/shop@main (run #9)');
    expect(said('timed_out')).toBe('Workflow "Deploy" timed out in acme/shop@main (run #9)');
    expect(said('startup_failure')).toBe('Workflow "Deploy" failed to start in acme/shop@main (run #9)');
    expect(said('success')).toBe('Workflow "Deploy" succeeded in acme/shop@main (run #9)');
    expect(said('skipped')).toBe('Workflow "Deploy" was skipped in acme/shop@main (run #9)');
    expect(said('stale')).toBe('Workflow "Deploy" ended with conclusion "stale" in acme/shop@main (run #9)');
    expect(said(null)).toBe('Workflow "Deploy" has not completed in acme/shop@main (run #9)');
    // A watched manual run that failed is a failure, not "declared an incident".
    expect(defaultIncidentName({ ...watched('failure'), eventName: 'workflow_dispatch' })).toMatch(/ failed in /);
    expect(runOutcome(readRunContext(ghContext, env))).toBe('failed');
    expect(contextBlock(watched('cancelled')).source).toContain('- Conclusion: `cancelled`');
  });
});
