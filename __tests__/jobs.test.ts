import { describeFailures as describeFailed, failedJobs, MAX_JOB_PAGES, selectFailed, type Job } from '../src/github/jobs.js';

const describeFailures = (jobs: Job[], messages: Record<string, string[]> = {}) =>
  describeFailed(selectFailed(jobs).map((job) => ({ job, messages: messages[job.name] ?? [] })));
import type { RunContext } from '../src/github/context.js';
import { Redactor } from '../src/output/redact.js';

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
