/**
 * Adversarial end-to-end: the bundle as a child process against a sandbox that answers like an
 * attacker or a broken server, and inputs that a careless or hostile workflow passes. For each
 * class of the trust issue: no runner command from untrusted text, no fragment of a secret,
 * bounded error text, honest outcomes, exact resolution, no misspelt input, sane retries.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { runAction } from '../../scripts/run-action.mjs';
import { leakedFragments } from '../helpers/leaks.js';
import { foreignCommands, runnerCommands } from '../helpers/runner-commands.js';
import { useSandbox } from '../helpers/sandbox.js';

type Result = Awaited<ReturnType<typeof runAction>>;

const KEY = 'inc_live_7Hq2xP9vK3mZ8wR4tY6uB1nC5dF0gJ';
const ALERT_TOKEN = 'alert_tok_Qm4Zx8Lp2Wv6Rt0Ys3Nb7Kc1';
const GITHUB_TOKEN = 'ghs_9fTq2WmX7pLs4VzR8kYc1NbH6dJe3GaU5oQi';
const SECRETS = [KEY, ALERT_TOKEN, GITHUB_TOKEN];
const sandbox = useSandbox({ apiKey: KEY, alertToken: ALERT_TOKEN, githubToken: GITHUB_TOKEN });

const base = () => ({ 'api-key': KEY, 'api-url': sandbox.url, severity: 'Major', 'github-token': GITHUB_TOKEN });
const github = () => ({ GITHUB_API_URL: `${sandbox.url}/github` });
const creates = () => sandbox.requests.filter((r) => r.route === 'POST /v2/incidents');
const everything = (r: Result) => [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs)].join('\n');

/** The checks every run must pass, whatever it was fed. */
function expectTrustworthy(result: Result) {
  expect(result.stderr).toBe('');
  expect(foreignCommands(result.stdout, SECRETS)).toEqual([]);
  expect(leakedFragments(everything(result), SECRETS)).toEqual([]);
  for (const incident of sandbox.incidents()) expect(leakedFragments(JSON.stringify(incident), SECRETS)).toEqual([]);
  for (const request of sandbox.requests) {
    expect(leakedFragments(request.path + JSON.stringify(request.query) + JSON.stringify(request.body ?? ''), SECRETS)).toEqual([]);
  }
}

const render = (markdown: string) => micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });

/** Names that try to run a runner command, or to break out of the job summary's Markdown. */
const HOSTILE_NAMES = [
  'Deploy ##[set-output name=status;]PWNED',
  'Deploy\n::add-mask::PWNED',
  'Deploy\r::stop-commands::PWNED',
  'Deploy\r\n::error::PWNED',
  'Deploy](https://evil.example) <img src=x onerror=alert(1)>',
  'Deploy `key` <!-- x --> | cell',
];

describe('untrusted text never becomes a runner command or Markdown', () => {
  it.each(HOSTILE_NAMES)('survives the incident name %j, echoed back by incident.io', async (name) => {
    const result = await runAction({ ...base(), name, summary: `Summary ${name}` }, { env: github() });
    expect(result.code).toBe(0);
    expectTrustworthy(result);
    expect(sandbox.incidents()[0].name).toBe(name); // the name is sent as given: only what is printed is escaped
    const html = render(result.summary);
    expect(html).not.toMatch(/<img|<script|<!--|<code>|<table/);
    // Links only where the action put them: the incident, and the run, job and pull request on GitHub.
    const hrefs = [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs[0]).toBe(sandbox.incidents()[0].permalink);
    for (const href of hrefs) expect(href).toMatch(/^https:\/\/(app\.incident\.io\/sandbox\/incidents\/1|github\.com\/acme\/shop\/)/);
    expect(result.outputs['incident-name']).toBe(name);
  });

  it('survives hostile severity, status and type names from incident.io', async () => {
    sandbox.state.severities[1].name = 'Major\n::add-mask::PWNED-severity ##[add-path]/PWNED';
    sandbox.state.incidentStatuses[1].name = 'Investigating\r::warning::PWNED-status';
    const result = await runAction({ ...base(), severity: '', 'dry-run': 'false' }, { env: github() });
    expect(result.code).toBe(0);
    expectTrustworthy(result);
  });

  it('survives hostile workflow, branch, actor and job names from the run', async () => {
    const env = {
      ...github(),
      GITHUB_WORKFLOW: 'Deploy\n::add-mask::PWNED-workflow',
      GITHUB_REF_NAME: 'feature/##[set-output name=x;]PWNED',
      GITHUB_ACTOR: '::error::PWNED-actor',
      GITHUB_JOB: 'deploy\r::stop-commands::PWNED',
    };
    sandbox.setJobs([
      {
        id: 5002,
        name: 'deploy ##[add-mask]PWNED-job',
        status: 'completed',
        conclusion: 'failure',
        html_url: 'https://github.com/acme/shop/actions/runs/1001/job/5002',
        steps: [{ name: 'Step\n::error::PWNED-step', status: 'completed', conclusion: 'failure', number: 1 }],
      },
    ]);
    const result = await runAction(base(), { env });
    expect(result.code).toBe(0);
    expectTrustworthy(result);
    expect(sandbox.incidents()[0].summary).not.toMatch(/\n::/);
  });

  it('survives a hostile alert title and deduplication key', async () => {
    const result = await runAction(
      {
        'api-url': sandbox.url,
        'alert-source-id': sandbox.alertSourceId,
        'alert-token': ALERT_TOKEN,
        name: 'Nightly\n::add-mask::PWNED',
        'deduplication-key': 'key`` ##[set-output name=a;]PWNED\r::error::PWNED',
      },
      { job: 'alert' },
    );
    expect(result.code).toBe(0);
    expectTrustworthy(result);
    expect(render(result.summary)).not.toMatch(/<code>[^<]*<\/code>[^<]*<code>/);
  });

  it('survives hostile server error text', async () => {
    sandbox.fault('POST /v2/incidents', {
      type: 'error',
      status: 422,
      message: 'Bad\n::add-mask::PWNED\r::stop-commands::PWNED ##[set-output name=status;]PWNED',
      field: 'name\n::error::PWNED',
    });
    const result = await runAction(base(), { env: github() });
    expect(result.code).toBe(1);
    expectTrustworthy(result);
    expect(runnerCommands(result.stdout).filter((c) => c.name === 'error')).toHaveLength(1);
  });

  it('prints a hostile dry-run body inertly', async () => {
    const result = await runAction({ ...base(), 'dry-run': 'true', name: 'x\n::add-mask::PWNED ##[add-path]/PWNED' }, { env: github() });
    expect(result.code).toBe(0);
    expectTrustworthy(result);
  });
});

describe('secrets: redacted first, then cut, everywhere', () => {
  it.each([
    ['json', { type: 'echo-key', status: 400, format: 'json' }],
    ['json, padded past 1 KB', { type: 'echo-key', status: 400, format: 'json', padding: 995 }],
    ['text', { type: 'echo-key', status: 400, format: 'text' }],
    ['\\u-escaped', { type: 'echo-key', status: 400, format: 'json', escaped: true }],
  ])('no fragment of an echoed key in a final error (%s)', async (_name, fault) => {
    sandbox.fault('GET /v1/severities', fault);
    const result = await runAction(base(), { env: github() });
    expect(result.code).toBe(1);
    expectTrustworthy(result);
  });

  it('no fragment of an echoed key in a retry line', async () => {
    sandbox.fault('POST /v2/incidents', { type: 'echo-key', status: 503, format: 'json' }, 2);
    const result = await runAction(base(), { env: { ...github(), INCIDENT_IO_TIMEOUT_MS: '2000' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/retrying in/);
    expectTrustworthy(result);
  });

  it('no fragment of an echoed alert token', async () => {
    sandbox.fault('POST /v2/alert_events/http/:id', { type: 'echo-key', status: 400, format: 'text' });
    const result = await runAction(
      {
        'api-url': sandbox.url,
        'alert-source-id': sandbox.alertSourceId,
        'alert-token': ALERT_TOKEN,
      },
      { job: 'alert' },
    );
    expect(result.code).toBe(1);
    expectTrustworthy(result);
  });

  it('no fragment of the GitHub token when GitHub echoes it', async () => {
    sandbox.fault('GET /github/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt/jobs', {
      type: 'echo-key',
      status: 400,
      format: 'json',
    });
    const result = await runAction(base(), { env: github() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/without the list of failed jobs/);
    expectTrustworthy(result);
  });

  it('refuses a key pasted into the name, summary, custom fields or links, before any request, without repeating it', async () => {
    const result = await runAction(
      {
        ...base(),
        name: `Deploy ${KEY}`,
        summary: `See ${KEY}`,
        'custom-fields': `Notes: "note ${KEY}"\nRunbook: https://runbooks.example.com/?k=${KEY}`,
        links: `Dashboard: https://dash.example.com/${KEY.slice(4, 20)}`,
      },
      { env: github() },
    );
    expect(result.code).toBe(1);
    expect(sandbox.requests).toHaveLength(0);
    for (const input of ['name', 'summary', 'custom-fields', 'links']) {
      expect(result.stdout).toContain(`Input "${input}" contains the value of "api-key", or 12 or more characters of it.`);
    }
    expectTrustworthy(result);
  });

  it('no fragment of a key that reaches the incident through the run (a workflow name), sent or shown', async () => {
    const result = await runAction(base(), { env: { ...github(), GITHUB_WORKFLOW: `Deploy ${KEY} nightly` } });
    expect(result.code).toBe(0);
    expect(creates()).toHaveLength(1);
    expect(JSON.stringify(creates()[0]!.body)).toContain('Deploy *** nightly');
    expect(result.summary).toContain('Deploy \\*\\*\\* nightly');
    expectTrustworthy(result);
  });

  it('bounds a 5 MB error body: the server text once, about 1 KB', async () => {
    sandbox.fault('POST /v2/incidents', { type: 'huge', status: 503 }, 5);
    const result = await runAction(base(), { env: github() });
    expect(result.code).toBe(1);
    expect(result.stdout.length).toBeLessThan(8_000);
    expect(result.stdout.match(/cut from/g)).toHaveLength(1);
    expectTrustworthy(result);
  }, 30_000);

  it.each([
    ['a line break', 'inc_live_abc\ninc_live_def'],
    ['a control character', 'inc_live_abc\u0007def'],
    ['a character outside Latin-1', 'inc_live_abc€def'],
  ])('refuses a key with %s before any request, without repeating it', async (_what, key) => {
    const result = await runAction({ ...base(), 'api-key': key });
    expect(result.code).toBe(1);
    expect(sandbox.requests).toHaveLength(0);
    expect(result.stdout).toMatch(/::error::Input "api-key" contains/);
    expect(leakedFragments(result.stdout, key.split(/[^\w€]/))).toEqual([]);
    expect(result.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain('inc_live_abc');
  });

  it('never repeats credentials, a query or a fragment of api-url', async () => {
    for (const url of ['https://user:hunter2secretpw@api.incident.io/?token=s3cretq', 'htp:/user:hunter2secretpw@x#s3cretq']) {
      const result = await runAction({ ...base(), 'api-url': url });
      expect(result.code).toBe(1);
      expect(everything(result)).not.toMatch(/hunter2|s3cret/);
    }
  });
});

describe('honest outcomes', () => {
  it("reports a conflict that does not blame the key as an error with incident.io's words", async () => {
    sandbox.fault('POST /v2/incidents', {
      type: 'error',
      status: 409,
      message: 'Slack channel name already taken',
      field: 'slack_channel_name_override',
    });
    const result = await runAction({ ...base(), 'slack-channel-name': 'inc-taken' }, { env: github() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::incident\.io POST \/v2\/incidents answered 409 conflict: Slack channel name already taken/);
    expect(result.outputs.created).toBe('false');
    expect(result.outputs['incident-id']).toBeUndefined();
  });

  it('still reports a conflict that blames the key as already declared', async () => {
    sandbox.fault('POST /v2/incidents', {
      type: 'error',
      status: 409,
      message: 'An incident with this idempotency key already exists',
      field: 'idempotency_key',
    });
    const result = await runAction(base(), { env: github() });
    expect(result.code).toBe(0);
    expect(result.outputs.created).toBe('false');
    expect(result.stdout).toMatch(/already declared/);
  });

  it('never follows a redirect, and reports no incident', async () => {
    sandbox.fault('POST /v2/incidents', { type: 'redirect', status: 302 });
    const result = await runAction(base(), { env: github() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::incident\.io POST \/v2\/incidents answered 302, a redirect to elsewhere\.example: the action never follows/,
    );
    expect(result.outputs).toEqual({ created: 'false', skipped: 'false' });
    expect(sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v2/incidents'))).toHaveLength(0);
  });

  it.each([[['reference']], [['name']], [['id', 'reference', 'name']]])('refuses a create answer without %j', async (fields) => {
    sandbox.fault('POST /v2/incidents', { type: 'omit', fields });
    const result = await runAction(base(), { env: github() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `::error::incident\\.io POST /v2/incidents answered 200 with an incident the action cannot report: incident\\.${fields[0]} is missing`,
      ),
    );
    expect(result.outputs.created).toBe('false');
  });

  it('refuses a show answer without a reference on update', async () => {
    await runAction(base(), { env: github() });
    sandbox.fault('GET /v2/incidents/:id', { type: 'omit', fields: ['reference'] });
    const result = await runAction({ 'api-key': KEY, 'api-url': sandbox.url, 'incident-id': 'INC-1', name: 'x' }, { job: 'update' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/incident the action cannot report: incident\.reference is missing/);
    expect(sandbox.requests.filter((r) => r.route === 'POST /v2/incidents/:id/actions/edit')).toHaveLength(0);
  });

  describe('when the outputs or the event payload cannot be read or written', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'incident-io-adversarial-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it.each(['true', 'false'])('follows the failure policy for an unwritable GITHUB_OUTPUT (fail-on-error %s)', async (failOnError) => {
      // A directory cannot be appended to, even by root.
      const result = await runAction({ ...base(), 'fail-on-error': failOnError }, { env: { ...github(), GITHUB_OUTPUT: dir } });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(failOnError === 'true' ? 1 : 0);
      const level = failOnError === 'true' ? 'error' : 'warning';
      expect(result.stdout).toMatch(
        new RegExp(`::${level}[^:]*::Could not write the step output "incident-id" \\(GITHUB_OUTPUT is "[^"]+"\\): EISDIR`),
      );
      expect(result.stdout).not.toMatch(/ at .*index\.js/);
      expect(sandbox.incidents()).toHaveLength(1);
    });

    it.each(['true', 'false'])('follows the failure policy for an unreadable GITHUB_EVENT_PATH (fail-on-error %s)', async (failOnError) => {
      const event = join(dir, 'event.json');
      writeFileSync(event, '{"not json');
      const result = await runAction({ ...base(), 'fail-on-error': failOnError }, { env: { ...github(), GITHUB_EVENT_PATH: event } });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(failOnError === 'true' ? 1 : 0);
      expect(result.stdout).toMatch(/Could not read the workflow's event payload from GITHUB_EVENT_PATH/);
      expect(sandbox.requests).toHaveLength(0);
    });
  });
});

describe('exact resolution', () => {
  it('assigns the user whose email matches, when incident.io ignores the filter', async () => {
    sandbox.state.usersIgnoreFilter = true;
    const result = await runAction({ ...base(), roles: 'lead: ALICE@example.com' }, { env: github() });
    expect(result.code).toBe(0);
    expect(creates()[0]!.body.incident_role_assignments).toEqual([
      { incident_role_id: '01ROLELEAD0000000000000000', assignee: { id: '01USERALICE000000000000000' } },
    ]);
  });

  it('refuses an assignee no user matches exactly, before anything is written', async () => {
    sandbox.state.usersIgnoreFilter = true;
    const result = await runAction({ ...base(), roles: 'lead: carol@example.com' }, { env: github() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/no user has this email/);
    expect(creates()).toHaveLength(0);
  });

  it('reports every unknown field, option and role in one run', async () => {
    const result = await runAction(
      { ...base(), 'custom-fields': 'Nope: x\nAffected service: chekout\nTeams: [Platfrom]', roles: 'Scribe: alice@example.com' },
      { env: github() },
    );
    expect(result.code).toBe(1);
    const error = runnerCommands(result.stdout).find((c) => c.name === 'error')!.data;
    expect(error).toMatch(/"Nope", which is not a custom field/);
    expect(error).toMatch(/"chekout", which is not one of its options.*Did you mean "checkout"/);
    expect(error).toMatch(/"Platfrom".*Did you mean "Platform"/);
    expect(error).toMatch(/"Scribe", which is not an incident role/);
    expect(creates()).toHaveLength(0);
  });

  it('sends a large number verbatim', async () => {
    const result = await runAction({ ...base(), 'custom-fields': 'Customers affected: "12345678901234567890"' }, { env: github() });
    expect(result.code).toBe(0);
    expect(JSON.stringify(creates()[0]!.body)).toContain('"value_numeric":"12345678901234567890"');
  });

  it('refuses an empty variable in roles as empty, not as an unknown user', async () => {
    const result = await runAction({ ...base(), roles: 'lead: ""' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/assigns "lead" to an empty value\. If it comes from `\$\{\{ vars/);
    expect(result.stdout).not.toMatch(/no user/);
    // The role's name and the severity are still looked up, so a mistake in them shows in the same run; no user is.
    expect(sandbox.requests.map((r) => r.route).sort()).toEqual(['GET /v1/severities', 'GET /v2/incident_roles']);
  });

  it('refuses an update with nothing to change, before any write', async () => {
    const result = await runAction(
      {
        'api-key': KEY,
        'api-url': sandbox.url,
        'incident-id': 'INC-1',
        'custom-fields': '{}',
      },
      { job: 'update' },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/needs something to change/);
    // The incident is still looked up, so a wrong incident-id shows in the same run.
    expect(result.stdout).toMatch(/Input "incident-id" is "INC-1", but incident\.io has no such incident/);
    expect(sandbox.requests.map((r) => r.route)).toEqual(['GET /v2/incidents/:id']);
  });

  it.each(['..', '../v1/identity'])('refuses the path-like incident-id %j before any request', async (id) => {
    const result = await runAction({ 'api-key': KEY, 'api-url': sandbox.url, 'incident-id': id }, { job: 'resolve' });
    expect(result.code).toBe(1);
    expect(sandbox.requests).toHaveLength(0);
  });

  describe('resolve', () => {
    const resolve = () => runAction({ 'api-key': KEY, 'api-url': sandbox.url, 'incident-id': 'INC-1' }, { job: 'resolve' });
    const ID = (name: string) => sandbox.state.incidentStatuses.find((s: { name: string }) => s.name === name).id;

    it('tries the next post-incident status when incident.io refuses the first', async () => {
      await runAction(base(), { env: github() });
      sandbox.state.reviewingStatus = true;
      sandbox.state.refuseStatusIds = [ID('Documenting')];
      const result = await resolve();
      expect(result.code).toBe(0);
      expect(sandbox.incidents()[0].incident_status.name).toBe('Reviewing');
      expect(result.outputs.status).toBe('Reviewing');
    });

    it('closes when every post-incident status is refused, and says it skips the flow', async () => {
      await runAction(base(), { env: github() });
      sandbox.state.reviewingStatus = true;
      sandbox.state.refuseStatusIds = [ID('Documenting'), ID('Reviewing')];
      const result = await resolve();
      expect(result.code).toBe(0);
      expect(sandbox.incidents()[0].incident_status.name).toBe('Closed');
      expect(result.stdout).toMatch(/so it is closed directly \("Closed"\), which skips the post-incident flow/);
    });

    it('explains the rule, and the pause, when every status is refused', async () => {
      await runAction(base(), { env: github() });
      sandbox.incidents()[0].incident_status = {
        ...sandbox.state.incidentStatuses.find((s: { category: string }) => s.category === 'paused'),
      };
      sandbox.state.refuseStatusIds = [ID('Documenting')];
      sandbox.state.refuseClose = true;
      const result = await resolve();
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        /refused to resolve INC-1\. Tried "Documenting".*"Closed".*post-incident flow that applies to it.*Set "status"/,
      );
      expect(result.stdout).toMatch(/INC-1 is paused \("Paused"\): incident\.io may need it un-paused/);
    });
  });
});

describe('a misspelt input', () => {
  it('fails before any write, naming the closest input', async () => {
    const result = await runAction({ ...base(), severty: 'Critical' });
    expect(result.code).toBe(1);
    expect(sandbox.requests.map((r) => r.route)).toEqual(['GET /v1/severities']);
    expect(result.stdout).toMatch(/::error::Input "severty" is not an input of the declare job.*did you mean "severity"\?/);
  });
});

describe('retries', () => {
  it.each(['0', '-5', 'tomorrow 1'])('treats Retry-After %j as "use our own backoff", not "now"', async (retryAfter) => {
    sandbox.fault('POST /v2/incidents', { type: 'rate-limit', retryAfter });
    const result = await runAction(base(), { env: github() });
    expect(result.code).toBe(0);
    const [first, second] = creates();
    expect(second!.startedAt - first!.startedAt).toBeGreaterThanOrEqual(200);
    expect(result.stdout).toMatch(/retrying in 0\.\d s \(attempt 2 of 5\)/);
  });

  it('does not retry a 501', async () => {
    sandbox.fault('POST /v2/incidents', { type: 'status', status: 501 }, 3);
    const result = await runAction(base(), { env: github() });
    expect(result.code).toBe(1);
    expect(creates()).toHaveLength(1);
  });
});
