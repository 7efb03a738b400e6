/**
 * End-to-end: following an outage across runs. A `workflow_run` watcher reports on the watched
 * run; `incident-key` keeps one open incident per broken thing (update on each failure, resolve
 * on recovery); `message` posts incident updates exactly once; `heartbeat` pings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { runAction } from '../../scripts/run-action.mjs';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();
const api = () => ({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url });
const creates = () => sandbox.requests.filter((r) => r.route === 'POST /v2/incidents');
const updates = () => sandbox.incidentUpdates();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'incident-io-outage-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment of a watcher run (3003) that `workflow_run` started for the watched run 2002. */
function watcherEnv(watched: Record<string, unknown> = {}, own: Record<string, string> = {}) {
  const payload = {
    action: 'completed',
    workflow_run: {
      id: 2002,
      run_number: 77,
      run_attempt: 1,
      name: 'Deploy',
      head_sha: 'feedfacecafebeef00112233445566778899aabb',
      head_branch: 'main',
      head_repository: { full_name: 'acme/shop' },
      conclusion: 'failure',
      event: 'push',
      display_title: 'Ship the new checkout',
      html_url: 'https://github.com/acme/shop/actions/runs/2002',
      actor: { login: 'octocat' },
      triggering_actor: { login: 'hubot' },
      ...watched,
    },
  };
  const path = join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return {
    GITHUB_EVENT_NAME: 'workflow_run',
    GITHUB_EVENT_PATH: path,
    GITHUB_WORKFLOW: 'Watch deploys',
    GITHUB_RUN_ID: '3003',
    GITHUB_RUN_NUMBER: '9',
    GITHUB_JOB: 'report',
    GITHUB_API_URL: `${sandbox.url}/github`,
    ...own,
  };
}

describe('workflow_run watchers', () => {
  const failedJob = {
    id: 6001,
    name: 'deploy-eu',
    status: 'completed',
    conclusion: 'failure',
    html_url: 'https://github.com/acme/shop/actions/runs/2002/job/6001',
    steps: [{ name: 'Roll out', status: 'completed', conclusion: 'failure', number: 3 }],
  };

  it('describes the watched run, not the watcher, and keys the incident by it', async () => {
    sandbox.setJobs([failedJob], 2002);
    const result = await runAction({ ...api(), severity: 'Major', 'github-token': sandbox.githubToken }, { env: watcherEnv() });
    expect(result.code).toBe(0);
    const [incident] = sandbox.incidents();
    expect(incident.name).toBe('Workflow "Deploy" failed in acme/shop@main (run #77)');
    expect(creates()[0]!.body.idempotency_key).toBe('github-actions/acme/shop/runs/2002');
    expect(incident.summary).toContain(
      'Job [deploy-eu](https://github.com/acme/shop/actions/runs/2002/job/6001) failed at ["Roll out"](https://github.com/acme/shop/actions/runs/2002/job/6001#step:3:1)',
    );
    expect(incident.summary).toContain('- Workflow: Deploy, [run #77](https://github.com/acme/shop/actions/runs/2002)');
    expect(incident.summary).toContain(
      '- Reported by: watcher workflow Watch deploys, [run #9](https://github.com/acme/shop/actions/runs/3003)',
    );
    expect(incident.summary).toContain(
      '- Commit: [`feedfac`](https://github.com/acme/shop/commit/feedfacecafebeef00112233445566778899aabb)',
    );
    expect(incident.summary).toContain('- Title: Ship the new checkout');
    expect(incident.summary).toContain('- Actor: hubot');
    const jobs = sandbox.requests.find((r) => r.route?.includes('/jobs'));
    expect(jobs?.path).toBe('/github/repos/acme/shop/actions/runs/2002/attempts/1/jobs');
  });

  it('with incident-key, a re-run of the watcher or of the watched run posts no "failed again" for the same failure', async () => {
    const keyed = { ...api(), severity: 'Major', 'incident-key': 'Deploy@main' };
    const first = await runAction(keyed, { env: watcherEnv() });
    expect(first.outputs.created).toBe('true');
    expect(sandbox.incidents()[0].summary).toMatch(/iokey-[0-9a-f]{24} · iorun-[0-9a-f]{12}/);
    for (const env of [watcherEnv({}, { GITHUB_RUN_ATTEMPT: '2' }), watcherEnv({ run_attempt: 2 }, { GITHUB_RUN_ID: '3004' })]) {
      const again = await runAction(keyed, { env });
      expect(again.code).toBe(0);
      expect(again.outputs).toMatchObject({ created: 'false', 'incident-reference': 'INC-1' });
      expect(again.stdout).toMatch(
        /Incident INC-1: .* was already declared by this run \(idempotency key "github-actions\/acme\/shop\/runs\/2002"\); it is still open, so nothing new was posted\./,
      );
    }
    expect(sandbox.incidents()).toHaveLength(1);
    expect(updates()).toHaveLength(0);
    // Another run of the watched workflow failing is a new failure of the same outage: one update.
    const next = await runAction(keyed, { env: watcherEnv({ id: 2010, run_number: 78 }, { GITHUB_RUN_ID: '3010' }) });
    expect(next.stdout).toMatch(/Posted an update to incident INC-1/);
    expect(updates()).toHaveLength(1);
  });

  it('opens no second incident when the watched run is re-run', async () => {
    await runAction({ ...api(), severity: 'Major' }, { env: watcherEnv() });
    sandbox.incidents()[0].created_at = new Date(Date.now() - 10 * 60_000).toISOString();
    const again = await runAction({ ...api(), severity: 'Major' }, { env: watcherEnv({ run_attempt: 2 }, { GITHUB_RUN_ID: '3004' }) });
    expect(again.code).toBe(0);
    expect(again.outputs.created).toBe('false');
    expect(sandbox.incidents()).toHaveLength(1);
  });

  it("treats a fork's branch name and title as untrusted text", async () => {
    const result = await runAction(
      { ...api(), severity: 'Major' },
      { env: watcherEnv({ head_branch: 'x](https://evil.example)\n::add-mask::PWNED', display_title: '<img src=x> ##[add-path]/PWNED' }) },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/^::add-mask::PWNED/m);
    const summary = sandbox.incidents()[0].summary as string;
    expect(summary).toContain('- Title: \\<img src=x\\> ##\\[add-path\\]/PWNED');
    const html = micromark(summary, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
    expect(html).not.toMatch(/href="https:\/\/evil|<img/);
    expect(html).toContain('<code>refs/heads/x](https://evil.example) ::add-mask::PWNED</code>');
  });

  it("keys a watcher's alert by the watched workflow and branch, so a later green run resolves it", async () => {
    const alert = {
      'api-url': sandbox.url,
      'alert-source-id': sandbox.alertSourceId,
      'alert-token': sandbox.alertToken,
    };
    await runAction(alert, { job: 'alert', env: watcherEnv() });
    await runAction(
      { ...alert, 'alert-status': 'resolved' },
      { job: 'alert', env: watcherEnv({ conclusion: 'success', id: 2003, run_number: 78 }) },
    );
    const keys = sandbox.alerts().map((a) => a.deduplication_key);
    expect(keys).toEqual(['github-actions/acme/shop/Deploy/refs/heads/main', 'github-actions/acme/shop/Deploy/refs/heads/main']);
    expect(sandbox.alerts()[1].title).toBe('Workflow "Deploy" recovered in acme/shop@main (run #78)');
  });
});

describe('incident-key: one open incident per key', () => {
  const key = 'Deploy@main';
  const run = (n: number, inputs: Record<string, string> = {}) =>
    runAction(
      { ...api(), severity: 'Major', 'incident-key': key, ...inputs },
      { env: { GITHUB_RUN_ID: String(8000 + n), GITHUB_RUN_NUMBER: String(n) } },
    );
  const resolveKey = (n: number, k = key) =>
    runAction({ ...api(), 'incident-key': k }, { job: 'resolve', env: { GITHUB_RUN_ID: String(8000 + n), GITHUB_RUN_NUMBER: String(n) } });

  it('fails, fails again (an update, no new incident), recovers (resolved), fails (a new incident)', async () => {
    const first = await run(1);
    expect(first.code).toBe(0);
    expect(first.outputs.created).toBe('true');
    expect(sandbox.incidents()[0].summary).toMatch(/Incident key `Deploy@main` · iokey-[0-9a-f]{24}/);

    sandbox.incidents()[0].name = 'Checkout is down (renamed by a responder)';
    const second = await run(2, { severity: 'Critical', name: 'ignored' });
    expect(second.code).toBe(0);
    expect(second.outputs).toMatchObject({ created: 'false', 'incident-id': first.outputs['incident-id'] });
    expect(sandbox.incidents()).toHaveLength(1);
    expect(second.stdout).toMatch(/already open for incident-key "Deploy@main".*are not applied to it/);
    expect(updates()).toHaveLength(1);
    expect(updates()[0].message).toMatch(
      /failed again in acme\/shop@main: \[run #2\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/8002\)/,
    );
    expect(sandbox.incidents()[0].severity.name).toBe('Major');

    const listed = sandbox.requests.find((r) => r.route === 'GET /v2/incidents');
    expect(listed?.queryAll['status_category[one_of]']).toEqual(['triage', 'live', 'paused']);
    expect(listed?.queryAll['mode[one_of]']).toEqual(['standard']);

    const recovered = await resolveKey(3);
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toMatch(/Resolved 1 incident\(s\) open for incident-key "Deploy@main": INC-1/);
    expect(sandbox.incidents()[0].incident_status.category).toBe('learning');

    const third = await run(4);
    expect(third.outputs.created).toBe('true');
    expect(sandbox.incidents()).toHaveLength(2);
    expect(third.outputs['incident-reference']).toBe('INC-2');
  });

  it('checks timestamp names on a follow-up too, though it does not apply them', async () => {
    await run(1);
    const typo = await run(2, { timestamps: 'Impct started: now' });
    expect(typo.code).toBe(1);
    expect(typo.stdout).toMatch(/::error::.*"Impct started".*Did you mean "Impact started"\?/);
    expect(updates()).toHaveLength(0);
    const good = await run(3, { timestamps: 'Impact started: now' });
    expect(good.code).toBe(0);
    expect(updates()).toHaveLength(1);
  });

  it('re-running the failed run posts no second update', async () => {
    await run(1);
    await run(2);
    updates()[0].created_at = new Date(Date.now() - 10 * 60_000).toISOString();
    const rerun = await runAction(
      { ...api(), severity: 'Major', 'incident-key': key },
      { env: { GITHUB_RUN_ID: '8002', GITHUB_RUN_NUMBER: '2', GITHUB_RUN_ATTEMPT: '2' } },
    );
    expect(rerun.code).toBe(0);
    expect(updates()).toHaveLength(1);
    expect(sandbox.requests.filter((r) => r.route === 'POST /v2/incident_updates')).toHaveLength(2);
    expect(rerun.stdout).toMatch(
      /An earlier attempt of this run already posted its update to incident INC-1: .*; nothing new was posted\./,
    );
    expect(rerun.stdout).not.toMatch(/Posted an update/);
  });

  it('a dry-run resolve by key says it would resolve, and resolves nothing', async () => {
    await run(1);
    const result = await runAction(
      { ...api(), 'incident-key': key, 'dry-run': 'true' },
      { job: 'resolve', env: { GITHUB_RUN_ID: '8002', GITHUB_RUN_NUMBER: '2' } },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/::notice title=incident\.io dry run \(would resolve\)::Would resolve 1 incident\(s\)/);
    expect(result.stdout).not.toContain('incident.io incident resolved');
    expect(sandbox.incidents()[0].incident_status.category).not.toBe('learning');
    expect(result.summary.trim().split('\n').at(-1)).toMatch(
      /^- \*\*Checked:\*\* against the incident\.io workspace: .*incident statuses.*\. A dry run cannot check whether the API key may edit incidents, or whether incident\.io accepts the move to "Documenting"/,
    );
  });

  it('resolving with nothing open succeeds with a notice and changes nothing', async () => {
    const result = await resolveKey(1);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/::notice title=incident\.io nothing to resolve::No incident is open for incident-key "Deploy@main"/);
    expect(sandbox.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('keeps two keys apart', async () => {
    await run(1);
    const other = await run(2, { 'incident-key': 'Deploy@release' });
    expect(other.outputs.created).toBe('true');
    expect(sandbox.incidents()).toHaveLength(2);
    await resolveKey(3, 'Deploy@release');
    expect(sandbox.incidents().map((i) => i.incident_status.category)).toEqual(['live', 'learning']);
  });

  it('keeps the same key apart across repositories and modes', async () => {
    await run(1);
    const elsewhere = await runAction(
      { ...api(), severity: 'Major', 'incident-key': key },
      { env: { GITHUB_REPOSITORY: 'acme/other', GITHUB_RUN_ID: '9' } },
    );
    const test = await run(2, { mode: 'test' });
    expect([elsewhere.outputs.created, test.outputs.created]).toEqual(['true', 'true']);
    expect(sandbox.incidents()).toHaveLength(3);
  });

  it('finds the incident past the first page, and says when the search was cut short', async () => {
    await run(1);
    for (let i = 0; i < 6; i++) await runAction({ ...api(), severity: 'Minor' }, { env: { GITHUB_RUN_ID: String(9100 + i) } });
    sandbox.state.listPageCap = 2;
    const found = await run(2);
    expect(found.outputs.created).toBe('false');
    expect(sandbox.requests.filter((r) => r.route === 'GET /v2/incidents').length).toBeGreaterThan(1);

    sandbox.state.listPageCap = 1;
    const cut = await run(3);
    expect(cut.stdout).toMatch(/::warning title=incident\.io incident-key search cut short::Searched the newest 4 open incidents/);
  });

  it('says when two runs raced and both declared one', async () => {
    // Both searches read the list before either create lands: the race the README documents.
    sandbox.fault('GET /v2/incidents', { type: 'slow', delayMs: 400 }, 2);
    const [a, b] = await Promise.all([run(1), run(2)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(sandbox.incidents()).toHaveLength(2);
    expect(a.stdout + b.stdout).toMatch(
      /::warning title=incident\.io incident-key race::Another run declared INC-\d under incident-key "Deploy@main" at the same time/,
    );
  });

  it('prints, and does not send, the update in a dry run', async () => {
    const links = 'Runbook: https://runbooks.example.com/checkout';
    await run(1, { links });
    const dry = await run(2, { 'dry-run': 'true', links });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: this request would be sent to POST');
    expect(dry.stdout).toContain('/v2/incident_updates');
    expect(updates()).toHaveLength(0);
    // Only what the open incident lacks would be attached: this run, not the runbook run 1 attached.
    expect(dry.stdout).toContain('https://github.com/acme/shop/actions/runs/8002');
    expect(dry.stdout).not.toContain('runbooks.example.com');
    expect(dry.summary.trim().split('\n').at(-1)).toMatch(
      /^- \*\*Checked:\*\* against the incident\.io workspace: .*the open incidents of the incident-key.*\. A dry run cannot check whether the API key may post incident updates and attachments/,
    );
  });
});

describe('incident updates', () => {
  async function declare() {
    const result = await runAction({ ...api(), severity: 'Major' });
    return result.outputs['incident-id']!;
  }

  it('posts the message with the run link, moving status and severity, then edits the rest', async () => {
    const id = await declare();
    const result = await runAction(
      {
        ...api(),
        'incident-id': id,
        message: 'Attempt 2 failed too.',
        severity: 'Critical',
        status: 'Fixing',
        'custom-fields': 'Notes: rollback started',
        'notify-incident-channel': 'false',
      },
      { job: 'update' },
    );
    expect(result.code).toBe(0);
    expect(updates()).toHaveLength(1);
    const posted = sandbox.requests.find((r) => r.route === 'POST /v2/incident_updates')!.body;
    expect(posted).toMatchObject({
      incident_id: id,
      to_severity_id: '01SEVCRITICAL0000000000000',
      to_incident_status_id: '01STATUSFIXING000000000000',
    });
    expect(posted.message).toMatch(
      /^Attempt 2 failed too\.\n\nPosted by \[Deploy run #42\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/1001\) \(GitHub Actions\)\.$/,
    );
    const edit = sandbox.requests.find((r) => r.route === 'POST /v2/incidents/:id/actions/edit')!.body;
    expect(edit).toEqual({
      incident: { custom_field_entries: [{ custom_field_id: '01FIELDNOTES00000000000000', values: [{ value_text: 'rollback started' }] }] },
      notify_incident_channel: false,
    });
    expect(result.outputs.status).toBe('Fixing');
    expect(sandbox.incidents()[0].severity.name).toBe('Critical');
  });

  it('posts one update when the answer is lost and the step is re-run', async () => {
    const id = await declare();
    sandbox.fault('POST /v2/incident_updates', { type: 'reset', after: 'process' });
    const inputs = { ...api(), 'incident-id': id, message: 'Rollback finished.' };
    const first = await runAction(inputs, { job: 'update', env: { INCIDENT_IO_TIMEOUT_MS: '2000' } });
    const rerun = await runAction(inputs, { job: 'update', env: { GITHUB_RUN_ATTEMPT: '2' } });
    expect([first.code, rerun.code]).toEqual([0, 0]);
    expect(sandbox.requests.filter((r) => r.route === 'POST /v2/incident_updates')).toHaveLength(3);
    expect(updates()).toHaveLength(1);
  });

  it('posts a different message, or from another step, as its own update', async () => {
    const id = await declare();
    const inputs = { ...api(), 'incident-id': id };
    await runAction({ ...inputs, message: 'one' }, { job: 'update' });
    await runAction({ ...inputs, message: 'two' }, { job: 'update' });
    await runAction({ ...inputs, message: 'one' }, { job: 'update', env: { GITHUB_ACTION: 'another-step' } });
    expect(updates()).toHaveLength(3);
  });

  it('says nothing changed when the update fails, and sends no edit', async () => {
    const id = await declare();
    sandbox.fault('POST /v2/incident_updates', { type: 'error', status: 422, message: 'Message is too long', field: 'message' });
    const result = await runAction({ ...api(), 'incident-id': id, message: 'x', name: 'New name' }, { job: 'update' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::Nothing was changed on INC-1: the incident update failed, so the edit was not sent either\. .*Message is too long/,
    );
    expect(sandbox.requests.filter((r) => r.route === 'POST /v2/incidents/:id/actions/edit')).toHaveLength(0);
  });

  it('says the update was posted when the edit after it fails', async () => {
    const id = await declare();
    sandbox.fault('POST /v2/incidents/:id/actions/edit', {
      type: 'error',
      status: 422,
      message: 'Name is too long',
      field: 'incident.name',
    });
    const result = await runAction({ ...api(), 'incident-id': id, message: 'x', name: 'New name' }, { job: 'update' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::The incident update to INC-1 was posted, but the edit \(name\) failed\. .*Name is too long/);
    expect(updates()).toHaveLength(1);
  });

  it('resolves through an update when a message is given, trying the next status when one is refused', async () => {
    const id = await declare();
    sandbox.state.reviewingStatus = true;
    sandbox.state.refuseStatusIds = ['01STATUSDOCUMENTING0000000'];
    const result = await runAction({ ...api(), 'incident-id': id, message: 'Rolled back; monitoring.' }, { job: 'resolve' });
    expect(result.code).toBe(0);
    expect(sandbox.incidents()[0].incident_status.name).toBe('Reviewing');
    expect(updates()).toHaveLength(1);
    expect(sandbox.requests.filter((r) => r.route === 'POST /v2/incidents/:id/actions/edit')).toHaveLength(0);
  });
});

describe('heartbeat', () => {
  const ping = (token = sandbox.heartbeatToken) =>
    runAction({ 'api-url': sandbox.url, 'alert-source-id': sandbox.heartbeatSourceId, 'alert-token': token }, { job: 'heartbeat' });

  it('pings with the token in the header only', async () => {
    const result = await ping();
    expect(result.code).toBe(0);
    expect(sandbox.heartbeats()).toHaveLength(1);
    const request = sandbox.requests[0]!;
    expect(request.headers['authorization']).toBe(`Bearer ${sandbox.heartbeatToken}`);
    expect(request.path + JSON.stringify(request.query)).not.toContain(sandbox.heartbeatToken);
    expect(result.stdout).toContain('Sent a heartbeat ping');
  });

  it('explains a wrong token, without retrying', async () => {
    const result = await ping('wrong-heartbeat-token');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::incident\.io POST \/v2\/heartbeat\/\w+\/ping answered 401 .*incident\.io refused the token in input "alert-token"\. It must be the token of the heartbeat alert source/,
    );
    expect(sandbox.requests).toHaveLength(1);
  });

  it('explains an unknown source', async () => {
    const result = await runAction(
      {
        'api-url': sandbox.url,
        'alert-source-id': '01NOSUCHSOURCE',
        'alert-token': sandbox.heartbeatToken,
      },
      { job: 'heartbeat' },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/incident\.io has no heartbeat alert source 01NOSUCHSOURCE/);
  });

  it('retries a 5xx, then succeeds', async () => {
    sandbox.fault('POST /v2/heartbeat/:id/ping', { type: 'status', status: 503 });
    const result = await ping();
    expect(result.code).toBe(0);
    expect(sandbox.heartbeats()).toHaveLength(1);
    expect(result.stdout).toMatch(/retrying in/);
  });

  it('needs no API key, and refuses one', async () => {
    const result = await runAction(
      {
        'api-url': sandbox.url,
        'alert-source-id': sandbox.heartbeatSourceId,
        'alert-token': sandbox.heartbeatToken,
        'api-key': sandbox.apiKey,
      },
      { job: 'heartbeat' },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /Input "api-key" is not an input of the heartbeat job .*; it is an input of the root action, alert\/, escalate\/, maintenance\/, on-call\/, resolve\/, update\/\./,
    );
  });
});
