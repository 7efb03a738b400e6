/**
 * End-to-end, the bundle against the sandbox, for the boundaries of issue 21:
 * - GitHub answers of the wrong shape never keep the incident from being declared (with
 *   `fail-on-error: false` too: declared, not a green step with nobody paged);
 * - lookups that only enrich share a 3 s budget and never hold the create past it, whatever the
 *   fault (503, no answer, a 429 asking for 100 s);
 * - matrix legs of one run that fail at the same moment: one `created=true`, one run attachment;
 * - a heartbeat is sent only when incident.io's answer says so; links are compared with their
 *   fragment, and a link attached once for two is said.
 */
import { runAction } from '../../scripts/run-action.mjs';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();
const base = () => ({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major' });
const withGitHub = () => ({ ...base(), 'github-token': sandbox.githubToken });
const github = () => ({ GITHUB_API_URL: `${sandbox.url}/github` });
const RUN_URL = 'https://github.com/acme/shop/actions/runs/1001';

/** Fails with the run's output when it did not exit with `code`, so a failure says why. */
function expectExit(result: { code: number | null; stdout: string; stderr: string }, code: number): void {
  if (result.code !== code) throw new Error(`exit ${result.code}, not ${code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
}

describe('GitHub answers of the wrong shape never keep the incident from being declared', () => {
  const cases: [endpoint: 'jobs' | 'annotations' | 'pulls', mode: string, notice: RegExp][] = [
    [
      'jobs',
      'html',
      /declared without the list of failed jobs: GitHub's answer to GET .*\/jobs is not what the action reads \(the answer is text/,
    ],
    ['jobs', 'null', /declared without the list of failed jobs: .*the answer is null/],
    ['jobs', 'empty', /declared without the list of failed jobs: .*the answer is/],
    ['jobs', 'list', /declared without the list of failed jobs: .*the answer is a list where an object is expected/],
    ['jobs', 'jobs-object', /jobs is an object where a list is expected/],
    ['jobs', 'jobs-null', /jobs is null where a list is expected/],
    ['jobs', 'null-job', /jobs\[0\] is null where an object is expected/],
    ['jobs', 'null-step', /jobs\[0\]\.steps\[0\] is null where an object is expected/],
    ['jobs', 'steps-object', /jobs\[0\]\.steps is an object where a list is expected/],
    ['jobs', 'wrong-types', /total_count is text where a whole number is expected/],
    [
      'annotations',
      'html',
      /without their error messages: GitHub's answer to GET .*\/annotations is not what the action reads \(the answer is text/,
    ],
    ['annotations', 'null', /without their error messages: .*the answer is null where a list is expected/],
    ['annotations', 'object', /without their error messages: .*the answer is an object where a list is expected/],
    ['annotations', 'null-items', /quotes what could be read of the error messages: .*\[0\] is null/],
    ['annotations', 'wrong-types', /quotes what could be read of the error messages: .*\[0\]\.annotation_level is a number/],
    [
      'pulls',
      'html',
      /without its pull request attached: GitHub's answer to GET .*\/pulls is not what the action reads \(the answer is text/,
    ],
    ['pulls', 'null', /without its pull request attached: .*the answer is null/],
    ['pulls', 'object', /without its pull request attached: .*the answer is an object where a list is expected/],
    ['pulls', 'wrong-types', /without its pull request attached: .*left out \(\[0\]\.number is text/],
  ];

  it.each(cases)('%s answering %s: declared, with a notice naming the request', async (endpoint, mode, notice) => {
    sandbox.setGithubModes({ [endpoint]: mode });
    const result = await runAction(withGitHub(), { env: github() });
    expect({ code: result.code, created: result.outputs.created }).toEqual({ code: 0, created: 'true' });
    expect(result.stdout).toMatch(notice);
    expect(result.stdout).not.toMatch(/TypeError|is not a function|Cannot read properties/);
    expect(sandbox.incidents()).toHaveLength(1);
  });

  it.each(['jobs', 'annotations', 'pulls'] as const)(
    'with fail-on-error: false and %s answering HTML, the incident is declared, not a green step with nobody paged',
    async (endpoint) => {
      sandbox.setGithubModes({ [endpoint]: 'html' });
      const result = await runAction({ ...withGitHub(), 'fail-on-error': 'false' }, { env: github() });
      expect(result.code).toBe(0);
      expect(sandbox.incidents()).toHaveLength(1);
      expect(result.outputs.created).toBe('true');
      expect(result.stdout).not.toMatch(/::warning/);
    },
  );

  it('names a job GitHub gave no name by its ID', async () => {
    sandbox.setGithubModes({ jobs: 'nameless' });
    const result = await runAction(withGitHub(), { env: github() });
    expectExit(result, 0);
    expect(sandbox.incidents()[0].summary).toMatch(/- Job \[job 5002\]\([^)]*\) failed at \["Deploy to production"\]/);
  });

  it('lists what could be read: a failed job with a null step still names its failed step', async () => {
    sandbox.setGithubModes({ jobs: 'null-step' });
    const result = await runAction(withGitHub(), { env: github() });
    expect(result.code).toBe(0);
    expect(sandbox.incidents()[0].summary).toContain('failed at ["Deploy to production"]');
    expect(result.summary).toMatch(/What failed:\*\* \[deploy\]\([^)]*\) at "Deploy to production"/);
  });

  it('reads a listing whose pages repeat the first, up to the cap, and lists each job once', async () => {
    sandbox.setGithubModes({ jobs: 'repeat-pages' });
    const result = await runAction(withGitHub(), { env: github() });
    expect(result.code).toBe(0);
    expect(sandbox.requests.filter((r) => r.route?.endsWith('/jobs'))).toHaveLength(5);
    expect(sandbox.incidents()[0].summary.match(/- Job \[deploy\]/g)).toHaveLength(1);
  });
});

/** The create's delay: from the step's first request to the create request. */
function createDelay(): number {
  const first = Math.min(...sandbox.requests.map((r) => r.startedAt));
  const create = sandbox.requests.find((r) => r.route === 'POST /v2/incidents');
  if (!create) throw new Error(`no create among ${sandbox.requests.map((r) => r.route).join(', ')}`);
  return create.startedAt - first;
}

describe('optional lookups share a 3 s budget and never hold the create past it', () => {
  const ROUTES = {
    jobs: 'GET /github/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt/jobs',
    annotations: 'GET /github/repos/:owner/:repo/check-runs/:id/annotations',
    pulls: 'GET /github/repos/:owner/:repo/commits/:sha/pulls',
    timestamps: 'GET /v2/incident_timestamps',
  } as const;
  const FAULTS = {
    '503': { type: 'status', status: 503 },
    'no answer': { type: 'slow', delayMs: 60_000 },
    '429 asking for 100 s': { type: 'rate-limit', retryAfter: 100 },
  } as const;
  /** The budget, plus what a loaded 2-core machine adds to starting a request and the create. */
  const LIMIT_MS = 3_000 + 1_500;

  const cases = (Object.keys(ROUTES) as (keyof typeof ROUTES)[]).flatMap((lookup) =>
    (Object.keys(FAULTS) as (keyof typeof FAULTS)[]).map((fault) => [lookup, fault] as const),
  );

  it.each(cases)('%s meeting %s: the incident is declared within the budget, with a notice', async (lookup, fault) => {
    sandbox.fault(ROUTES[lookup], FAULTS[fault], 20);
    const result = await runAction(withGitHub(), { env: github() });
    expect(result.code).toBe(0);
    expect(result.outputs.created).toBe('true');
    expect(createDelay()).toBeLessThan(LIMIT_MS);
    // The step ends soon after: the pull request, waited for after the create, is bounded by the same budget.
    expect(result.ms).toBeLessThan(LIMIT_MS + 3_000);
    if (lookup === 'pulls') expect(result.stdout).toMatch(/without its pull request attached/);
    else if (lookup === 'jobs') expect(result.stdout).toMatch(/without the list of failed jobs/);
    else if (lookup === 'annotations') expect(result.stdout).toMatch(/without their error messages/);
    else expect(result.stdout).toMatch(/"Impact started" was not set from the failed jobs: the incident timestamps could not be read/);
    // Never a wait as long as the server asked for.
    expect(result.stdout).not.toMatch(/retrying in \d{2,}/);
  });

  it('does not read the timestamps when no job failed and the input names none', async () => {
    sandbox.setJobs(
      sandbox.state.jobs.map((job: { conclusion: string; steps: unknown[] }) => ({ ...job, conclusion: 'success', steps: [] })),
    );
    const result = await runAction(withGitHub(), { env: github() });
    expect(result.code).toBe(0);
    expect(sandbox.requests.some((r) => r.route === ROUTES.timestamps)).toBe(false);
  });

  it('does not read the timestamps when the jobs cannot be read', async () => {
    sandbox.setGithubModes({ jobs: 'forbidden' });
    const result = await runAction(withGitHub(), { env: github() });
    expect(result.code).toBe(0);
    expect(sandbox.requests.some((r) => r.route === ROUTES.timestamps)).toBe(false);
  });

  it('reads the timestamps alongside the annotations, once the jobs show a failure: no round trip more', async () => {
    sandbox.state.lookupDelayMs = 300;
    const result = await runAction(withGitHub(), { env: github() });
    expect(result.code).toBe(0);
    const timestamps = sandbox.requests.find((r) => r.route === ROUTES.timestamps)!;
    const annotations = sandbox.requests.find((r) => r.route === ROUTES.annotations)!;
    expect(Math.abs(timestamps.startedAt - annotations.startedAt)).toBeLessThan(150);
    expect(sandbox.incidents()[0].incident_timestamp_values).toHaveLength(1);
  });

  it("holds names the input gives to the create's own rules: a timestamps list that fails is an error, not a notice", async () => {
    sandbox.fault(ROUTES.timestamps, { type: 'status', status: 404 });
    const result = await runAction({ ...withGitHub(), timestamps: 'Reported at: now' }, { env: github() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::incident\.io GET \/v2\/incident_timestamps answered 404/);
    expect(sandbox.incidents()).toHaveLength(0);
  });
});

describe('matrix legs of one run that fail at the same moment', () => {
  it.each([2, 3])('%i legs: one reports created=true, and the run is attached once', async (legs) => {
    sandbox.state.lookupDelayMs = 50;
    const results = await Promise.all(
      Array.from({ length: legs }, (_, i) =>
        runAction(
          { ...base(), links: 'Runbook: https://runbooks.example.com/checkout' },
          { env: { GITHUB_JOB: 'deploy', RUNNER_NAME: `leg-${i}` } },
        ),
      ),
    );
    for (const result of results) expectExit(result, 0);
    expect(sandbox.incidents()).toHaveLength(1);
    const created = results.filter((r) => r.outputs.created === 'true');
    expect(created).toHaveLength(1);
    expect(new Set(results.map((r) => r.outputs['incident-id']))).toEqual(new Set([sandbox.incidents()[0].id]));
    expect(sandbox.attachments().filter((a) => a.resource.permalink === RUN_URL)).toHaveLength(1);
    expect(sandbox.attachments().filter((a) => a.resource.title === 'Runbook')).toHaveLength(1);
    // The one that stayed is the first one made, and the one that reports created=true made it.
    const kept = sandbox.attachments().find((a) => a.resource.permalink === RUN_URL);
    const posts = sandbox.requests.filter((r) => r.route === 'POST /v1/incident_attachments' && r.body.resource.url === RUN_URL);
    expect(posts.length).toBeGreaterThanOrEqual(1);
    expect([kept.id, ...sandbox.deletedAttachments().map((a: { id: string }) => a.id)].sort()[0]).toBe(kept.id);
    for (const result of results.filter((r) => r.outputs.created === 'false')) {
      if (posts.length > 1) expect(result.summary).toContain('another job of this run declared it at the same moment');
    }
    expect(created[0]!.summary).toContain('- **Created by this step:** yes');
  });

  it('without attachments.destroy, the later leg still reports created=false, and warns that the run is attached twice', async () => {
    sandbox.state.attachmentDeleteForbidden = true;
    sandbox.state.lookupDelayMs = 50;
    const results = await Promise.all([0, 1].map(() => runAction(base())));
    for (const result of results) expectExit(result, 0);
    expect(results.filter((r) => r.outputs.created === 'true')).toHaveLength(1);
    const runLinks = sandbox.attachments().filter((a) => a.resource.permalink === RUN_URL);
    if (runLinks.length === 2) {
      const loser = results.find((r) => r.outputs.created === 'false')!;
      expect(loser.stdout).toMatch(/attached twice\. .*give it the scope "attachments\.destroy"/);
    }
  });

  it('a leg that comes later reuses the incident, attaching nothing twice', async () => {
    const first = await runAction(base());
    sandbox.incidents()[0].created_at = new Date(Date.now() - 10 * 60_000).toISOString();
    const later = await runAction(base());
    expect([first.outputs.created, later.outputs.created]).toEqual(['true', 'false']);
    expect(sandbox.attachments()).toHaveLength(1);
  });
});

describe('heartbeats: sent only when incident.io says so', () => {
  const heartbeat = () => ({
    'api-url': sandbox.url,
    'alert-source-id': sandbox.heartbeatSourceId,
    'alert-token': sandbox.heartbeatToken,
  });
  const PING = 'POST /v2/heartbeat/:id/ping';

  it.each([
    [
      'status error',
      { body: { status: 'error', message: 'heartbeat source is paused' } },
      /answered 200 with \{"status":"error","message":"heartbeat source is paused"\}/,
    ],
    [
      'an HTML page with a 200',
      { raw: '<html><body>Welcome</body></html>', contentType: 'text/html' },
      /answered 200 but the body was not complete JSON/,
    ],
    ['a list', { status: 202, body: ['ok'] }, /answered 202 with \["ok"\]/],
  ])('answered with %s: an error carrying the answer, not "sent"', async (_what, answer, message) => {
    sandbox.fault(PING, { type: 'answer', ...answer }, 10);
    const result = await runAction(heartbeat(), { job: 'heartbeat' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(message);
    expect(result.stdout).not.toMatch(/Sent a heartbeat ping/);
  });

  it('answered with status success or an empty 200: sent', async () => {
    sandbox.fault(PING, { type: 'answer', body: { status: 'success' } });
    expect((await runAction(heartbeat(), { job: 'heartbeat' })).stdout).toMatch(/Sent a heartbeat ping/);
    sandbox.fault(PING, { type: 'answer' });
    expect((await runAction(heartbeat(), { job: 'heartbeat' })).stdout).toMatch(/Sent a heartbeat ping/);
  });
});

describe('links are compared with their fragment', () => {
  it('attaches two links that differ only by their fragment, both', async () => {
    const links =
      'Database runbook: https://runbooks.example.com/checkout#database\nCache runbook: https://runbooks.example.com/checkout#cache';
    const result = await runAction({ ...base(), links });
    expectExit(result, 0);
    const urls = sandbox.attachments().map((a) => a.resource.permalink);
    expect(urls).toEqual(
      expect.arrayContaining(['https://runbooks.example.com/checkout#database', 'https://runbooks.example.com/checkout#cache']),
    );
  });

  it('says so when two links have one URL, and attaches it once', async () => {
    const links =
      'Runbook: https://runbooks.example.com/checkout#database\nDatabase runbook: https://runbooks.example.com/checkout#database';
    const result = await runAction({ ...base(), links });
    expectExit(result, 0);
    expect(result.stdout).toMatch(
      /::notice title=incident\.io link attached once::"Database runbook" links to https\\?:\/\/runbooks\.example\.com\/checkout#database, as "Runbook" does, so it is attached once, as "Runbook"\./,
    );
    expect(sandbox.attachments().filter((a) => a.resource.permalink.endsWith('#database'))).toHaveLength(1);
  });
});
