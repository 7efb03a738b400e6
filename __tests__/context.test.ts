import {
  contextBlock,
  defaultIdempotencyKey,
  defaultIncidentName,
  incidentSummary,
  readRunContext,
  type GitHubContext,
} from '../src/github/context.js';

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
