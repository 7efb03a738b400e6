/**
 * update, resolve, alert and heartbeat on the source, through `run` with the test doubles: each
 * test pins exactly what the operation sends, so changing it (a field, a flag, a header) fails
 * here before any bundle is built.
 */
import { run } from '../src/main.js';
import { FakeClock, fakeCore, json, pushContext, scriptedFetch, type Reply, stepOf, type Step } from './helpers/fakes.js';

const KEY = 'inc_test_key_0123456789';
const context = pushContext;
const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_ACTION: 'rollback' };

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

async function runOp(step: Step, replies: Reply[]) {
  const { job, inputs } = stepOf(step);
  const core = fakeCore(inputs);
  const fetch = scriptedFetch(replies);
  await run({ core: core.core, fetch, env, clock: new FakeClock(), context: () => context }, job);
  const calls = fetch.calls.map((c) => ({
    method: c.init.method,
    path: new URL(c.url).pathname + new URL(c.url).search,
    body: c.init.body ? (JSON.parse(c.init.body as string) as Record<string, unknown>) : undefined,
    headers: c.init.headers as Record<string, string>,
  }));
  return { ...core, calls };
}

describe('update', () => {
  const base = { job: 'update', 'api-key': KEY, 'incident-id': 'INC-7' };

  it('sends one edit with exactly the changes and notify_incident_channel as given', async () => {
    const severities = json(200, { severities: [{ id: 'sev-critical', name: 'Critical', rank: 3 }] });
    const r = await runOp({ ...base, severity: 'critical', name: 'Checkout down (rollback failed)', 'notify-incident-channel': 'false' }, [
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
    const r = await runOp({ ...base, name: 'x' }, [json(200, { incident: incident() }), json(200, { incident: incident() })]);
    expect(r.calls[1]!.body).toEqual({ incident: { name: 'x' }, notify_incident_channel: true });
  });

  it('posts the message as an incident update carrying the new status, then edits nothing else', async () => {
    const r = await runOp({ ...base, message: 'Rollback started.', status: 'Closed' }, [
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
    const r = await runOp({ job: 'update', 'api-key': KEY, 'incident-id': 'INC-abc', severity: 'Critical' }, [
      json(404, { type: 'not_found', errors: [{ message: 'Not found' }] }),
    ]);
    expect(r.failed).toMatch(
      /^Input "incident-id" is "INC-abc", but incident.io has no such incident \(404\)\. Allowed values: an incident ID such as "01FDAG4SAP5TYPT98WGR2N7W91", a reference such as "INC-123", or its number such as "123"\./,
    );
    const known = await runOp({ job: 'update', 'api-key': KEY, 'incident-id': 'INC-404', severity: 'Critical' }, [
      json(404, { type: 'not_found', errors: [{ message: 'Not found' }] }),
    ]);
    expect(known.failed).toMatch(/^Input "incident-id" is "INC-404", but incident.io has no such incident \(404\)\. incident.io GET/);
  });
});

describe('update refuses answers that would make it green on nothing', () => {
  const base = { job: 'update', 'api-key': KEY, 'incident-id': 'INC-7' };

  it('fails, sending no edit, when a listed status has no id', async () => {
    const r = await runOp({ ...base, status: 'Closed' }, [
      json(200, { incident: incident() }),
      json(200, { incident_statuses: [statuses[0], { name: 'Closed', rank: 3, category: 'closed' }] }),
    ]);
    expect(r.failed).toMatch(/GET \/v1\/incident_statuses answered .*: incident_statuses\[1\]\.id is missing/);
    expect(r.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('fails when the edit is accepted but the answer shows another status, with the outputs as incident.io answered', async () => {
    const r = await runOp({ ...base, status: 'Closed' }, [
      json(200, { incident: incident() }),
      json(200, { incident_statuses: statuses }),
      json(200, { incident: incident() }),
    ]);
    expect(r.failed).toMatch(/incident.io accepted the change to INC-7, but its answer shows status "Investigating", not "Closed"/);
    expect(r.outputs['status']).toBe('Investigating');
  });

  it('fails when the answer shows another severity, and not when it leaves the severity out', async () => {
    const severities = json(200, { severities: [{ id: 'sev-critical', name: 'Critical', rank: 3 }] });
    const stale = await runOp({ ...base, severity: 'Critical' }, [
      json(200, { incident: incident() }),
      severities.clone(),
      json(200, { incident: incident({ severity: { id: 'sev-minor', name: 'Minor' } }) }),
    ]);
    expect(stale.failed).toMatch(/its answer shows severity "Minor", not "Critical"/);
    const silent = await runOp({ ...base, severity: 'Critical' }, [
      json(200, { incident: incident() }),
      severities,
      json(200, { incident: incident({ severity: undefined }) }), // JSON leaves it out
    ]);
    expect(silent.failed).toBeUndefined();
  });
});

describe('resolve', () => {
  const base = { job: 'resolve', 'api-key': KEY, 'incident-id': 'INC-7' };

  it('moves the incident to the first post-incident status with one edit', async () => {
    const r = await runOp(base, [
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
    const r = await runOp(base, [
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
    const r = await runOp(base, [
      json(200, { incident: incident({ incident_status: statuses[2] }) }),
      json(200, { incident_statuses: statuses }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('sends nothing for a post-incident incident without status, and says a message was not posted', async () => {
    const r = await runOp({ ...base, message: 'Recovered.' }, [
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
    const r = await runOp({ ...base, status: 'Closed', message: 'Postmortem done.' }, [
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
    const r = await runOp({ ...base, status: 'Documenting' }, [
      json(200, { incident: incident({ incident_status: statuses[2] }) }),
      json(200, { incident_statuses: statuses }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    expect(r.outputs['status']).toBe('Closed');
  });

  it('refuses an answer that does not show the incident resolved', async () => {
    const r = await runOp(base, [
      json(200, { incident: incident() }),
      json(200, { incident_statuses: statuses }),
      json(200, { incident: incident() }),
    ]);
    expect(r.failed).toMatch(/accepted the move of INC-7 to "Documenting", but its answer shows the incident in "Investigating"/);
  });
});

describe('alert', () => {
  const base = { job: 'alert', 'alert-source-id': 'src-1', 'alert-token': 'alert_tok_0123456789' };

  it('sends the event with the token in the header only, and the alert status as given', async () => {
    const r = await runOp({ ...base, 'alert-status': 'resolved', 'alert-metadata': 'team: payments' }, [
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
    const r = await runOp(base, [json(202, answer)]);
    expect(r.failed).toMatch(message);
    expect(r.failed).toMatch(/the alert event is not known to be accepted/);
  });

  it('fires by default', async () => {
    const r = await runOp(base, [json(202, { message: 'ok' })]);
    expect(r.calls[0]!.body).toMatchObject({ status: 'firing', title: 'Workflow "Deploy" failed in acme/shop@main (run #7)' });
  });
});

describe('heartbeat', () => {
  it('pings with an empty body and the token in the header only', async () => {
    const r = await runOp({ job: 'heartbeat', 'alert-source-id': 'hb-1', 'alert-token': 'hb_tok_0123456789' }, [
      new Response(null, { status: 204 }),
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.calls).toEqual([
      {
        method: 'POST',
        path: '/v2/heartbeat/hb-1/ping',
        body: undefined,
        headers: expect.objectContaining({ Authorization: 'Bearer hb_tok_0123456789' }),
      },
    ]);
  });
});
