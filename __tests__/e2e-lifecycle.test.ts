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
    const result = await runAction(
      {
        ...api(),
        'incident-id': declared['incident-id']!,
        severity: 'critical',
        status: 'Fixing',
        'custom-fields': 'Notes: rollback failed too',
        roles: 'lead: bob@example.com',
        'notify-incident-channel': 'false',
      },
      { job: 'update' },
    );
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
    expect(result.outputs).toMatchObject({ 'incident-id': incident.id, 'incident-reference': 'INC-1', status: 'Fixing' });
    expect(result.outputs).not.toHaveProperty('created');
    expect(result.summary).toContain('### incident.io: Updated INC-1');
    expect(sandbox.incidents()).toHaveLength(1);
  });

  it.each(['INC-1', 'inc-1', '1'])('finds the incident by reference or number (%s)', async (id) => {
    await declare();
    const result = await runAction({ ...api(), 'incident-id': id, name: 'Checkout down (rollback failed)' }, { job: 'update' });
    expect(result.code).toBe(0);
    expect(sandbox.requests.find((r) => r.route === 'GET /v2/incidents/:id')!.path).toBe('/v2/incidents/1');
    expect(sandbox.incidents()[0].name).toBe('Checkout down (rollback failed)');
  });

  it('reports an unknown incident clearly', async () => {
    const result = await runAction({ ...api(), 'incident-id': 'INC-404', name: 'x' }, { job: 'update' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Input "incident-id" is "INC-404", but incident\.io has no such incident \(404\)/);
    expect(edits()).toHaveLength(0);
  });
});

describe('resolve', () => {
  it('moves the incident to the first post-incident status by default, found by INC-123', async () => {
    await declare();
    const result = await runAction({ ...api(), 'incident-id': 'INC-1' }, { job: 'resolve' });
    expect(result.code).toBe(0);
    expect(sandbox.incidents()[0].incident_status.name).toBe('Documenting');
    expect(result.outputs.status).toBe('Documenting');
    expect(edits()[0]!.body).toEqual({ incident: { incident_status_id: '01STATUSDOCUMENTING0000000' }, notify_incident_channel: true });
    expect(result.stdout).toContain('Resolved incident INC-1');
  });

  it('is a success, with nothing sent, when the incident is already resolved', async () => {
    await declare();
    await runAction({ ...api(), 'incident-id': '1' }, { job: 'resolve' });
    const again = await runAction({ ...api(), 'incident-id': '1' }, { job: 'resolve' });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Incident INC-1: .* is already resolved \(status "Documenting"\); nothing to change\./);
    expect(edits()).toHaveLength(1);
  });

  it('a re-run after the resolve gets the same incident, green, with a warning that it is over and how to declare anew', async () => {
    await declare();
    await runAction({ ...api(), 'incident-id': 'INC-1', status: 'Closed' }, { job: 'resolve' });
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
    const result = await runAction({ ...api(), 'incident-id': '1', status: 'Monitoring' }, { job: 'resolve' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /Input "status" is "Monitoring", a status in the "live" category; to resolve an incident the status must be in the "learning" or "closed" category\. Statuses that fit: "Documenting", "Closed"\./,
    );
    expect(edits()).toHaveLength(0);
  });

  it('explains a refused close with the server words and the missing permission', async () => {
    await declare();
    sandbox.state.refuseClose = true;
    const result = await runAction({ ...api(), 'incident-id': 'INC-1', status: 'closed' }, { job: 'resolve' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /incident\.io refused to resolve INC-1\. Tried "Closed" \(closed\): .*post-incident flow.*\(request id [\w-]+\)\..*Set "status" to a post-incident status/,
    );
    expect(sandbox.incidents()[0].incident_status.name).toBe('Investigating');
  });
});

describe('alert', () => {
  const alertInputs = () => ({
    'api-url': sandbox.url,
    'alert-source-id': '01ALERTSOURCE000000000000',
    'alert-token': sandbox.alertToken,
  });

  it('fires an alert with the run context, then a green run on the same ref resolves it', async () => {
    const red = await runAction({ ...alertInputs(), summary: 'Deploy failed' }, { job: 'alert' });
    expect(red.stdout).not.toContain('::error::');
    expect(red.code).toBe(0);
    const green = await runAction(
      { ...alertInputs(), 'alert-status': 'resolved' },
      { job: 'alert', env: { GITHUB_RUN_ID: '1002', GITHUB_RUN_NUMBER: '43' } },
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
    const result = await runAction(alertInputs(), { job: 'alert' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/retrying in/);
    expect(sandbox.alerts()).toHaveLength(1);
  });

  it('needs no API key but refuses one, and requires the token', async () => {
    const withKey = await runAction({ ...alertInputs(), 'api-key': sandbox.apiKey }, { job: 'alert' });
    expect(withKey.stdout).toMatch(
      /Input "api-key" is not an input of the alert job \(the step's `with:` passes it as INPUT_API-KEY\); it is an input of the root action, on-call\/, resolve\/, update\/\./,
    );
    const noToken = await runAction({ ...alertInputs(), 'alert-token': '' }, { job: 'alert' });
    expect(noToken.stdout).toMatch(/Input "alert-token" is required by the alert job, but it is empty/);
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('one action per job', () => {
  const published = 'incident-io-action/incident-io-action';
  it.each([
    [
      'declare',
      { operation: 'resolve', 'incident-id': 'INC-1' },
      new RegExp(
        `Input "operation" is "resolve", but the action no longer takes it: each job is an action of its own\\. This is the declare job's action \\(\`uses: ${published}@v1\`\\); to resolve, write \`uses: ${published}/resolve@v1\` and remove "operation"\\.`,
      ),
    ],
    ['declare', { operation: 'create' }, /The root action is the declare job, which this step runs: remove "operation"\./],
    [
      'update',
      { operation: 'create' },
      /The root action is the declare job: write `uses: incident-io-action\/incident-io-action@v1` and remove "operation"\./,
    ],
    [
      'resolve',
      { operation: 'resolve', 'incident-id': 'INC-1' },
      /This is the resolve job's action \(`uses: incident-io-action\/incident-io-action\/resolve@v1`\): remove "operation"\./,
    ],
    [
      'declare',
      { 'incident-id': 'INC-1' },
      /Input "incident-id" is not an input of the declare job \(the step's `with:` passes it as INPUT_INCIDENT-ID\); it is an input of resolve\/, update\/\./,
    ],
    [
      'update',
      { 'incident-id': 'INC-1', visibility: 'private' },
      /Input "visibility" is not an input of the update job .*; it is an input of the root action\./,
    ],
    [
      'resolve',
      { 'incident-id': 'INC-1', 'alert-token': 'tok_0123456789' },
      /Input "alert-token" is not an input of the resolve job .*; it is an input of alert\/, heartbeat\/\./,
    ],
    [
      'update',
      { 'incident-id': 'INC-1', severty: 'Major' },
      /Input "severty" is not an input of the update job .*; did you mean "severity"\?/,
    ],
    [
      'update',
      { 'incident-id': 'incident one', name: 'x' },
      /Input "incident-id" is "incident one"; allowed values: an incident ID such as/,
    ],
  ])('%s refuses %j before any write', async (job, inputs, message) => {
    const result = await runAction({ ...api(), ...inputs }, { job });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(message);
    // An "operation" stops the step at once; otherwise a well-formed incident-id is still looked up, so a wrong one shows in the same run.
    const given: Record<string, string> = inputs;
    const lookups = job !== 'declare' && !given['operation'] && given['incident-id'] === 'INC-1' ? ['GET /v2/incidents/:id'] : [];
    expect(sandbox.requests.map((r) => r.route)).toEqual(lookups);
  });

  it("names the action as the runner names it: the repository and ref a step's uses: gave", async () => {
    const result = await runAction(
      { ...api(), operation: 'update' },
      { env: { GITHUB_ACTION_REPOSITORY: 'acme/incident-io-action', GITHUB_ACTION_REF: '0123456789abcdef0123456789abcdef01234567' } },
    );
    expect(result.stdout).toMatch(/to update, write `uses: acme\/incident-io-action\/update@0123456789abcdef0123456789abcdef01234567`/);
    expect(sandbox.requests).toHaveLength(0);
  });
});
