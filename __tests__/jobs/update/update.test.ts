/**
 * The update job on the source, through `run` with the test doubles: each test pins exactly what
 * it sends, so changing it (a field, a flag, a header) fails here before any bundle is built.
 */
import { json } from '../../helpers/fakes.js';
import { runJob } from '../../helpers/run-job.js';

const KEY = 'inc_test_key_0123456789';

const status = (name: string, category: string, rank: number) => ({ id: `st-${name.toLowerCase()}`, name, category, rank });
const statuses = [status('Investigating', 'live', 1), status('Documenting', 'learning', 2), status('Closed', 'closed', 3)];
const incident = (over: Record<string, unknown> = {}) => ({
  id: '01INC',
  reference: 'INC-7',
  name: 'Checkout down',
  permalink: 'https://app.incident.io/acme/incidents/7',
  incident_status: statuses[0],
  severity: { id: 'sev-major', name: 'Major' },
  ...over,
});

describe('update', () => {
  const base = { job: 'update', 'api-key': KEY, 'incident-id': 'INC-7' };

  it('sends one edit with exactly the changes and notify_incident_channel as given', async () => {
    const severities = json(200, { severities: [{ id: 'sev-critical', name: 'Critical', rank: 3 }] });
    const r = await runJob({ ...base, severity: 'critical', name: 'Checkout down (rollback failed)', 'notify-incident-channel': 'false' }, [
      json(200, { incident: incident() }),
      severities,
      json(200, { incident: incident({ severity: { id: 'sev-critical', name: 'Critical' } }) }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /v2/incidents/7',
      'GET /v1/severities',
      'POST /v2/incidents/01INC/actions/edit',
    ]);
    expect(r.calls[2]!.body).toEqual({
      incident: { name: 'Checkout down (rollback failed)', severity_id: 'sev-critical' },
      notify_incident_channel: false,
    });
    expect(r.outputs).toEqual({
      'incident-id': '01INC',
      'incident-reference': 'INC-7',
      'incident-url': expect.any(String),
      'incident-name': expect.any(String),
      status: 'Investigating',
      skipped: 'false',
      severity: 'Critical',
      'status-category': 'live',
      'slack-channel-id': '',
      'slack-channel-name': '',
      'slack-channel-url': '',
    });
  });

  it('notifies the channel by default', async () => {
    const r = await runJob({ ...base, name: 'x' }, [json(200, { incident: incident() }), json(200, { incident: incident() })]);
    expect(r.calls[1]!.body).toEqual({ incident: { name: 'x' }, notify_incident_channel: true });
  });

  it('posts the message as an incident update carrying the new status, then edits nothing else', async () => {
    const r = await runJob({ ...base, message: 'Rollback started.', status: 'Closed' }, [
      json(200, { incident: incident() }),
      json(200, { incident_statuses: statuses }),
      json(201, { incident_update: { id: 'upd-1', incident_id: '01INC', new_incident_status: statuses[2] } }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /v2/incidents/7',
      'GET /v1/incident_statuses',
      'POST /v2/incident_updates',
    ]);
    expect(r.calls[2]!.body).toEqual({
      idempotency_key: expect.stringMatching(
        /^github-actions\/acme\/shop\/runs\/1001\/deploy\/rollback\/incidents\/01INC\/updates\/[0-9a-f]{20}$/,
      ),
      incident_id: '01INC',
      message: 'Rollback started.\n\nPosted by [Deploy run #7](https://github.com/acme/shop/actions/runs/1001) (GitHub Actions).',
      to_incident_status_id: 'st-closed',
    });
    expect(r.outputs['status']).toBe('Closed');
  });
});

describe('an incident-id incident.io does not know', () => {
  it('lists the allowed forms when the value is not a reference, as "INC-abc" is not', async () => {
    const r = await runJob({ job: 'update', 'api-key': KEY, 'incident-id': 'INC-abc', severity: 'Critical' }, [
      json(404, { type: 'not_found', errors: [{ message: 'Not found' }] }),
    ]);
    expect(r.failed).toMatch(
      /^Input "incident-id" is "INC-abc", but incident.io has no such incident \(404\)\. Allowed values: an incident ID such as "01FDAG4SAP5TYPT98WGR2N7W91", a reference such as "INC-123", or its number such as "123"\./,
    );
    const known = await runJob({ job: 'update', 'api-key': KEY, 'incident-id': 'INC-404', severity: 'Critical' }, [
      json(404, { type: 'not_found', errors: [{ message: 'Not found' }] }),
    ]);
    expect(known.failed).toMatch(/^Input "incident-id" is "INC-404", but incident.io has no such incident \(404\)\. incident.io GET/);
  });
});

describe('update refuses answers that would make it green on nothing', () => {
  const base = { job: 'update', 'api-key': KEY, 'incident-id': 'INC-7' };

  it('fails, sending no edit, when a listed status has no id', async () => {
    const r = await runJob({ ...base, status: 'Closed' }, [
      json(200, { incident: incident() }),
      json(200, { incident_statuses: [statuses[0], { name: 'Closed', rank: 3, category: 'closed' }] }),
    ]);
    expect(r.failed).toMatch(/GET \/v1\/incident_statuses answered .*: incident_statuses\[1\]\.id is missing/);
    expect(r.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('fails when the edit is accepted but the answer shows another status, with the outputs as incident.io answered', async () => {
    const r = await runJob({ ...base, status: 'Closed' }, [
      json(200, { incident: incident() }),
      json(200, { incident_statuses: statuses }),
      json(200, { incident: incident() }),
    ]);
    expect(r.failed).toMatch(/incident.io accepted the change to INC-7, but its answer shows status "Investigating", not "Closed"/);
    expect(r.outputs['status']).toBe('Investigating');
  });

  it('fails when the answer shows another severity, and not when it leaves the severity out', async () => {
    const severities = json(200, { severities: [{ id: 'sev-critical', name: 'Critical', rank: 3 }] });
    const stale = await runJob({ ...base, severity: 'Critical' }, [
      json(200, { incident: incident() }),
      severities.clone(),
      json(200, { incident: incident({ severity: { id: 'sev-minor', name: 'Minor' } }) }),
    ]);
    expect(stale.failed).toMatch(/its answer shows severity "Minor", not "Critical"/);
    const silent = await runJob({ ...base, severity: 'Critical' }, [
      json(200, { incident: incident() }),
      severities,
      json(200, { incident: incident({ severity: undefined }) }), // JSON leaves it out
    ]);
    expect(silent.failed).toBeUndefined();
  });
});
