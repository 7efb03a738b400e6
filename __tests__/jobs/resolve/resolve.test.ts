import { alertMetadata } from '../../../src/jobs/alert/alert.js';
import { readRunContext } from '../../../src/github/context.js';
import { resolveCandidates } from '../../../src/jobs/resolve/resolve.js';
import { parseIncidentId } from '../../../src/settings/values.js';
import { defaultDeduplicationKey } from '../../../src/github/keys.js';

const status = (name: string, category: string, rank: number) => ({ id: name, name, category, rank });

describe('resolveCandidates', () => {
  it('picks the first post-incident status by rank', () => {
    expect(
      resolveCandidates([status('Closed', 'closed', 1), status('Review', 'learning', 9), status('Docs', 'learning', 5)])[0]!.name,
    ).toBe('Docs');
  });
  it('tries up to three post-incident statuses by rank, then the first closed one', () => {
    const statuses = [
      status('Closed', 'closed', 1),
      status('Review', 'learning', 9),
      status('Docs', 'learning', 5),
      status('Retro', 'learning', 7),
      status('Extra', 'learning', 11),
      status('Live', 'live', 2),
    ];
    expect(resolveCandidates(statuses).map((s) => s.name)).toEqual(['Docs', 'Retro', 'Review', 'Closed']);
  });
  it('falls back to the first closed status', () => {
    expect(resolveCandidates([status('Live', 'live', 1), status('Done', 'closed', 3), status('Shut', 'closed', 2)])[0]!.name).toBe('Shut');
  });
  it('says when there is neither', () => {
    expect(() => resolveCandidates([status('Live', 'live', 1)])).toThrow(
      /no status in the "learning" \(post-incident\) or "closed" category.*"Live" \(live\)/,
    );
  });
});

describe('parseIncidentId', () => {
  it.each([
    ['INC-123', '123'],
    ['inc-0042', '0042'],
    ['123', '123'],
    ['01fdag4sap5typt98wgr2n7w91', '01fdag4sap5typt98wgr2n7w91'],
    ['INC-12a', 'INC-12a'],
  ])('%s → %s', (raw, id) => expect(parseIncidentId(raw)).toBe(id));
  it('refuses a path', () => {
    expect(() => parseIncidentId('../12')).toThrow(/Input "incident-id" is "..\/12"; allowed values: an incident ID/);
  });
});

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
