import {
  describeFailures as describeFailed,
  failedJobs,
  failedSteps,
  MAX_JOB_PAGES,
  selectFailed,
  type Job,
} from '../../src/github/jobs.js';
import { pullRequestOf } from '../../src/github/pulls.js';

const describeFailures = (jobs: Job[], messages: Record<string, string[]> = {}) =>
  describeFailed(selectFailed(jobs).map((job) => ({ job, steps: failedSteps(job), messages: messages[job.name] ?? [] })));
import type { RunContext } from '../../src/github/context.js';
import { Redactor } from '../../src/core/redact.js';

const redactor = new Redactor(['ghs_token_0123456789']);

const job = (name: string, conclusion: string | null, steps: [string, string | null][] = []): Job => ({
  name,
  conclusion,
  html_url: `https://github.com/acme/shop/actions/runs/1/job/${name}`,
  steps: steps.map(([n, c]) => ({ name: n, conclusion: c })),
});

describe('describeFailures', () => {
  it('lists failed, timed-out and cancelled jobs with their failed steps, and leaves out the rest', () => {
    const text = describeFailures([
      job('build', 'success', [['Build', 'success']]),
      job('deploy', 'failure', [
        ['Checkout', 'success'],
        ['Deploy', 'failure'],
      ]),
      job('e2e', 'cancelled'),
      job('smoke', 'timed_out', [['Wait', 'timed_out']]),
      job('notify', null, [['Post status', 'failure']]), // the running job: a step failed already
      job('lint', 'skipped'),
    ]);
    expect(text?.source).toBe(
      [
        '**What failed**',
        '- Job [deploy](https://github.com/acme/shop/actions/runs/1/job/deploy) failed at "Deploy"',
        '- Job [e2e](https://github.com/acme/shop/actions/runs/1/job/e2e) was cancelled',
        '- Job [smoke](https://github.com/acme/shop/actions/runs/1/job/smoke) timed out at "Wait"',
        '- Job [notify](https://github.com/acme/shop/actions/runs/1/job/notify) failed at "Post status"',
      ].join('\n'),
    );
  });

  it('is absent when nothing failed', () => {
    expect(describeFailures([job('build', 'success'), job('notify', null)])).toBeUndefined();
  });

  it('escapes job and step names, which a workflow author or a fork controls', () => {
    const text = describeFailures([
      job('deploy](https://evil.example) <img src=x>', 'failure', [['`rm` *all*\n# heading', 'failure']]),
    ])!.source;
    expect(text).toContain('deploy\\](https\\://evil.example) \\<img src=x\\>');
    expect(text).toContain('"\\`rm\\` \\*all\\* # heading"');
    expect(text.split('\n')).toHaveLength(2);
  });

  it('stays bounded with many failures', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      job(`shard-${i}-${'x'.repeat(150)}`, 'failure', [
        ['a', 'failure'],
        ['b', 'failure'],
        ['c', 'failure'],
        ['d', 'failure'],
      ]),
    );
    const text = describeFailures(many)!.source;
    expect(text.length).toBeLessThanOrEqual(2_000);
    expect(text).toMatch(/- and \d+ more jobs( \(list cut short\))?$/);
    expect(describeFailures(many.slice(0, 2))!.source).toContain('and 1 more steps');
  });
});

describe('failedJobs', () => {
  const run = { repository: 'acme/shop', runId: 1, runAttempt: 1, apiUrl: 'https://api.github.com' } as RunContext;
  it('makes no request without a token', async () => {
    let calls = 0;
    const fetch = async () => {
      calls++;
      return new Response('{}');
    };
    expect(await failedJobs('', run, fetch, redactor)).toEqual({ notices: [], failed: [] });
    expect(calls).toBe(0);
  });

  it('turns a slow GitHub into a notice, never an error', async () => {
    const hang = (_url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)));
    const result = await failedJobs('ghs_token', run, hang, redactor, { timeoutMs: 50 });
    expect(result.markdown).toBeUndefined();
    expect(result.notices).toEqual([expect.stringMatching(/GitHub did not answer within 0\.05 s/)]);
  });
});

describe('failedJobs on an unreachable GitHub', () => {
  it('says which host could not be reached, not that GitHub answered', async () => {
    const run = { repository: 'acme/shop', runId: 1, runAttempt: 1, apiUrl: 'https://api.github.com' } as RunContext;
    const refuse = async () => {
      throw Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      });
    };
    const result = await failedJobs('ghs_token', run, refuse, redactor);
    expect(result.notices).toEqual([expect.stringMatching(/the action could not reach api\.github\.com \(ECONNREFUSED\)/)]);
    expect(result.notices.join()).not.toMatch(/answered/);
  });
});

describe('what failed, in words', () => {
  const run = { repository: 'acme/shop', runId: 1, runAttempt: 1, apiUrl: 'https://api.github.com' } as RunContext;
  const jobs = [
    {
      id: 11,
      name: 'deploy',
      conclusion: 'failure',
      started_at: '2026-11-26T10:04:00Z',
      html_url: 'https://github.com/acme/shop/actions/runs/1/job/11',
      steps: [
        { name: 'Checkout', conclusion: 'success', number: 1 },
        { name: 'Deploy to production', conclusion: 'failure', number: 3 },
      ],
    },
    {
      id: 12,
      name: 'smoke',
      conclusion: 'failure',
      started_at: '2026-11-26T10:02:30Z',
      html_url: 'https://github.com/acme/shop/actions/runs/1/job/12',
      steps: [],
    },
    { id: 13, name: 'build', conclusion: 'success', started_at: '2026-11-26T10:00:00Z', steps: [] },
  ];
  const annotation = (annotation_level: string, message: string) => ({
    annotation_level,
    message,
    path: '.github',
    start_line: 1,
    end_line: 1,
  });
  const reply = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  function fetchFor(annotations: Record<string, Response>) {
    const calls: string[] = [];
    const fetch = async (url: string) => {
      calls.push(new URL(url).pathname);
      if (url.includes('/jobs')) return reply({ total_count: jobs.length, jobs });
      const id = /check-runs\/(\d+)\/annotations/.exec(url)?.[1] ?? '';
      return annotations[id]?.clone() ?? reply([]);
    };
    return Object.assign(fetch, { calls });
  }

  it("quotes each failed job's failure annotations, without the runner's generic one, at most two, cut short", async () => {
    const fetch = fetchFor({
      '11': reply([
        annotation('warning', 'Node 20 is deprecated'),
        annotation('failure', 'Process completed with exit code 1.'),
        annotation('failure', 'error: deployment "checkout" exceeded its progress deadline'),
        annotation('failure', `second ${'x'.repeat(400)}`),
        annotation('failure', 'third, left out'),
      ]),
      '12': reply([annotation('failure', 'smoke test: GET /health answered 503 <script>')]),
    });
    const result = await failedJobs('ghs_token', run, fetch, redactor);
    expect(fetch.calls).toEqual([
      '/repos/acme/shop/actions/runs/1/attempts/1/jobs',
      '/repos/acme/shop/check-runs/11/annotations',
      '/repos/acme/shop/check-runs/12/annotations',
    ]);
    const text = result.markdown!.source;
    expect(text).toContain(
      '- Job [deploy](https://github.com/acme/shop/actions/runs/1/job/11) failed at ["Deploy to production"](https://github.com/acme/shop/actions/runs/1/job/11#step:3:1)',
    );
    expect(text).toContain('  - error: deployment "checkout" exceeded its progress deadline');
    expect(text).toMatch(/ {2}- second x{200,}…/);
    expect(text).not.toContain('third');
    expect(text).not.toContain('Process completed');
    expect(text).not.toContain('deprecated');
    expect(text).toContain('  - smoke test: GET /health answered 503 \\<script\\>');
    expect(text.length).toBeLessThanOrEqual(2_000);
    expect(result.firstFailureAt).toBe('2026-11-26T10:02:30.000Z');
    expect(result.notices).toEqual([]);
  });

  it("reads the run's own attempt, so a re-run of failed jobs lists what failed this time", async () => {
    const fetch = fetchFor({});
    await failedJobs('ghs_token', { ...run, runAttempt: 2 }, fetch, redactor);
    expect(fetch.calls[0]).toBe('/repos/acme/shop/actions/runs/1/attempts/2/jobs');
  });

  it('reads every page of a big matrix, in parallel, up to the cap', async () => {
    const total = 250;
    const all = Array.from({ length: total }, (_, i) => ({
      id: 1000 + i,
      name: `shard-${i}`,
      conclusion: i === 240 ? 'failure' : 'success',
      html_url: `https://github.com/acme/shop/actions/runs/1/job/${1000 + i}`,
      steps: [],
    }));
    const pages: string[] = [];
    const fetch = async (url: string) => {
      const { searchParams } = new URL(url);
      if (!url.includes('/jobs')) return reply([]);
      const page = Number(searchParams.get('page') ?? 1);
      const perPage = Number(searchParams.get('per_page'));
      pages.push(`${page}/${perPage}`);
      return reply({ total_count: total, jobs: all.slice((page - 1) * perPage, page * perPage) });
    };
    const result = await failedJobs('ghs_token', run, fetch, redactor);
    expect(pages.sort()).toEqual(['1/100', '2/100', '3/100']);
    expect(result.failed.map((f) => f.job.name)).toEqual(['shard-240']);

    pages.length = 0;
    const huge = async (url: string) => {
      if (!url.includes('/jobs')) return reply([]);
      pages.push(new URL(url).searchParams.get('page') ?? '1');
      return reply({ total_count: 10_000, jobs: all.slice(0, 100) });
    };
    await failedJobs('ghs_token', run, huge, redactor);
    expect(pages).toHaveLength(MAX_JOB_PAGES);
  });

  it('lists the failed jobs without their messages when the token may not read check runs, and says what to grant', async () => {
    const fetch = fetchFor({ '11': reply({ message: 'Resource not accessible by integration' }, 403) });
    const result = await failedJobs('ghs_token', run, fetch, redactor);
    expect(result.markdown?.source).toContain('- Job [deploy]');
    expect(result.notices).toEqual([
      expect.stringMatching(
        /^The incident lists the failed jobs without their error messages: .*GitHub answered 403.*permissions: \{ checks: read \}/,
      ),
    ]);
  });

  it('speaks of the alert, not an incident, when the listing is for an alert', async () => {
    const fetch = fetchFor({ '11': reply({ message: 'Resource not accessible by integration' }, 403) });
    const result = await failedJobs('ghs_token', run, fetch, redactor, { subject: 'alert' });
    expect(result.notices).toEqual([
      expect.stringMatching(/^The alert's description lists the failed jobs without their error messages: /),
    ]);
    const refused = await failedJobs('ghs_token', run, () => Promise.resolve(reply({ message: 'Forbidden' }, 403)), redactor, {
      subject: 'alert',
    });
    expect(refused.notices).toEqual([expect.stringMatching(/^The alert's description leaves out the failed jobs: /)]);
  });
});

/**
 * GitHub's answers of the wrong shape: every one ends in the incident declared with what could be
 * read and a notice naming the request, never a TypeError (the bundle's "t.value.filter is not a
 * function" was an annotations answer that was not a list).
 */
describe('GitHub answers of the wrong shape', () => {
  const run = { repository: 'acme/shop', runId: 1, runAttempt: 1, apiUrl: 'https://api.github.com', sha: '4f1c2a9e' } as RunContext;
  const deploy = {
    id: 11,
    name: 'deploy',
    conclusion: 'failure',
    started_at: '2026-11-26T10:04:00Z',
    html_url: 'https://github.com/acme/shop/actions/runs/1/job/11',
    steps: [
      { name: 'Checkout', conclusion: 'success', number: 1 },
      { name: 'Deploy to production', conclusion: 'failure', number: 3 },
    ],
  };
  const good = { total_count: 1, jobs: [deploy] };
  const annotations = [{ annotation_level: 'failure', message: 'error: rollout stuck' }];
  const HTML = '<!DOCTYPE html><html><body>Sign in</body></html>';
  const answer = (body: unknown) =>
    body === HTML
      ? new Response(HTML, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } })
      : new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  const fetchWith = ({ jobs = good as unknown, notes = annotations as unknown }) =>
    (async (url: string) => answer(url.includes('/annotations') ? notes : jobs)) as (url: string) => Promise<Response>;

  const JOBS_REQUEST = 'GET /repos/acme/shop/actions/runs/1/attempts/1/jobs';
  it.each([
    ['null', null, 'the answer is null where an object is expected'],
    ['an HTML page', HTML, 'the answer is text where an object is expected'],
    ['the list of jobs instead of the page', [deploy], 'the answer is a list where an object is expected'],
    ['jobs that are an object', { total_count: 1, jobs: { 0: deploy } }, 'jobs is an object where a list is expected'],
    ['jobs that are null', { total_count: 1, jobs: null }, 'jobs is null where a list is expected'],
    ['no jobs at all', { total_count: 1 }, 'jobs is missing (a list is expected)'],
  ])('jobs answered as %s: declared without the list, with a notice naming the request', async (_what, jobs, problem) => {
    const result = await failedJobs('ghs_token', run, fetchWith({ jobs }), redactor);
    expect(result).toEqual({
      notices: [
        `The incident was declared without the list of failed jobs: GitHub's answer to ${JOBS_REQUEST} is not what the action reads (${problem}).`,
      ],
      failed: [],
    });
  });

  it.each([
    ['a job that is null', { total_count: 2, jobs: [null, deploy] }, 'jobs[0] is null where an object is expected'],
    ['a job without a name', { total_count: 1, jobs: [{ ...deploy, name: undefined }] }, ''],
    [
      'a job whose name is a list',
      { total_count: 1, jobs: [{ ...deploy, name: ['deploy'] }] },
      'jobs[0].name is a list where text is expected',
    ],
    [
      'a step that is null',
      { total_count: 1, jobs: [{ ...deploy, steps: [null, ...deploy.steps] }] },
      'jobs[0].steps[0] is null where an object is expected',
    ],
    [
      'steps that are an object',
      { total_count: 1, jobs: [{ ...deploy, steps: { a: 1 } }] },
      'jobs[0].steps is an object where a list is expected',
    ],
    [
      'a step without a name',
      { total_count: 1, jobs: [{ ...deploy, steps: [{ conclusion: 'failure' }, ...deploy.steps] }] },
      'jobs[0].steps[0].name is missing (text is expected)',
    ],
    [
      'a conclusion that is a number',
      { total_count: 1, jobs: [{ ...deploy, conclusion: 1 }] },
      'jobs[0].conclusion is a number where text is expected',
    ],
    [
      'an html_url that is a number',
      { total_count: 1, jobs: [{ ...deploy, html_url: 42 }] },
      'jobs[0].html_url is a number where text is expected',
    ],
    [
      'a started_at that is not text',
      { total_count: 1, jobs: [{ ...deploy, started_at: false }] },
      'jobs[0].started_at is true or false where text is expected',
    ],
    ['an id that is text', { total_count: 1, jobs: [{ ...deploy, id: '11' }] }, 'jobs[0].id is text where a whole number is expected'],
    ['a total_count that is text', { total_count: '1', jobs: [deploy] }, 'total_count is text where a whole number is expected'],
  ])('jobs with %s: the failed job is still listed, and what was left out is said', async (_what, jobs, problem) => {
    const result = await failedJobs('ghs_token', run, fetchWith({ jobs }), redactor);
    expect(result.failed).toHaveLength(1);
    expect(result.markdown?.source).toMatch(/^\*\*What failed\*\*\n- Job /);
    if (problem) {
      expect(result.notices).toContainEqual(
        `The incident lists what could be read of the jobs: GitHub's answer to ${JOBS_REQUEST} had parts the action could not read, and they were left out (${problem}).`,
      );
    }
  });

  it('names a job without a name by its ID', async () => {
    const result = await failedJobs(
      'ghs_token',
      run,
      fetchWith({ jobs: { total_count: 1, jobs: [{ ...deploy, name: undefined }] } }),
      redactor,
    );
    expect(result.failed[0]?.job.name).toBe('job 11');
    expect(result.markdown?.source).toContain('- Job [job 11](');
  });

  it.each([
    ['null', null, 'the answer is null where a list is expected'],
    ['an HTML page', HTML, 'the answer is text where a list is expected'],
    ['an object', { annotations }, 'the answer is an object where a list is expected'],
  ])('annotations answered as %s: the jobs are listed without their messages, with a notice', async (_what, notes, problem) => {
    const result = await failedJobs('ghs_token', run, fetchWith({ notes }), redactor);
    expect(result.markdown?.source).toContain('- Job [deploy]');
    expect(result.notices).toEqual([
      `The incident lists the failed jobs without their error messages: GitHub's answer to GET /repos/acme/shop/check-runs/11/annotations is not what the action reads (${problem}).`,
    ]);
  });

  it.each([
    ['items that are null', [null, ...annotations], 'the answer[0]'],
    ['a message that is an object', [{ annotation_level: 'failure', message: { text: 'x' } }, ...annotations], '[0].message is an object'],
    ['a level that is a number', [{ annotation_level: 3, message: 'x' }, ...annotations], '[0].annotation_level is a number'],
  ])('annotations with %s: the rest is quoted, and what was left out is said', async (_what, notes, problem) => {
    const result = await failedJobs('ghs_token', run, fetchWith({ notes }), redactor);
    expect(result.markdown?.source).toContain('  - error: rollout stuck');
    expect(result.notices).toEqual([expect.stringContaining('quotes what could be read of the error messages')]);
    expect(result.notices[0]).toContain(problem.replace('the answer[0]', '[0] is null'));
  });

  it('reads a listing whose every page repeats the first, up to the page cap, each job once', async () => {
    const many = Array.from({ length: 100 }, (_, i) => ({
      ...deploy,
      id: 100 + i,
      name: `shard-${i}`,
      conclusion: i === 0 ? 'failure' : 'success',
      steps: [],
    }));
    let pages = 0;
    const fetch = async (url: string) => {
      if (url.includes('/annotations')) return answer([]);
      pages++;
      return answer({ total_count: 100_000, jobs: many });
    };
    const result = await failedJobs('ghs_token', run, fetch, redactor);
    expect(pages).toBe(MAX_JOB_PAGES);
    expect(result.failed.map((f) => f.job.name)).toEqual(['shard-0']);
  });

  it('never reads the timestamps it does not need: onListed says when the first failed job started, or that none did', async () => {
    const seen: (string | undefined)[] = [];
    await failedJobs('ghs_token', run, fetchWith({}), redactor, { onListed: (at) => seen.push(at) });
    await failedJobs(
      'ghs_token',
      run,
      fetchWith({ jobs: { total_count: 1, jobs: [{ ...deploy, conclusion: 'success', steps: [] }] } }),
      redactor,
      {
        onListed: (at) => seen.push(at),
      },
    );
    await failedJobs('ghs_token', run, fetchWith({ jobs: null }), redactor, { onListed: (at) => seen.push(at) });
    expect(seen).toEqual(['2026-11-26T10:04:00.000Z', undefined, undefined]);
  });
});

describe('pullRequestOf, on answers of the wrong shape', () => {
  const run = { repository: 'acme/shop', runId: 1, apiUrl: 'https://api.github.com', sha: '4f1c2a9e' } as RunContext;
  const merged = {
    number: 128,
    title: 'Retry payments',
    html_url: 'https://github.com/acme/shop/pull/128',
    merged_at: '2026-11-26T09:00:00Z',
  };
  const REQUEST = 'GET /repos/acme/shop/commits/4f1c2a9e/pulls';
  const reply =
    (body: unknown, type = 'application/json') =>
    async () =>
      new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: 200, headers: { 'content-type': type } });

  it('finds the merged pull request', async () => {
    expect(await pullRequestOf('ghs_token', run, reply([merged]), redactor)).toEqual({
      pull: { number: 128, title: 'Retry payments', url: 'https://github.com/acme/shop/pull/128' },
    });
  });

  it.each([
    ['null', null, 'the answer is null where a list is expected'],
    ['an object', { pull_requests: [merged] }, 'the answer is an object where a list is expected'],
  ])('answered as %s: a notice naming the request, and no pull request', async (_what, body, problem) => {
    expect(await pullRequestOf('ghs_token', run, reply(body), redactor)).toEqual({
      notice: `The incident was declared without its pull request attached: GitHub's answer to ${REQUEST} is not what the action reads (${problem}).`,
    });
  });

  it('answered with an HTML page: a notice, and no pull request', async () => {
    const result = await pullRequestOf('ghs_token', run, reply('<html>Sign in</html>', 'text/html'), redactor);
    expect(result.notice).toContain('the answer is text where a list is expected');
  });

  it('leaves out a pull request of the wrong shape and says so when no other was merged', async () => {
    const result = await pullRequestOf('ghs_token', run, reply([{ ...merged, number: '128', html_url: null }]), redactor);
    expect(result.pull).toBeUndefined();
    expect(result.notice).toMatch(
      /had parts the action could not read, and they were left out \(\[0\]\.number is text where a whole number is expected; \[0\]\.html_url is null where non-empty text is expected\)\.$/,
    );
  });

  it('takes a well-formed merged pull request beside one of the wrong shape', async () => {
    const result = await pullRequestOf('ghs_token', run, reply([{ number: null }, merged]), redactor);
    expect(result).toEqual({ pull: { number: 128, title: 'Retry payments', url: merged.html_url } });
  });
});
