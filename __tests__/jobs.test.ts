import { describeFailures, failedJobs, type Job } from '../src/github/jobs.js';
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
    expect(await failedJobs('', run, fetch, redactor)).toEqual({});
    expect(calls).toBe(0);
  });

  it('turns a slow GitHub into a notice, never an error', async () => {
    const hang = (_url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)));
    const result = await failedJobs('ghs_token', run, hang, redactor, 50);
    expect(result.markdown).toBeUndefined();
    expect(result.notice).toMatch(/GitHub did not answer within 0\.05 s/);
  });
});

describe('failedJobs on an unreachable GitHub', () => {
  it('says GitHub could not be reached, not that it answered', async () => {
    const run = { repository: 'acme/shop', runId: 1, runAttempt: 1, apiUrl: 'https://api.github.com' } as RunContext;
    const refuse = async () => {
      throw Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      });
    };
    const result = await failedJobs('ghs_token', run, refuse, redactor);
    expect(result.notice).toMatch(/GitHub could not be reached/);
    expect(result.notice).not.toMatch(/answered/);
  });
});
