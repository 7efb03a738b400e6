/** The job summary card's "What failed": each failed job with its failed steps, every name escaped. */
import type { FailedJob, Job, JobStep } from '../../src/github/jobs.js';
import { incidentCard } from '../../src/output/incident-card.js';
import { md } from '../../src/core/markdown.js';

const incident = { id: '01INC', reference: 'INC-1', name: 'n' };
const step = (name: string, conclusion = 'failure'): JobStep => ({ name, conclusion });
const failed = (job: Partial<Job> & { name: string }, steps: JobStep[] = []): FailedJob => ({ job, steps, messages: [] });
const whatFailed = (jobs: FailedJob[]) =>
  incidentCard(md`Declared INC-1`, incident, { failed: jobs })
    .source.split('\n')
    .find((line) => line.startsWith('- **What failed:**'));

describe('What failed', () => {
  it("names each failed job's failed steps, and a cancelled job as cancelled", () => {
    expect(
      whatFailed([
        failed({ name: 'deploy', html_url: 'https://github.com/acme/shop/actions/runs/1/job/2' }, [
          step('Deploy to production'),
          step('Smoke test'),
        ]),
        failed({ name: 'e2e', conclusion: 'cancelled' }),
        failed({ name: 'lint', conclusion: 'failure' }),
      ]),
    ).toBe(
      '- **What failed:** [deploy](https://github.com/acme/shop/actions/runs/1/job/2) at "Deploy to production", "Smoke test"; e2e (cancelled); lint',
    );
  });

  it('shows at most three steps of a job, and says how many more', () => {
    expect(
      whatFailed([
        failed(
          { name: 'matrix' },
          ['a', 'b', 'c', 'd', 'e'].map((n) => step(n)),
        ),
      ]),
    ).toBe('- **What failed:** matrix at "a", "b", "c" and 2 more');
  });

  it('escapes step names, which a workflow author or a fork controls', () => {
    const line = whatFailed([failed({ name: 'deploy' }, [step('[x](https://evil.example) <img>\n::error::')])])!;
    expect(line).toBe('- **What failed:** deploy at "\\[x\\](https\\://evil.example) \\<img\\> ::error::"');
  });
});
