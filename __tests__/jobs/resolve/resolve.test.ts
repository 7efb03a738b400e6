/**
 * The resolve job: which statuses it tries, and, on the source through `run` with the test
 * doubles, exactly what it sends, so changing it (a field, a flag, a header) fails here before any
 * bundle is built.
 */
import { resolveCandidates } from '../../../src/jobs/resolve/resolve.js';
import { json } from '../../helpers/fakes.js';
import { runJob } from '../../helpers/run-job.js';

const KEY = 'inc_test_key_0123456789';

const status = (name: string, category: string, rank: number) => ({ id: name, name, category, rank });
const statusOf = (name: string, category: string, rank: number) => ({ id: `st-${name.toLowerCase()}`, name, category, rank });
const statuses = [statusOf('Investigating', 'live', 1), statusOf('Documenting', 'learning', 2), statusOf('Closed', 'closed', 3)];
const incident = (over: Record<string, unknown> = {}) => ({
  id: '01INC',
  reference: 'INC-7',
  name: 'Checkout down',
  permalink: 'https://app.incident.io/acme/incidents/7',
  incident_status: statuses[0],
  severity: { id: 'sev-major', name: 'Major' },
  ...over,
});

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

describe('resolve', () => {
  const base = { job: 'resolve', 'api-key': KEY, 'incident-id': 'INC-7' };

  it('moves the incident to the first post-incident status with one edit', async () => {
    const r = await runJob(base, [
      json(200, { incident: incident() }),
      json(200, { incident_statuses: statuses }),
      json(200, { incident: incident({ incident_status: statuses[1] }) }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls[2]).toMatchObject({
      method: 'POST',
      path: '/v2/incidents/01INC/actions/edit',
      body: { incident: { incident_status_id: 'st-documenting' }, notify_incident_channel: true },
    });
    expect(r.outputs['status']).toBe('Documenting');
  });

  it('closes when the post-incident status is refused, saying so', async () => {
    const refused = json(422, {
      type: 'validation_error',
      errors: [{ message: 'not in the flow', source: { field: 'incident.incident_status_id' } }],
    });
    const r = await runJob(base, [
      json(200, { incident: incident() }),
      json(200, { incident_statuses: statuses }),
      refused,
      json(200, { incident: incident({ incident_status: statuses[2] }) }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls.slice(2).map((c) => (c.body!['incident'] as { incident_status_id: string }).incident_status_id)).toEqual([
      'st-documenting',
      'st-closed',
    ]);
    expect(r.log.map((l) => l.message).join('\n')).toMatch(/so it is closed directly \("Closed"\), which skips the post-incident flow/);
  });

  it('sends nothing when the incident is already resolved', async () => {
    const r = await runJob(base, [
      json(200, { incident: incident({ incident_status: statuses[2] }) }),
      json(200, { incident_statuses: statuses }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('sends nothing for a post-incident incident without status, and says a message was not posted', async () => {
    const r = await runJob({ ...base, message: 'Recovered.' }, [
      json(200, { incident: incident({ incident_status: statuses[1] }) }),
      json(200, { incident_statuses: statuses }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    expect(r.log.map((l) => l.message).join('\n')).toMatch(
      /already resolved \(status "Documenting"\)[^]*The message was not posted: INC-7 was resolved before this step\./,
    );
  });

  it('moves a post-incident incident on to the status asked for, with the message', async () => {
    const r = await runJob({ ...base, status: 'Closed', message: 'Postmortem done.' }, [
      json(200, { incident: incident({ incident_status: statuses[1] }) }),
      json(200, { incident_statuses: statuses }),
      json(201, { incident_update: { id: 'upd-1', incident_id: '01INC', new_incident_status: statuses[2] } }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls[2]).toMatchObject({
      method: 'POST',
      path: '/v2/incident_updates',
      body: { incident_id: '01INC', to_incident_status_id: 'st-closed', message: expect.stringMatching(/^Postmortem done\./) },
    });
    expect(r.outputs['status']).toBe('Closed');
  });

  it('never reopens a closed incident into a post-incident status', async () => {
    const r = await runJob({ ...base, status: 'Documenting' }, [
      json(200, { incident: incident({ incident_status: statuses[2] }) }),
      json(200, { incident_statuses: statuses }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    expect(r.outputs['status']).toBe('Closed');
  });

  it('refuses an answer that does not show the incident resolved', async () => {
    const r = await runJob(base, [
      json(200, { incident: incident() }),
      json(200, { incident_statuses: statuses }),
      json(200, { incident: incident() }),
    ]);
    expect(r.failed).toMatch(/accepted the move of INC-7 to "Documenting", but its answer shows the incident in "Investigating"/);
  });
});
