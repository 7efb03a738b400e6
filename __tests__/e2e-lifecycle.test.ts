/**
 * End-to-end for the lifecycle: update and resolve an incident the action declared, and send
 * alert events that a later green run resolves. The bundle runs as a child process.
 */
import { runAction } from '../scripts/run-action.mjs';
import { useSandbox } from './helpers/sandbox.js';

const sandbox = useSandbox();

const api = () => ({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url });
const edits = () => sandbox.requests.filter((r) => r.route === 'POST /v2/incidents/:id/actions/edit');

async function declare() {
  const result = await runAction({ ...api(), severity: 'Major' });
  expect(result.code).toBe(0);
  return result.outputs;
}

describe('update', () => {
  it('changes only what is given, by incident ID', async () => {
    const declared = await declare();
    const result = await runAction({
      ...api(),
      operation: 'update',
      'incident-id': declared['incident-id']!,
      severity: 'critical',
      status: 'Fixing',
      'custom-fields': 'Notes: rollback failed too',
      roles: 'lead: bob@example.com',
      'notify-incident-channel': 'false',
    });
    expect(result.stdout).not.toContain('::error::');
    expect(result.code).toBe(0);
    expect(edits()).toHaveLength(1);
    expect(edits()[0]!.body).toEqual({
      incident: {
        severity_id: '01SEVCRITICAL0000000000000',
        incident_status_id: '01STATUSFIXING000000000000',
        custom_field_entries: [{ custom_field_id: '01FIELDNOTES00000000000000', values: [{ value_text: 'rollback failed too' }] }],
        incident_role_assignments: [{ incident_role_id: '01ROLELEAD0000000000000000', assignee: { id: '01USERBOB00000000000000000' } }],
      },
      notify_incident_channel: false,
    });
    const [incident] = sandbox.incidents();
    expect(incident.severity.name).toBe('Critical');
    expect(incident.name).toBe(declared['incident-name']);
    expect(result.outputs).toMatchObject({ 'incident-id': incident.id, 'incident-reference': 'INC-1', status: 'Fixing', created: 'false' });
    expect(result.summary).toContain('### incident.io: Updated INC-1');
    expect(sandbox.incidents()).toHaveLength(1);
  });

  it.each(['INC-1', 'inc-1', '1'])('finds the incident by reference or number (%s)', async (id) => {
    await declare();
    const result = await runAction({ ...api(), operation: 'update', 'incident-id': id, name: 'Checkout down (rollback failed)' });
    expect(result.code).toBe(0);
    expect(sandbox.requests.find((r) => r.route === 'GET /v2/incidents/:id')!.path).toBe('/v2/incidents/1');
    expect(sandbox.incidents()[0].name).toBe('Checkout down (rollback failed)');
  });

  it('reports an unknown incident clearly', async () => {
    const result = await runAction({ ...api(), operation: 'update', 'incident-id': 'INC-404', name: 'x' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Input "incident-id" is "INC-404", but incident\.io has no such incident \(404\)/);
    expect(edits()).toHaveLength(0);
  });
});

describe('resolve', () => {
  it('moves the incident to the first post-incident status by default, found by INC-123', async () => {
    await declare();
    const result = await runAction({ ...api(), operation: 'resolve', 'incident-id': 'INC-1' });
    expect(result.code).toBe(0);
    expect(sandbox.incidents()[0].incident_status.name).toBe('Documenting');
    expect(result.outputs.status).toBe('Documenting');
    expect(edits()[0]!.body).toEqual({ incident: { incident_status_id: '01STATUSDOCUMENTING0000000' }, notify_incident_channel: true });
    expect(result.stdout).toContain('Resolved incident INC-1');
  });

  it('is a success, with nothing sent, when the incident is already resolved', async () => {
    await declare();
    await runAction({ ...api(), operation: 'resolve', 'incident-id': '1' });
    const again = await runAction({ ...api(), operation: 'resolve', 'incident-id': '1' });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Incident INC-1: .* is already resolved \(status "Documenting"\); nothing to change\./);
    expect(edits()).toHaveLength(1);
  });

  it('a re-run after the resolve gets the same incident, green, with a warning that it is over and how to declare anew', async () => {
    await declare();
    await runAction({ ...api(), operation: 'resolve', 'incident-id': 'INC-1', status: 'Closed' });
    sandbox.incidents()[0].created_at = new Date(Date.now() - 10 * 60_000).toISOString();
    const rerun = await runAction({ ...api(), severity: 'Major' }, { env: { GITHUB_RUN_ATTEMPT: '2' } });
    expect(rerun.code).toBe(0);
    expect(rerun.outputs.created).toBe('false');
    expect(rerun.outputs['incident-reference']).toBe('INC-1');
    expect(sandbox.incidents()).toHaveLength(1);
    expect(rerun.stdout).toMatch(
      /::warning title=incident.io incident already over::INC-1 is already over \(status "Closed"\), and this step does not reopen it\. To declare a new incident for this run, give "idempotency-key" a value other than "/,
    );
  });

  it('refuses a status outside the learning and closed categories before sending', async () => {
    await declare();
    const result = await runAction({ ...api(), operation: 'resolve', 'incident-id': '1', status: 'Monitoring' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /Input "status" is "Monitoring", a status in the "live" category; to resolve an incident the status must be in the "learning" or "closed" category\. Statuses that fit: "Documenting", "Closed"\./,
    );
    expect(edits()).toHaveLength(0);
  });

  it('explains a refused close with the server words and the missing permission', async () => {
    await declare();
    sandbox.state.refuseClose = true;
    const result = await runAction({ ...api(), operation: 'resolve', 'incident-id': 'INC-1', status: 'closed' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /incident\.io refused to resolve INC-1\. Tried "Closed" \(closed\): .*post-incident flow.*\(request id [\w-]+\)\..*Set "status" to a post-incident status/,
    );
    expect(sandbox.incidents()[0].incident_status.name).toBe('Investigating');
  });
});

describe('alert', () => {
  const alertInputs = () => ({
    operation: 'alert',
    'api-url': sandbox.url,
    'alert-source-id': '01ALERTSOURCE000000000000',
    'alert-token': sandbox.alertToken,
  });

  it('fires an alert with the run context, then a green run on the same ref resolves it', async () => {
    const red = await runAction({ ...alertInputs(), summary: 'Deploy failed' });
    expect(red.stdout).not.toContain('::error::');
    expect(red.code).toBe(0);
    const green = await runAction(
      { ...alertInputs(), 'alert-status': 'resolved' },
      { env: { GITHUB_RUN_ID: '1002', GITHUB_RUN_NUMBER: '43' } },
    );
    expect(green.code).toBe(0);
    const [fired, resolved] = sandbox.alerts();
    const key = 'github-actions/acme/shop/Deploy/refs/heads/main';
    expect(fired).toMatchObject({
      title: 'Workflow "Deploy" failed in acme/shop@main (run #42)',
      status: 'firing',
      deduplication_key: key,
      source_url: 'https://github.com/acme/shop/actions/runs/1001',
      metadata: {
        repository: 'acme/shop',
        workflow: 'Deploy',
        run_id: 1001,
        run_attempt: 1,
        ref: 'refs/heads/main',
        actor: 'octocat',
        event: 'push',
      },
    });
    expect(fired.description).toMatch(/^Deploy failed\n\n\*\*GitHub Actions context\*\*/);
    expect(resolved).toMatchObject({
      status: 'resolved',
      deduplication_key: key,
      title: 'Workflow "Deploy" recovered in acme/shop@main (run #43)',
    });
    expect(sandbox.state.alertStatus[key]).toBe('resolved');
    expect(red.outputs['deduplication-key']).toBe(key);
    const post = sandbox.requests.find((r) => r.route === 'POST /v2/alert_events/http/:id')!;
    expect(post.headers['authorization']).toBe(`Bearer ${sandbox.alertToken}`);
    expect(post.path + JSON.stringify(post.query)).not.toContain(sandbox.alertToken);
    expect([red.stdout, red.summary, JSON.stringify(red.outputs)].join('').replace(/::add-mask::.*/g, '')).not.toContain(
      sandbox.alertToken,
    );
  });

  it('retries the event with the same rules as the client', async () => {
    sandbox.fault('POST /v2/alert_events/http/:id', { type: 'status', status: 503 });
    const result = await runAction(alertInputs());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/retrying in/);
    expect(sandbox.alerts()).toHaveLength(1);
  });

  it('needs no API key but refuses one, and requires the token', async () => {
    const withKey = await runAction({ ...alertInputs(), 'api-key': sandbox.apiKey });
    expect(withKey.stdout).toMatch(/Input "api-key" is set, but operation "alert" does not use it/);
    const noToken = await runAction({ ...alertInputs(), 'alert-token': '' });
    expect(noToken.stdout).toMatch(/Input "alert-token" is required when "operation" is "alert", but it is empty/);
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('operation', () => {
  it.each([
    [{ operation: 'close' }, /Input "operation" is "close"; allowed values: "create", "update", "resolve", "alert", "heartbeat"\./],
    [
      { 'incident-id': 'INC-1' },
      /Input "incident-id" is set, but operation "create" does not use it \(it is used by "update", "resolve"\)/,
    ],
    [
      { operation: 'update', 'incident-id': 'INC-1', visibility: 'private' },
      /Input "visibility" is set, but operation "update" does not use it/,
    ],
    [
      { operation: 'update', 'incident-id': 'incident one', name: 'x' },
      /Input "incident-id" is "incident one"; allowed values: an incident ID such as/,
    ],
  ])('refuses %j before any write', async (inputs, message) => {
    const result = await runAction({ ...api(), ...inputs });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(message);
    // Only a well-formed incident-id is still looked up, so a wrong one shows in the same run.
    const given: Record<string, string> = inputs;
    const lookups = given['operation'] === 'update' && given['incident-id'] === 'INC-1' ? ['GET /v2/incidents/:id'] : [];
    expect(sandbox.requests.map((r) => r.route)).toEqual(lookups);
  });
});
