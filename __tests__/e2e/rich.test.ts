/**
 * End-to-end for rich incidents: type, status, custom fields, roles, Slack channel name and the
 * list of failed jobs, with the bundle as a child process against the sandbox.
 */
import { runAction } from '../../scripts/run-action.mjs';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();

const base = () => ({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Critical' });
const github = () => ({ GITHUB_API_URL: `${sandbox.url}/github` });
const creates = () => sandbox.requests.filter((r) => r.route === 'POST /v2/incidents');

const richInputs = () => ({
  ...base(),
  'incident-type': 'platform',
  status: 'TRIAGE',
  'custom-fields': [
    'Affected service: checkout', // on the second page of 300 options
    'Teams: [Platform, Payments]',
    'Runbook: https://runbooks.example.com/checkout',
    'Notes: Deploy 4f1c2a9 failed',
    'Customers affected: "12.50"',
    'Service: co', // a catalog alias
  ].join('\n'),
  roles: '{"lead": "alice@example.com", "Communications": "U0BOB"}',
  'slack-channel-name': 'inc-checkout-deploy',
  'github-token': sandbox.githubToken,
});

describe('rich incidents', () => {
  it('opens one incident with its type, status, every custom field type, roles, Slack channel and what failed', async () => {
    const result = await runAction(richInputs(), { env: github() });
    expect(result.stdout).not.toMatch(/::error::|::warning::/);
    expect(result.code).toBe(0);
    expect(sandbox.incidents()).toHaveLength(1);
    const [incident] = sandbox.incidents();
    expect(incident.incident_type.name).toBe('Platform');
    expect(incident.incident_status.name).toBe('Triage');
    expect(incident.slack_channel_name).toBe('inc-checkout-deploy');
    expect(creates()[0]!.body).toMatchObject({
      incident_type_id: '01TYPEPLATFORM000000000000',
      incident_status_id: '01STATUSTRIAGE000000000000',
      slack_channel_name_override: 'inc-checkout-deploy',
      custom_field_entries: [
        { custom_field_id: '01FIELDAFFECTEDSERVICE0000', values: [{ value_option_id: expect.stringMatching(/^01OPTSVC/) }] },
        {
          custom_field_id: '01FIELDTEAMS00000000000000',
          values: [{ value_option_id: expect.any(String) }, { value_option_id: expect.any(String) }],
        },
        { custom_field_id: '01FIELDRUNBOOK000000000000', values: [{ value_link: 'https://runbooks.example.com/checkout' }] },
        { custom_field_id: '01FIELDNOTES00000000000000', values: [{ value_text: 'Deploy 4f1c2a9 failed' }] },
        { custom_field_id: '01FIELDCUSTOMERS0000000000', values: [{ value_numeric: '12.50' }] },
        { custom_field_id: '01FIELDSERVICE000000000000', values: [{ value_catalog_entry_id: '01ENTRYCHECKOUT00000000000' }] },
      ],
      incident_role_assignments: [
        { incident_role_id: '01ROLELEAD0000000000000000', assignee: { id: '01USERALICE000000000000000' } },
        { incident_role_id: '01ROLECOMMS000000000000000', assignee: { id: '01USERBOB00000000000000000' } },
      ],
    });
    const service = incident.custom_field_entries.find(
      (e: { custom_field: { name: string } }) => e.custom_field.name === 'Affected service',
    );
    expect(JSON.stringify(service)).toContain('checkout');
    // What failed: the deploy job with its failed step; successful jobs are left out.
    expect(incident.summary).toContain('**What failed**');
    expect(incident.summary).toContain(
      '- Job [deploy](https://github.com/acme/shop/actions/runs/1001/job/5002) failed at ["Deploy to production"](https://github.com/acme/shop/actions/runs/1001/job/5002#step:3:1)',
    );
    // ...with its error message, and neither the warning nor the runner's generic exit-code line.
    expect(incident.summary).toContain('  - error: deployment "checkout" exceeded its progress deadline');
    expect(incident.summary).not.toMatch(/Process completed with exit code/);
    expect(incident.summary).not.toMatch(/\[build\]/);
    const jobsCall = sandbox.requests.find((r) => r.route?.endsWith('/jobs'))!;
    expect(jobsCall.path).toBe('/github/repos/acme/shop/actions/runs/1001/attempts/1/jobs');
    expect(jobsCall.headers['authorization']).toBe(`token ${sandbox.githubToken}`);
    const leaked = [result.stdout, result.summary, JSON.stringify(result.outputs), JSON.stringify(sandbox.incidents())].join('\n');
    expect(leaked.replace(/::add-mask::.*/g, '')).not.toContain(sandbox.apiKey);
    expect(leaked.replace(/::add-mask::.*/g, '')).not.toContain(sandbox.githubToken);
  });

  it('makes only the lookups the inputs need', async () => {
    await runAction({ ...base(), 'custom-fields': 'Notes: hi' });
    // No GitHub token here: no jobs, pull request or timestamps lookup; the run is attached after the create.
    expect(sandbox.requests.map((r) => r.route)).toEqual([
      'GET /v1/severities',
      'GET /v2/custom_fields',
      'POST /v2/incidents',
      'POST /v1/incident_attachments',
      'GET /v1/incident_attachments',
    ]);
  });

  it('survives a paginator whose cursor repeats', async () => {
    sandbox.state.paginationBug = 'repeat-cursor';
    const result = await runAction({ ...base(), 'custom-fields': 'Affected service: checkout' });
    expect(result.code).toBe(0);
    expect(sandbox.requests.filter((r) => r.route === 'GET /v1/custom_field_options').length).toBeLessThanOrEqual(3);
    expect(sandbox.incidents()).toHaveLength(1);
  });

  it.each([
    [
      'an unknown incident type',
      { 'incident-type': 'Databse' },
      /Input "incident-type" is "Databse", which is not an incident type in this incident\.io workspace\. Available: "Default", "Security", "Platform"\./,
    ],
    [
      'a status that cannot open an incident',
      { status: 'Closed' },
      /Input "status" is "Closed", a status in the "closed" category; to open an incident the status must be in the "triage" or "live" category\. Statuses that fit: "Triage", "Investigating", "Fixing", "Monitoring"\./,
    ],
    [
      'an unknown custom field',
      { 'custom-fields': 'Affected servise: checkout' },
      /Input "custom-fields" names "Affected servise", which is not a custom field .* Did you mean "Affected service"\?/,
    ],
    [
      'an unknown option',
      { 'custom-fields': 'Teams: [Platform, Paymants]' },
      /Input "custom-fields" sets "Teams" to "Paymants", which is not one of its options\. Available: "Platform", "Payments", "Growth"\. Did you mean "Payments"\?/,
    ],
    ['a non-numeric number', { 'custom-fields': 'Customers affected: many' }, /"Customers affected" to "many", but it is a numeric field/],
    [
      'an unknown role',
      { roles: 'Scribe: alice@example.com' },
      /Input "roles" names "Scribe", which is not an incident role .*Available: "Incident Lead", "Reporter", "Communications"\./,
    ],
    [
      'an unknown user',
      { roles: 'lead: carol@example.com' },
      /Input "roles" assigns "lead" to "carol@example\.com", but no user has this email/,
    ],
  ])('refuses %s before the create, creating nothing', async (_what, inputs, message) => {
    const result = await runAction({ ...base(), ...inputs });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(message);
    expect(creates()).toHaveLength(0);
    expect(sandbox.incidents()).toHaveLength(0);
  });

  it('reports every bad name at once', async () => {
    const result = await runAction({ ...base(), 'incident-type': 'Nope', roles: 'Scribe: alice@example.com' });
    expect(result.stdout).toMatch(/Input "incident-type" is "Nope"/);
    expect(result.stdout).toMatch(/Input "roles" names "Scribe"/);
    expect(creates()).toHaveLength(0);
  });

  it.each([
    ['custom-fields', 'Teams: [Platform'],
    ['roles', 'lead: [a, b'],
  ])('reports malformed %s as such, and that its names could not be checked, sending no write', async (input, raw) => {
    const result = await runAction({ ...base(), [input]: raw });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`Input "${input}" is not valid YAML or JSON`);
    expect(result.stdout).toMatch(/Until it reads as a mapping, its \w+ and their \w+ cannot be checked against the workspace\./);
    expect(sandbox.requests.map((r) => r.route)).toEqual(['GET /v1/severities']);
  });

  it.each([
    [
      'forbidden',
      /without the list of failed jobs: the GitHub token may not read it \(GitHub answered 403\)\. Grant `permissions: \{ actions: read \}`/,
    ],
    ['error', /failed jobs: GitHub answered 500/],
  ] as const)('still declares the incident when GitHub is %s, with a notice', async (mode, message) => {
    sandbox.setGithubMode(mode);
    const result = await runAction({ ...base(), 'github-token': sandbox.githubToken }, { env: github() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(message);
    expect(result.stdout).toContain(
      '::notice title=incident.io%3A not everything could be read::The incident was declared without the list of failed jobs',
    );
    expect(sandbox.incidents()).toHaveLength(1);
    expect(sandbox.incidents()[0].summary).not.toContain('What failed');
  });

  it('reaches the create after two rounds of parallel lookups: 400 ms delays do not add up', async () => {
    const delay = 400;
    sandbox.state.lookupDelayMs = delay;
    const inputs = { ...richInputs(), 'custom-fields': 'Notes: hi\nCustomers affected: "3"\nService: co' };
    const result = await runAction(inputs, { env: github() });
    expect(result.code).toBe(0);
    const create = creates()[0]!;
    const lookups = sandbox.requests.filter((r) => r.method === 'GET' && r.startedAt < create.startedAt);
    const firstAnswer = Math.min(...lookups.map((r) => r.respondedAt!));
    const firstRound = lookups.filter((r) => r.startedAt < firstAnswer).map((r) => r.route);
    // Everything that needs no other answer is in flight together.
    expect(firstRound.sort()).toEqual(
      [
        'GET /v1/severities',
        'GET /v1/incident_types',
        'GET /v1/incident_statuses',
        'GET /v2/custom_fields',
        'GET /v2/incident_roles',
        'GET /v2/users',
        'GET /v2/users',
        'GET /github/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt/jobs',
        'GET /github/repos/:owner/:repo/commits/:sha/pulls',
      ].sort(),
    );
    // The second round needs the first's answers: the catalog entry (the field's catalog type),
    // the failed job's error messages (its check run), and the timestamps list, read only once
    // the jobs show a failure that gives "Impact started".
    const secondRound = lookups.filter((r) => r.startedAt >= firstAnswer).map((r) => r.route);
    expect(secondRound.sort()).toEqual(
      ['GET /github/repos/:owner/:repo/check-runs/:id/annotations', 'GET /v3/catalog_entries', 'GET /v2/incident_timestamps'].sort(),
    );
    const elapsed = create.startedAt - Math.min(...lookups.map((r) => r.startedAt));
    expect(elapsed).toBeGreaterThanOrEqual(2 * delay);
    expect(elapsed).toBeLessThan(3 * delay); // in series they would take 12 × 400 ms
  });

  it('adds one dependent round for select options, which need the field ID', async () => {
    sandbox.state.lookupDelayMs = 300;
    const result = await runAction({ ...base(), status: 'Triage', 'custom-fields': 'Teams: [Platform]\nAffected service: search' });
    expect(result.code).toBe(0);
    const options = sandbox.requests.filter((r) => r.route === 'GET /v1/custom_field_options' && !r.query.after);
    expect(options).toHaveLength(2);
    const fieldList = sandbox.requests.find((r) => r.route === 'GET /v2/custom_fields')!;
    // The two fields' first option pages are fetched together, right after the field list
    // ("search" is on the second page of "Affected service", one more round).
    expect(options.every((o) => o.startedAt >= fieldList.respondedAt! && o.startedAt < fieldList.respondedAt! + 250)).toBe(true);
    const elapsed = creates()[0]!.startedAt - sandbox.requests[0]!.startedAt;
    expect(elapsed).toBeLessThan(3 * 300 + 250); // field list, then two option pages, each 300 ms
  });
});
