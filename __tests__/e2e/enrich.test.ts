/**
 * End-to-end for the richer incident: attachments (the run, the pull request, the user's links,
 * never twice), timestamps ("Impact started" from the failed jobs), catalog values checked up
 * front, alert metadata and source URL, Slack and retrospective options, fork and Dependabot runs,
 * and the job summary card rendered as GitHub-flavoured Markdown.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { runAction } from '../../scripts/run-action.mjs';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();
const base = () => ({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major' });
const withGitHub = () => ({ ...base(), 'github-token': sandbox.githubToken });
const github = () => ({ GITHUB_API_URL: `${sandbox.url}/github` });
const creates = () => sandbox.requests.filter((r) => r.route === 'POST /v2/incidents');
const attachmentPosts = () => sandbox.requests.filter((r) => r.route === 'POST /v1/incident_attachments');
const render = (markdown: string) => micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'incident-io-enrich-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function eventFile(payload: unknown): string {
  const path = join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return path;
}

describe('attachments', () => {
  it('attaches the run, the merged pull request of the commit and the links, after the outputs', async () => {
    const result = await runAction(
      { ...withGitHub(), links: 'Runbook: https://runbooks.example.com/checkout\nDashboard: https://grafana.example.com/d/checkout' },
      { env: github() },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/::warning/);
    const titles = sandbox.attachments().map((a) => [a.resource.resource_type, a.resource.title]);
    expect(titles).toEqual(
      expect.arrayContaining([
        ['arbitrary_url', 'GitHub Actions: Deploy #42'],
        ['arbitrary_url', 'Pull request #128: Retry checkout payments idempotently'],
        ['arbitrary_url', 'Runbook'],
        ['arbitrary_url', 'Dashboard'],
      ]),
    );
    expect(sandbox.attachments()).toHaveLength(4);
    // The pull request was tried as a typed resource first; with no GitHub integration, as a link.
    expect(attachmentPosts().filter((r) => r.body.resource.resource_type === 'github_pull_request')).toHaveLength(1);
    const create = creates()[0]!;
    expect(attachmentPosts().every((r) => r.startedAt > create.respondedAt!)).toBe(true);
    const html = render(result.summary);
    expect(html).toContain('<a href="https://github.com/acme/shop/pull/128">Pull request #128: Retry checkout payments idempotently</a>');
  });

  it('attaches the pull request as one when incident.io has the GitHub integration', async () => {
    sandbox.state.githubIntegration = true;
    await runAction(withGitHub(), { env: github() });
    const pull = sandbox.attachments().find((a) => a.resource.resource_type === 'github_pull_request');
    expect(pull?.resource.external_id).toBe('acme/shop#128');
  });

  it("prefers the event's own pull request", async () => {
    const event = eventFile({
      pull_request: {
        number: 7,
        title: 'Fix it',
        html_url: 'https://github.com/acme/shop/pull/7',
        head: { repo: { full_name: 'acme/shop' } },
        base: { repo: { full_name: 'acme/shop' } },
      },
    });
    await runAction(withGitHub(), { env: { ...github(), GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event } });
    expect(sandbox.attachments().map((a) => a.resource.title)).toContain('Pull request #7: Fix it');
    expect(sandbox.requests.some((r) => r.route?.endsWith('/pulls'))).toBe(false);
  });

  it('attaches nothing twice when the run is re-run', async () => {
    const inputs = { ...withGitHub(), links: 'Runbook: https://runbooks.example.com/checkout' };
    await runAction(inputs, { env: github() });
    sandbox.incidents()[0].created_at = new Date(Date.now() - 10 * 60_000).toISOString();
    const rerun = await runAction(inputs, { env: { ...github(), GITHUB_RUN_ATTEMPT: '2' } });
    expect(rerun.outputs.created).toBe('false');
    expect(sandbox.attachments()).toHaveLength(3);
    expect(sandbox.requests.some((r) => r.route === 'GET /v1/incident_attachments')).toBe(true);
    expect(rerun.stdout).toMatch(/Already attached to INC-1, so not attached again/);
  });

  it.each([
    ['cut short', { type: 'truncated' }],
    ['a reset', { type: 'reset', after: 'process' }],
  ])('attaches once when the answer to an attachment is lost (%s) after it was made', async (_how, fault) => {
    sandbox.fault('POST /v1/incident_attachments', fault);
    const result = await runAction({ ...base(), links: 'Runbook: https://runbooks.example.com/checkout' });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/::warning/);
    expect(sandbox.attachments().filter((a) => a.resource.title === 'Runbook')).toHaveLength(1);
    expect(sandbox.requests.some((r) => r.route === 'GET /v1/incident_attachments')).toBe(true);
  });

  it("attaches an update's links once, however often it runs", async () => {
    await runAction(base());
    const update = {
      ...base(),
      severity: '',
      'incident-id': 'INC-1',
      links: 'Postmortem: https://docs.example.com/pm/1',
    };
    await runAction(update, { job: 'update' });
    await runAction(update, { job: 'update' });
    expect(sandbox.attachments().filter((a) => a.resource.title === 'Postmortem')).toHaveLength(1);
  });

  it('warns, and stays green, when incident.io refuses attachments (403)', async () => {
    sandbox.state.attachmentsForbidden = true;
    const result = await runAction({ ...withGitHub(), links: 'Runbook: https://runbooks.example.com/x' }, { env: github() });
    expect(result.code).toBe(0);
    expect(result.outputs.created).toBe('true');
    expect(result.stdout.match(/::warning title=incident\.io attachment not made::/g)).toHaveLength(1);
    expect(result.stdout).toMatch(
      /The incident exists, but the action could not attach 3 link\(s\)\. incident\.io POST \/v1\/incident_attachments answered 403 .*The API key in input "api-key" may not make this request: give it the scope "attachments\.create"/,
    );
  });

  it('degrades without pull-requests: read, with a notice naming it', async () => {
    sandbox.setGithubModes({ pulls: 'forbidden' });
    const result = await runAction(withGitHub(), { env: github() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/without its pull request attached: .*GitHub answered 403.*pull-requests: read/);
    expect(sandbox.attachments().map((a) => a.resource.title)).toEqual(['GitHub Actions: Deploy #42']);
  });

  it('degrades without checks: read, with a notice naming it', async () => {
    sandbox.setGithubModes({ annotations: 'forbidden' });
    const result = await runAction(withGitHub(), { env: github() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/without their error messages: .*GitHub answered 403.*checks: read/);
    expect(sandbox.incidents()[0].summary).toContain('failed at ["Deploy to production"]');
  });

  it('prints the attachments in a dry run and sends none', async () => {
    const result = await runAction(
      { ...withGitHub(), 'dry-run': 'true', links: 'Runbook: https://runbooks.example.com/x' },
      { env: github() },
    );
    expect(result.code).toBe(0);
    expect(result.stdout.match(/would be sent to POST .*\/v1\/incident_attachments/g)).toHaveLength(3);
    expect(attachmentPosts()).toHaveLength(0);
  });

  it.each([
    ['Runbook: http://runbooks.example.com/x', /allowed values: an https:\/\/ URL/],
    ['Runbook: javascript:alert(1)', /allowed values: an https:\/\/ URL/],
    ['Runbook: https://user:pw@example.com/', /allowed values: an https:\/\/ URL without credentials/],
    ['Runbook: ""', /empty URL/],
  ])('refuses the link %j before any write', async (links, message) => {
    const result = await runAction({ ...base(), links });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(message);
    expect(result.stdout).not.toContain('pw@');
    // Only the other inputs' names are looked up (the severity), so a mistake in them shows in the same run.
    expect(sandbox.requests.map((r) => r.route)).toEqual(['GET /v1/severities']);
  });
});

describe('timestamps', () => {
  const timestampValues = () =>
    Object.fromEntries(
      (sandbox.incidents()[0].incident_timestamp_values ?? []).map(
        (t: { incident_timestamp: { name: string }; value: { value: string } }) => [t.incident_timestamp.name, t.value.value],
      ),
    );

  it('sets "Impact started" to when the first failed job started', async () => {
    const result = await runAction(withGitHub(), { env: github() });
    expect(result.code).toBe(0);
    expect(timestampValues()['Impact started']).toBe('2026-11-26T10:04:00.000Z');
    expect(render(result.summary)).toContain('Impact started: 2026-11-26T10:04:00.000Z (when the first failed job started)');
    // A re-run gets the same incident back: the card shows no timestamps it did not set.
    sandbox.incidents()[0].created_at = new Date(Date.now() - 10 * 60_000).toISOString();
    const rerun = await runAction(withGitHub(), { env: { ...github(), GITHUB_RUN_ATTEMPT: '2' } });
    expect(rerun.outputs.created).toBe('false');
    expect(render(rerun.summary)).not.toContain('Impact started');
  });

  it('takes the input\'s value, names in any case, and "now"', async () => {
    const result = await runAction(
      { ...withGitHub(), timestamps: 'impact STARTED: 2026-11-26T09:58:00Z\nReported at: now' },
      { env: github() },
    );
    expect(result.code).toBe(0);
    expect(timestampValues()['Impact started']).toBe('2026-11-26T09:58:00Z');
    expect(Date.parse(timestampValues()['Reported at'])).toBeGreaterThan(Date.now() - 60_000);
  });

  it('turns the automatic "Impact started" off with none', async () => {
    await runAction({ ...withGitHub(), timestamps: 'Impact started: none' }, { env: github() });
    expect(timestampValues()['Impact started']).toBeUndefined();
  });

  it('refuses an unknown timestamp before anything is written, listing them and the closest', async () => {
    const result = await runAction({ ...base(), timestamps: 'Impact start: now' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /Input "timestamps" names "Impact start", which is not a timestamp in this incident\.io workspace\. Available: "Reported at", "Impact started", "Accepted at", "Resolved at"\. Did you mean "Impact started"\?/,
    );
    expect(creates()).toHaveLength(0);
  });

  it('refuses a time that is not RFC 3339 before any write, and still checks the name', async () => {
    const result = await runAction({ ...base(), timestamps: 'Impact started: yesterday' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/allowed values: an RFC 3339 time such as "2026-11-26T10:04:00Z", "now", or "none"/);
    expect(sandbox.requests.map((r) => r.route).sort()).toEqual(['GET /v1/severities', 'GET /v2/incident_timestamps']);
  });

  it('sets and unsets timestamps on update', async () => {
    await runAction(base());
    const result = await runAction(
      {
        'api-key': sandbox.apiKey,
        'api-url': sandbox.url,
        'incident-id': 'INC-1',
        timestamps: 'Accepted at: 2026-11-26T10:10:00Z',
      },
      { job: 'update' },
    );
    expect(result.code).toBe(0);
    expect(timestampValues()['Accepted at']).toBe('2026-11-26T10:10:00Z');
    await runAction(
      {
        'api-key': sandbox.apiKey,
        'api-url': sandbox.url,
        'incident-id': 'INC-1',
        timestamps: 'Accepted at: none',
      },
      { job: 'update' },
    );
    expect(timestampValues()['Accepted at']).toBeUndefined();
  });
});

describe('catalog-backed custom fields', () => {
  it('sends the entry found by name', async () => {
    const result = await runAction({ ...base(), 'custom-fields': 'Service: Payments' });
    expect(result.code).toBe(0);
    expect(creates()[0]!.body.custom_field_entries).toEqual([
      { custom_field_id: '01FIELDSERVICE000000000000', values: [{ value_catalog_entry_id: '01ENTRYPAYMENTS00000000000' }] },
    ]);
  });

  it('refuses an unknown entry before anything is written', async () => {
    const result = await runAction({ ...base(), 'custom-fields': 'Service: Paymnts' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /"Paymnts", which is not an entry of its catalog .*Some entries: "Checkout", "Payments", "Search"\. Did you mean "Payments"\?/,
    );
    expect(creates()).toHaveLength(0);
  });

  it('passes the value through with a notice when the key may not read the catalog', async () => {
    sandbox.state.catalogForbidden = true;
    const result = await runAction({ ...base(), 'custom-fields': 'Service: co' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/::notice[^:]*::The API key may not read the catalog .*catalog_entries\.view/);
    expect(creates()[0]!.body.custom_field_entries[0].values).toEqual([{ value_catalog_entry_id: 'co' }]);
  });
});

describe('alerts', () => {
  const alert = () => ({
    'api-url': sandbox.url,
    'alert-source-id': sandbox.alertSourceId,
    'alert-token': sandbox.alertToken,
  });

  it("merges alert-metadata beside the action's own keys, and sends source-url", async () => {
    const result = await runAction(
      {
        ...alert(),
        'alert-metadata': 'team: payments\nenvironment: production\nregions: [eu, us]',
        'source-url': 'https://deploys.example.com/42',
      },
      { job: 'alert' },
    );
    expect(result.code).toBe(0);
    const [event] = sandbox.alerts();
    expect(event.metadata).toMatchObject({
      team: 'payments',
      environment: 'production',
      regions: ['eu', 'us'],
      repository: 'acme/shop',
      run_id: 1001,
    });
    expect(event.source_url).toBe('https://deploys.example.com/42');
  });

  it('defaults source-url to the run', async () => {
    await runAction(alert(), { job: 'alert' });
    expect(sandbox.alerts()[0].source_url).toBe('https://github.com/acme/shop/actions/runs/1001');
  });

  it('refuses a metadata key the action sends itself, naming the reserved keys', async () => {
    const result = await runAction({ ...alert(), 'alert-metadata': 'repository: other\nteam: x' }, { job: 'alert' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /Input "alert-metadata" sets "repository", which the action sends itself.*Reserved keys: "repository", "workflow", "run_id"/,
    );
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('Slack and retrospective options', () => {
  it('sends slack-team-id', async () => {
    await runAction({ ...base(), 'slack-team-id': 'T0ENTERPRISE' });
    expect(creates()[0]!.body.slack_team_id).toBe('T0ENTERPRISE');
  });

  it('files a retrospective with its postmortem and channel, in any status category', async () => {
    const result = await runAction({
      ...base(),
      mode: 'retrospective',
      status: 'Closed',
      'postmortem-url': 'https://docs.example.com/pm/1',
      'slack-channel-id': 'C0EXISTING',
    });
    expect(result.code).toBe(0);
    expect(creates()[0]!.body).toMatchObject({
      mode: 'retrospective',
      retrospective_incident_options: { postmortem_document_url: 'https://docs.example.com/pm/1', slack_channel_id: 'C0EXISTING' },
    });
    expect(sandbox.incidents()[0].incident_status.name).toBe('Closed');
  });

  it.each([
    [{ 'postmortem-url': 'https://docs.example.com/pm/1' }, /Input "postmortem-url" is set, but "mode" is "standard"/],
    [{ 'slack-channel-id': 'C0EXISTING' }, /Input "slack-channel-id" is set, but "mode" is "standard"/],
    [{ mode: 'retrospective', 'slack-channel-name': 'inc-x' }, /Input "slack-channel-name" is set, but "mode" is "retrospective"/],
    [{ 'slack-team-id': 'acme' }, /Input "slack-team-id" is "acme"; allowed values: a Slack team ID/],
  ])('refuses %j before any write', async (inputs, message) => {
    const result = await runAction({ ...base(), ...inputs });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(message);
    expect(sandbox.requests.map((r) => r.route)).toEqual(['GET /v1/severities']);
  });
});

describe('fork and Dependabot runs', () => {
  it("skips a fork's pull request with an empty key: green, skipped=true, no request", async () => {
    const event = eventFile({
      pull_request: {
        number: 9,
        html_url: 'https://github.com/acme/shop/pull/9',
        head: { repo: { full_name: 'mallory/shop' } },
        base: { repo: { full_name: 'acme/shop' } },
      },
    });
    const result = await runAction({ ...base(), 'api-key': '' }, { env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event } });
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ skipped: 'true', created: 'false' });
    expect(result.stdout).toMatch(
      /::notice title=incident\.io step skipped::Skipped: "api-key" is empty because this run is for a pull request from a fork/,
    );
    expect(sandbox.requests).toHaveLength(0);
  });

  it('skips a Dependabot run with an empty key', async () => {
    const result = await runAction({ ...base(), 'api-key': '' }, { env: { GITHUB_ACTOR: 'dependabot[bot]' } });
    expect(result.code).toBe(0);
    expect(result.outputs.skipped).toBe('true');
  });

  it("says, after a 401 on a fork's pull request, that such a run gets no secrets", async () => {
    const event = eventFile({
      pull_request: {
        number: 9,
        html_url: 'https://github.com/acme/shop/pull/9',
        head: { repo: { full_name: 'mallory/shop' } },
        base: { repo: { full_name: 'acme/shop' } },
      },
    });
    const result = await runAction(
      { ...base(), 'api-key': 'not-a-secret-0123456789' },
      { env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event } },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::incident\.io GET \/v1\/severities answered 401 .*incident\.io refused the API key in input "api-key"\..*This run is for a pull request from a fork, and GitHub gives such runs no Actions secrets \(a Dependabot run reads Dependabot secrets instead: Settings → Secrets and variables → Dependabot\), so check where this value came from\./,
    );
  });

  it('says, after a 401 on a Dependabot run, that it reads Dependabot secrets', async () => {
    const result = await runAction({ ...base(), 'api-key': 'stale-dependabot-secret-0123' }, { env: { GITHUB_ACTOR: 'dependabot[bot]' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /Dependabot triggered this run, and GitHub gives such runs no Actions secrets \(a Dependabot run reads Dependabot secrets/,
    );
    expect(result.stdout).not.toContain('is given secrets');
  });

  it('still fails on an empty key anywhere else', async () => {
    const result = await runAction({ ...base(), 'api-key': '' });
    expect(result.code).toBe(1);
    expect(result.outputs.skipped).toBe('false');
  });
});

describe('the job summary card', () => {
  it('shows type, status, fields, roles with names, the Slack channel, attachments, timestamps and what failed', async () => {
    const result = await runAction(
      {
        ...withGitHub(),
        'incident-type': 'Platform',
        'custom-fields': 'Affected service: checkout\nTeams: [Platform, Payments]',
        roles: 'lead: alice@example.com',
        'slack-team-id': 'T0SANDBOX',
      },
      { env: github() },
    );
    expect(result.code).toBe(0);
    sandbox.incidents()[0].slack_channel_id = 'C0INC1';
    const html = render(result.summary);
    expect(html).toContain('<h3>incident.io: Declared INC-1</h3>');
    expect(html).not.toContain('<table');
    for (const item of [
      '<li><strong>Severity:</strong> Major</li>',
      '<li><strong>Status:</strong> Investigating</li>',
      '<li><strong>Type:</strong> Platform</li>',
      '<li><strong>Custom fields:</strong> Affected service: checkout; Teams: Platform, Payments</li>',
      '<li><strong>Roles:</strong> Incident Lead: Alice Example</li>',
      '<li><strong>Created by this step:</strong> yes</li>',
    ]) {
      expect(html).toContain(item);
    }
    expect(html).toMatch(/<li><strong>Slack channel:<\/strong> #inc-1-workflow-deploy-failed[^<]*<\/li>/);
    expect(html).toMatch(
      /<li><strong>Attachments:<\/strong> <a href="https:\/\/github\.com\/acme\/shop\/actions\/runs\/1001">GitHub Actions: Deploy #42<\/a>/,
    );
    expect(html).toMatch(
      /<li><strong>What failed:<\/strong> <a href="https:\/\/github\.com\/acme\/shop\/actions\/runs\/1001\/job\/5002">deploy<\/a> at &quot;Deploy to production&quot;<\/li>/,
    );
    expect(html).toContain('Impact started: 2026-11-26T10:04:00.000Z');
  });
});
