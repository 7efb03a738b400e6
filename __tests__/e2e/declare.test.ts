/**
 * End-to-end: the bundle, built from the current src/ by jest's global setup (ACTION_BUNDLE),
 * runs as a child process, the way the runner runs it, against the local incident.io sandbox.
 * It runs on the Node that runs jest, which is the project's Node 24, the runner's runtime
 * (ACTION_NODE picks another binary, to try one).
 */
import { runAction } from '../../scripts/run-action.mjs';
import { runnerCommands } from '../helpers/runner-commands.js';
import { useSandbox } from '../helpers/sandbox.js';

type Result = Awaited<ReturnType<typeof runAction>>;

const sandbox = useSandbox();

const base = () => ({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major' });
const creates = () => sandbox.requests.filter((r) => r.route === 'POST /v2/incidents');
const everything = (r: Result) => [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs)].join('\n');

function expectNoKeyLeak(result: Result) {
  expect(everything(result)).not.toContain(sandbox.apiKey);
  for (const incident of sandbox.incidents()) expect(JSON.stringify(incident)).not.toContain(sandbox.apiKey);
  for (const request of sandbox.requests) expect(request.path + JSON.stringify(request.query)).not.toContain(sandbox.apiKey);
}

describe('the bundle against the sandbox', () => {
  it('declares one incident and reports it in outputs, a notice and the job summary', async () => {
    const result = await runAction({ ...base(), summary: 'Checkout is failing.' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [incident] = sandbox.incidents();
    expect(sandbox.incidents()).toHaveLength(1);
    expect(result.outputs).toEqual({
      'incident-id': incident.id,
      'incident-reference': incident.reference,
      'incident-url': incident.permalink,
      'incident-name': 'Workflow "Deploy" failed in acme/shop@main (run #42)',
      created: 'true',
      skipped: 'false',
      severity: 'Major',
      'status-category': incident.incident_status.category,
      // The sandbox's incidents have no channel unless a test asks for one.
      'slack-channel-id': '',
      'slack-channel-name': '',
      'slack-channel-url': '',
    });
    expect(incident.severity.name).toBe('Major');
    expect(incident.summary).toMatch(/^Checkout is failing\.\n\n\*\*GitHub Actions context\*\*\n- Repository: \[acme\/shop\]/);
    expect(incident.summary).toContain('[run #42](https://github.com/acme/shop/actions/runs/1001)');
    expect(result.stdout).toContain(`::notice title=incident.io incident declared::Declared incident ${incident.reference}`);
    expect(result.summary).toContain(`[${incident.reference}: ${incident.name}](${incident.permalink})`);
    expect(result.summary).toContain('- **Severity:** Major');
    expect(result.summary).toContain('- **Created by this step:** yes');
    expect(sandbox.requests.map((r) => r.route)).toEqual([
      'GET /v1/severities',
      'POST /v2/incidents',
      'POST /v1/incident_attachments',
      // The list after the attachment: no other job of the run declared the incident at the same moment.
      'GET /v1/incident_attachments',
    ]);
    expect(sandbox.attachments().map((a) => [a.resource.title, a.resource.permalink])).toEqual([
      ['GitHub Actions: Deploy #42', 'https://github.com/acme/shop/actions/runs/1001'],
    ]);
    const post = creates()[0]!;
    expect(post.headers['authorization']).toBe(`Bearer ${sandbox.apiKey}`);
    expect(post.headers['user-agent']).toMatch(/^incident-io-github-action\//);
    expect(post.body).toMatchObject({ idempotency_key: 'github-actions/acme/shop/runs/1001', visibility: 'public', mode: 'standard' });
    expect(result.stdout).toContain(`::add-mask::${sandbox.apiKey}`);
    expectNoKeyLeak({ ...result, stdout: result.stdout.replace(`::add-mask::${sandbox.apiKey}`, '') });
  });

  it('returns the same incident when the workflow is re-run', async () => {
    const first = await runAction(base());
    // A re-run starts minutes later; age the incident so the sandbox clock shows that.
    const [incident] = sandbox.incidents();
    incident.created_at = new Date(Date.now() - 10 * 60_000).toISOString();
    const second = await runAction(base(), { env: { GITHUB_RUN_ATTEMPT: '2' } });
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(second.outputs['incident-id']).toBe(first.outputs['incident-id']);
    expect([first.outputs.created, second.outputs.created]).toEqual(['true', 'false']);
    expect(second.stdout).toMatch(/Incident INC-1: .* was already declared under idempotency key "github-actions\/acme\/shop\/runs\/1001"/);
    expect(second.summary).toContain('had already opened it');
    expect(new Set(creates().map((r) => (r.body as { idempotency_key: string }).idempotency_key)).size).toBe(1);
  });

  it('reports a conflict-type answer to a re-used key as already declared, without failing', async () => {
    sandbox.state.replay = 'conflict';
    await runAction(base());
    const second = await runAction(base(), { env: { GITHUB_RUN_ATTEMPT: '2' } });
    expect(second.code).toBe(0);
    expect(second.outputs.created).toBe('false');
    expect(second.stdout).toMatch(/already declared/);
    expect(sandbox.incidents()).toHaveLength(1);
  });

  const faults: [string, string, Record<string, unknown>][] = [
    ['429 with Retry-After', 'POST /v2/incidents', { type: 'rate-limit', retryAfter: '1' }],
    [
      '429 with rate_limit.retry_after only',
      'POST /v2/incidents',
      { type: 'rate-limit', bodyRetryAfter: new Date(Date.now() + 1000).toUTCString() },
    ],
    ['a 503', 'POST /v2/incidents', { type: 'status', status: 503 }],
    ['an HTML 502', 'POST /v2/incidents', { type: 'html-502' }],
    ['a reset after the incident was created', 'POST /v2/incidents', { type: 'reset', after: 'process' }],
    ['a truncated JSON body', 'POST /v2/incidents', { type: 'truncated' }],
    ['a slow answer past the timeout', 'POST /v2/incidents', { type: 'slow', delayMs: 1500 }],
    ['a 500 on the severity lookup', 'GET /v1/severities', { type: 'status', status: 500 }],
    ['a reset on the severity lookup', 'GET /v1/severities', { type: 'reset' }],
  ];
  it.each(faults)('opens exactly one incident under %s, with the same key on every attempt', async (_name, route, fault) => {
    sandbox.fault(route, fault);
    const result = await runAction(base(), { env: { INCIDENT_IO_TIMEOUT_MS: '700' } });
    expect(result.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(result.outputs['incident-id']).toBe(sandbox.incidents()[0].id);
    expect(result.outputs.created).toBe('true');
    expect(result.stdout).toMatch(/retrying in \d+\.\d s(, as incident\.io asked \(plus jitter\))? \(attempt 2( of 5)?\)/);
    const keys = creates().map((r) => (r.body as { idempotency_key: string }).idempotency_key);
    expect(keys.length).toBeGreaterThanOrEqual(route.startsWith('POST') ? 2 : 1);
    expect(new Set(keys)).toEqual(new Set(['github-actions/acme/shop/runs/1001']));
  });

  it('waits as long as Retry-After asks', async () => {
    sandbox.fault('POST /v2/incidents', { type: 'rate-limit', retryAfter: '2' });
    await runAction(base());
    const [first, second] = creates();
    expect(second!.startedAt - first!.startedAt).toBeGreaterThanOrEqual(1900);
  });

  it('fails clearly, with the server words and request id, after bounded retries', async () => {
    sandbox.fault('POST /v2/incidents', { type: 'status', status: 500 }, 5);
    const result = await runAction(base());
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::incident\.io POST \/v2\/incidents answered 500 internal_error: .+ \(request id [\w-]+\)\. Gave up after 5 attempts/,
    );
    expect(sandbox.incidents()).toHaveLength(0);
    expect(creates()).toHaveLength(5);
  }, 30_000);

  it('does not retry a 401, says what the server said, and names the input and where to check its secret', async () => {
    const result = await runAction({ ...base(), 'api-key': 'wrong-key-0123456789' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::incident\.io GET \/v1\/severities answered 401 authentication_error: .*\. incident\.io refused the API key in input "api-key"\. .*\(incident\.io: Settings → API keys\).*`api-key: \$\{\{ secrets\.… \}\}`.*This run's event \("push"\) is given secrets/,
    );
    expect(result.stdout.replace('::add-mask::wrong-key-0123456789', '')).not.toContain('wrong-key-0123456789');
    expect(sandbox.requests).toHaveLength(1);
  });

  it('reports a key refused by every parallel lookup once', async () => {
    const result = await runAction({
      ...base(),
      'api-key': 'wrong-key-0123456789',
      status: 'Investigating',
      'custom-fields': 'Teams: Payments',
      roles: 'Incident Lead: alice@example.com',
    });
    expect(result.code).toBe(1);
    expect(new Set(sandbox.requests.map((r) => r.route)).size).toBeGreaterThanOrEqual(4);
    expect(result.stdout.match(/answered 401/g)).toHaveLength(1);
    expect(result.stdout.match(/refused the API key in input "api-key"/g)).toHaveLength(1);
  });

  it('names the scope and the input behind a 403', async () => {
    sandbox.fault('GET /v2/custom_fields', {
      type: 'error',
      status: 403,
      code: 'resource_forbidden',
      message: 'You do not have permission to do this',
    });
    const result = await runAction({ ...base(), 'custom-fields': 'Teams: Payments' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::incident\.io GET \/v2\/custom_fields answered 403 forbidden: You do not have permission to do this \(request id [\w-]+\)\. The API key in input "api-key" may not make this request: give it the scope "custom_fields\.view" \(incident\.io: Settings → API keys, edit the key\)\. The action sent it for input "custom-fields"\./,
    );
    expect(creates()).toHaveLength(0);
  });

  it("says incident.io publishes no scope for the edit, and that it is the job's own request", async () => {
    const declared = await runAction(base());
    const id = declared.outputs['incident-id'] ?? '';
    sandbox.fault('POST /v2/incidents/:id/actions/edit', { type: 'error', status: 403, message: 'You do not have permission to do this' });
    const result = await runAction(
      {
        'api-key': sandbox.apiKey,
        'api-url': sandbox.url,
        'incident-id': id,
        name: 'Renamed',
      },
      { job: 'update' },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /answered 403 forbidden: .*incident\.io does not publish the scope for this request: .*It is the update job's own request/,
    );
  });

  it.each([
    [{ mode: 'drill' }, /Input "mode" is "drill"; allowed values: "standard", "retrospective", "test", "tutorial"/],
    [{ visibility: 'internal' }, /Input "visibility" is "internal"; allowed values: "public", "private"/],
    [{ 'api-key': '' }, /Input "api-key" is empty.*Dependabot/],
    [{ 'api-url': 'http://api.incident.io' }, /Input "api-url" is "http:\/\/api\.incident\.io": the API key must not travel unencrypted/],
    [{ 'dry-run': 'maybe' }, /Input "dry-run" is "maybe"; allowed values: "true", "false"/],
  ])('rejects bad input %j before sending anything but the lookups of the other inputs', async (inputs, message) => {
    const result = await runAction({ ...base(), ...inputs });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(message);
    // The well-formed severity is still looked up (when there is a key, and the api-url may carry it), so a wrong one would show too.
    const lookups = 'api-key' in inputs || 'api-url' in inputs ? [] : ['GET /v1/severities'];
    expect(sandbox.requests.map((r) => r.route)).toEqual(lookups);
    expect(sandbox.incidents()).toHaveLength(0);
  });

  it('reports a format error, an unknown name, a bad assignee and an unknown option in one run, and writes nothing', async () => {
    const result = await runAction({
      ...base(),
      visibility: 'internal',
      severity: 'Majr',
      roles: 'Incident Lead: ""\nComms: nobody@example.com',
      'custom-fields': 'Teams: [Platfrm]',
    });
    expect(result.code).toBe(1);
    const errors = runnerCommands(result.stdout).filter((c) => c.name === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.data.split('\n')).toEqual([
      expect.stringMatching(/^Input "roles" assigns "Incident Lead" to an empty value\. If it comes from `\$\{\{ vars/),
      'Input "visibility" is "internal"; allowed values: "public", "private".',
      'Input "severity" is "Majr", which is not a severity in this incident.io workspace. Available: "Minor", "Major", "Critical". Did you mean "Major"?',
      expect.stringMatching(
        /^Input "custom-fields" sets "Teams" to "Platfrm", which is not one of its options\. .*Did you mean "Platform"\?$/,
      ),
      expect.stringMatching(
        /^Input "roles" assigns "Comms" to "nobody@example\.com", but no user has this email in this incident\.io workspace/,
      ),
    ]);
    expect(sandbox.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(sandbox.incidents()).toHaveLength(0);
    expect(result.outputs).toEqual({ created: 'false', skipped: 'false' });
  });

  it('refuses an unknown severity with the choices and a suggestion, creating nothing', async () => {
    const result = await runAction({ ...base(), severity: 'critcal' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'Input "severity" is "critcal", which is not a severity in this incident.io workspace. Available: "Minor", "Major", "Critical". Did you mean "Critical"?',
    );
    expect(creates()).toHaveLength(0);
  });

  it('uses the lowest-ranked severity when none is given, and says so', async () => {
    const result = await runAction({ ...base(), severity: '' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Input "severity" is empty, so the lowest-ranked severity "Minor" is used.');
    expect(sandbox.incidents()[0].severity.name).toBe('Minor');
  });

  it('warns instead of failing when fail-on-error is false', async () => {
    const result = await runAction({ ...base(), 'api-key': 'wrong-key-0123456789', 'fail-on-error': 'false' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/::warning title=incident\.io::incident\.io GET \/v1\/severities answered 401/);
    expect(result.outputs.created).toBe('false');
  });

  it('fails on a misspelt input even when fail-on-error is false, sending nothing', async () => {
    const result = await runAction({ ...base(), 'fail-on-error': 'false', severty: 'Critical' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::Input "severty" is not an input of the declare job.*did you mean "severity"\?/);
    expect(sandbox.requests.map((r) => r.route)).toEqual(['GET /v1/severities']);
  });

  it('prints the payload and sends no create in a dry run', async () => {
    const result = await runAction({ ...base(), 'dry-run': 'true', name: 'Checkout down' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Dry run: this request would be sent to POST ${sandbox.url}/v2/incidents:`);
    expect(result.stdout).toContain('"name": "Checkout down"');
    expect(sandbox.requests.map((r) => r.route)).toEqual(['GET /v1/severities']);
    expectNoKeyLeak({ ...result, stdout: result.stdout.replace(`::add-mask::${sandbox.apiKey}`, '') });
  });

  it('shows in a dry run what each ID stands for, lists it all in the card, and says what it checked', async () => {
    const result = await runAction({
      ...base(),
      'dry-run': 'true',
      'custom-fields': 'Teams: [Platform, Payments]\nService: checkout',
      roles: 'Incident Lead: alice@example.com',
      links: 'Runbook: https://runbooks.example.com/checkout',
    });
    expect(result.code).toBe(0);
    const id = (name: string, list: { id: string; name: string }[]) => list.find((item) => item.name === name)!.id;
    const where = result.stdout.slice(result.stdout.indexOf('\nwhere\n')).split('\n').slice(2, 10);
    expect(where).toEqual([
      `  severity_id "${id('Major', sandbox.state.severities)}" = severity "Major"`,
      `  custom_field_id "${id('Teams', sandbox.state.customFields)}" = custom field "Teams"`,
      expect.stringMatching(/^ {2}value_option_id "\w+" = option "Platform" of custom field "Teams"$/),
      expect.stringMatching(/^ {2}value_option_id "\w+" = option "Payments" of custom field "Teams"$/),
      `  custom_field_id "${id('Service', sandbox.state.customFields)}" = custom field "Service"`,
      expect.stringMatching(/^ {2}value_catalog_entry_id "\w+" = catalog entry "Checkout" of custom field "Service"$/),
      `  incident_role_id "${id('Incident Lead', sandbox.state.incidentRoles)}" = role "Incident Lead"`,
      expect.stringMatching(/^ {2}assignee\.id "\w+" = user "Alice Example" \("alice@example\.com"\)$/),
    ]);
    expect(result.summary).toContain('- **Custom fields:**\n  - Teams: Platform, Payments\n  - Service: Checkout\n');
    expect(result.summary).toContain('- **Roles:**\n  - Incident Lead: Alice Example\n');
    expect(result.summary).toContain(
      '- **Would attach:**\n  - [GitHub Actions: Deploy #42](https://github.com/acme/shop/actions/runs/1001)\n  - [Runbook]',
    );
    expect(result.summary.trim().split('\n').at(-1)).toMatch(
      /^- \*\*Checked:\*\* against the incident\.io workspace: .*custom field options.*\. A dry run cannot check whether the API key may create incidents/,
    );
    expect(sandbox.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(result.stdout).not.toMatch(/every input is valid/);
  });

  it('writes a job summary for an alert dry run, saying the alert token was not checked', async () => {
    const result = await runAction(
      {
        'api-url': sandbox.url,
        'alert-source-id': 'src',
        'alert-token': 'tok_alert_0123456789',
        'dry-run': 'true',
      },
      { job: 'alert' },
    );
    expect(result.code).toBe(0);
    expect(sandbox.requests).toHaveLength(0);
    expect(result.summary).toContain('### incident.io: dry run (would send a firing alert event)');
    expect(result.summary).toMatch(
      /- \*\*Checked:\*\* nothing against the incident\.io workspace\. A dry run cannot check "alert-token" or "alert-source-id"/,
    );
  });

  it('still succeeds without GITHUB_STEP_SUMMARY (a local run)', async () => {
    const result = await runAction(base(), { summaryFile: false });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('no job summary was written');
    expect(sandbox.incidents()).toHaveLength(1);
  });

  it('honours an explicit idempotency key, visibility, mode and name', async () => {
    const inputs = {
      ...base(),
      'idempotency-key': 'deploy-2026-11-26',
      visibility: 'Private',
      mode: 'TEST',
      name: 'Payments deploy failed',
    };
    const result = await runAction(inputs);
    expect(result.code).toBe(0);
    expect(creates()[0]!.body).toMatchObject({
      idempotency_key: 'deploy-2026-11-26',
      visibility: 'private',
      mode: 'test',
      name: 'Payments deploy failed',
    });
  });
});
