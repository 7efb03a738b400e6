/**
 * The alert job: the event's defaults from the run, and, on the source through `run` with the
 * test doubles, exactly what it sends, so changing it (a field, a flag, a header) fails here
 * before any bundle is built.
 */
import { alertMetadata } from '../../../src/jobs/alert/alert.js';
import { readRunContext } from '../../../src/github/context.js';
import { defaultDeduplicationKey } from '../../../src/github/keys.js';
import { json } from '../../helpers/fakes.js';
import { runJob } from '../../helpers/run-job.js';

describe('alert defaults', () => {
  const run = readRunContext(
    {
      serverUrl: '',
      apiUrl: '',
      workflow: 'Nightly',
      runId: 7,
      runNumber: 3,
      runAttempt: 2,
      sha: 'abc',
      ref: 'refs/heads/main',
      actor: 'me',
      eventName: 'schedule',
      job: 'n',
      payload: {},
    },
    { GITHUB_REPOSITORY: 'acme/shop' },
  );
  it('keys the alert by repository, workflow and ref, not by run', () => {
    expect(defaultDeduplicationKey(run)).toBe('github-actions/acme/shop/Nightly/refs/heads/main');
    expect(defaultDeduplicationKey({ ...run, runId: 8, runAttempt: 1 })).toBe(defaultDeduplicationKey(run));
  });
  it('carries the run in metadata', () => {
    expect(alertMetadata(run)).toEqual({
      repository: 'acme/shop',
      workflow: 'Nightly',
      run_id: 7,
      run_attempt: 2,
      sha: 'abc',
      ref: 'refs/heads/main',
      actor: 'me',
      event: 'schedule',
    });
  });
  it('refuses to guess outside GitHub Actions', () => {
    expect(() => defaultDeduplicationKey({ ...run, repository: '' })).toThrow(/Input "deduplication-key" is empty/);
  });
});

describe('alert', () => {
  const base = { job: 'alert', 'alert-source-id': 'src-1', 'alert-token': 'alert_tok_0123456789' };

  it('sends the event with the token in the header only, and the alert status as given', async () => {
    const r = await runJob({ ...base, 'alert-status': 'resolved', 'alert-metadata': 'team: payments' }, [
      json(202, { deduplication_key: 'github-actions/acme/shop/Deploy/refs/heads/main', message: 'ok', status: 'success' }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]!.path).toBe('/v2/alert_events/http/src-1');
    expect(r.calls[0]!.headers['Authorization']).toBe('Bearer alert_tok_0123456789');
    expect(r.calls[0]!.body).toMatchObject({
      title: 'Workflow "Deploy" recovered in acme/shop@main (run #7)',
      status: 'resolved',
      deduplication_key: 'github-actions/acme/shop/Deploy/refs/heads/main',
      source_url: 'https://github.com/acme/shop/actions/runs/1001',
      metadata: { repository: 'acme/shop', workflow: 'Deploy', run_id: 1001, team: 'payments' },
    });
    expect(r.outputs['deduplication-key']).toBe('github-actions/acme/shop/Deploy/refs/heads/main');
  });

  it.each([
    ['a failure status', { status: 'failure', message: 'Event rejected' }, /answered with status "failure"/],
    ['an empty object', {}, /answered with no "status": "success"/],
    ['a list', [], /answered with no "status": "success"/],
  ])('is not green on an answer that does not accept the event (%s)', async (_what, answer, message) => {
    const r = await runJob(base, [json(202, answer)]);
    expect(r.failed).toMatch(message);
    expect(r.failed).toMatch(/the alert event is not known to be accepted/);
  });

  it('fires by default', async () => {
    const r = await runJob(base, [json(202, { message: 'ok' })]);
    expect(r.calls[0]!.body).toMatchObject({ status: 'firing', title: 'Workflow "Deploy" failed in acme/shop@main (run #7)' });
  });
});
