/**
 * The escalate job's story (src/jobs/escalate/escalate.ts) on the source, with fake answers and
 * the real output layer: exactly what it sends, the outputs, the log, the notices and the job
 * summary; the dry run; the fork rule; refusals; and hostile names from incident.io.
 */
import type { GitHubContext } from '../../../src/github/context.js';
import { readRunContext } from '../../../src/github/context.js';
import { escalate } from '../../../src/jobs/escalate/escalate.js';
import type { EscalateSettings } from '../../../src/jobs/escalate/settings.js';
import { readJobSettings } from '../../../src/jobs/registry.js';
import { recordingFetch, type JobContext } from '../../../src/jobs/job.js';
import { keyPrefix, markerToken, readMarker, withMarker } from '../../../src/incident-io/escalation-keys.js';
import { outputsOf } from '../../../src/settings/inputs.js';
import { Output } from '../../../src/output/output.js';
import { Redactor } from '../../../src/core/redact.js';
import { FakeClock, fakeCore, json, networkError, pushContext, scriptedFetch, type Reply } from '../../helpers/fakes.js';
import { runnerCommands } from '../../helpers/runner-commands.js';

const KEY = 'inc_test_key_0123456789';
const ENV = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_ACTION: 'page' };
const inputs = (values: Record<string, string>) => (name: string) => (values[name] ?? '').trim();

function setup<S extends EscalateSettings>(settings: S, replies: Reply[], { context = pushContext, clock = new FakeClock() } = {}) {
  const core = fakeCore({});
  const fetch = scriptedFetch(replies);
  const requests: string[] = [];
  const redactor = new Redactor([KEY]);
  const ctx: JobContext<S> = {
    out: new Output(core.core, redactor, { GITHUB_STEP_SUMMARY: '/dev/null' }, outputsOf('escalate')),
    redactor,
    env: {},
    clock,
    fetch: recordingFetch(fetch, requests),
    settings,
    run: readRunContext(context, ENV),
    deadline: { at: clock.now() + 120_000, name: 'the 120 s deadline' },
    requests,
  };
  const calls = () =>
    fetch.calls.map((c) => ({
      method: c.init.method ?? 'GET',
      path: decodeURIComponent(new URL(c.url).pathname + new URL(c.url).search),
      body: c.init.body ? JSON.parse(c.init.body as string) : undefined,
    }));
  const said = (level: string) => core.log.filter((l) => l.level === level).map((l) => l.message);
  return { ctx, core, fetch, calls, said, summary: () => core.summaryParts.join('') };
}

const escalateSettings = (values: Record<string, string>): Promise<EscalateSettings> =>
  readJobSettings('escalate', inputs({ 'api-key': KEY, ...values }));

const olivia = { id: '01OLIVIA', name: 'Olivia Override', email: 'olivia@example.com', slack_user_id: 'U0OLIVIA', role: 'responder' };
const paths = (...items: Record<string, unknown>[]) => json(200, { escalation_paths: items, pagination_meta: { page_size: 25 } });
const platform = { id: '01PLAT', name: 'Platform', team_ids: [], path: [], current_responders: [olivia] };
const escalation = (over: Record<string, unknown> = {}) => ({
  escalation: {
    id: '01ESC',
    status: 'triggered',
    title: 't',
    description: 'd',
    created_at: '2026-11-26T12:00:00Z',
    priority: { name: 'P1' },
    creator: {},
    events: [{ id: 'e', event: 'notified_users', occurred_at: '2026-11-26T12:00:00Z', users: [olivia] }],
    related_incidents: [],
    related_alerts: [],
    ...over,
  },
});

const forkContext: GitHubContext = {
  ...pushContext,
  eventName: 'pull_request_target',
  payload: {
    pull_request: {
      number: 5,
      html_url: 'https://github.com/acme/shop/pull/5',
      head: { ref: 'main', repo: { full_name: 'mallory/shop' } },
    },
  },
};
const watcher = (conclusion: string): GitHubContext => ({
  ...pushContext,
  eventName: 'workflow_run',
  payload: {
    workflow_run: {
      id: 2002,
      name: 'Deploy',
      run_number: 8,
      run_attempt: 1,
      head_branch: 'main',
      head_sha: 'abc',
      conclusion,
      event: 'push',
      head_repository: { full_name: 'acme/shop' },
    },
  },
});

/** Markdown or HTML a hostile name could add to the summary, unescaped: a link, a tag, a line that is a command. */
const UNSAFE_SUMMARY = /(?<!\\)\[(click|a)\]\(|(?<!\\)<(img|script)|\n\s*::|##\[/;

/** No line of the log is a runner command, and no annotation carries an unbroken legacy command. */
function expectInert(core: ReturnType<typeof fakeCore>) {
  const stdout = core.log
    .filter((l) => ['info', 'debug'].includes(l.level))
    .map((l) => l.message)
    .join('\n');
  expect(runnerCommands(stdout)).toEqual([]);
  for (const { message } of core.log) expect(message).not.toContain('##[');
}

describe('escalate: page', () => {
  it('pages a path by name once, under a key of the repository, the run and the path, and says who', async () => {
    const s = setup(await escalateSettings({ 'escalation-path': 'platform' }), [paths(platform), json(201, escalation())]);
    await escalate(s.ctx);
    expect(s.calls().map((c) => `${c.method} ${c.path}`)).toEqual(['GET /v2/escalation_paths?page_size=25', 'POST /v2/escalations']);
    const body = s.calls()[1]!.body;
    expect(body).toEqual({
      idempotency_key: expect.stringMatching(/^gha-esc1:[0-9a-f]{24}:run:[0-9a-f]{24}:1001$/),
      title: 'Workflow "Deploy" failed in acme/shop@main (run #7)',
      description: expect.stringMatching(
        /^Workflow "Deploy" failed in acme\/shop@main \(run #7\)\.\nCommit 0123456 by octocat \(push\)\.\nRun: https:\/\/github\.com\/acme\/shop\/actions\/runs\/1001\n\nPaged by the incident\.io GitHub Action, marker ioesc-[0-9a-f]{24} iostep-[0-9a-f]{16}$/,
      ),
      escalation_path_id: '01PLAT',
    });
    expect(readMarker(body.description)).toEqual({ token: markerToken(body.idempotency_key), step: expect.stringMatching(/^iostep-/) });
    expect(s.core.outputs).toEqual({ 'escalation-id': '01ESC', 'escalation-status': 'triggered', created: 'true' });
    expect(s.said('notice')).toEqual([
      'Paged the escalation path "Platform": escalation 01ESC "Workflow \\"Deploy\\" failed in acme/shop@main (run #7)", status "triggered".',
    ]);
    expect(s.summary()).toContain('### incident.io: paged');
    expect(s.summary()).toContain('- **Notified so far:**\n  - Olivia Override (olivia\\@example.com)');
    expect(s.core.failed).toBeUndefined();
  });

  it('says nobody was paged again when incident.io returns the escalation a re-run already made', async () => {
    const s = setup(await escalateSettings({ 'escalation-path': '01PLAT', 'escalation-key': 'deploy' }), [
      paths(platform),
      json(201, escalation({ created_at: '2026-11-26T11:00:00Z' })),
    ]);
    await escalate(s.ctx);
    expect(s.core.outputs['created']).toBe('false');
    expect(s.said('notice')[0]).toMatch(
      /^The escalation path "Platform" was already paged under this idempotency key, .* Nobody was paged again\.$/,
    );
    expect(s.summary()).toContain('already paged (nobody paged again)');
    expect(s.calls()[1]!.body.idempotency_key.startsWith(keyPrefix('acme/shop', 'deploy'))).toBe(true);
    expect(readMarker(s.calls()[1]!.body.description)?.token).toBe(markerToken(keyPrefix('acme/shop', 'deploy')));
  });

  it('pages users by email and ID, linked to an incident named by its reference (looked up first for its full ID)', async () => {
    const s = setup(
      await escalateSettings({
        users: 'olivia@example.com\n01DANA',
        'incident-id': 'INC-7',
        title: 'Checkout deploy failed',
        description: 'Rollback needed.',
      }),
      [
        json(200, { users: [{ id: '01DECOY', name: 'x', email: 'olivia@example.org' }, olivia] }),
        json(200, { user: { id: '01DANA', name: 'Dana', role: 'responder' } }),
        json(200, {
          incident: { id: '01INCFULL', reference: 'INC-7', name: 'Checkout down', permalink: 'https://app.incident.io/acme/incidents/7' },
        }),
        json(201, escalation()),
      ],
    );
    await escalate(s.ctx);
    expect(s.calls().map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /v2/users?email=olivia@example.com&page_size=25',
      'GET /v2/users/01DANA',
      'GET /v2/incidents/7',
      'POST /v2/escalations',
    ]);
    expect(s.calls()[3]!.body).toMatchObject({
      title: 'Checkout deploy failed',
      user_ids: ['01OLIVIA', '01DANA'],
      incident_id: '01INCFULL',
      description: expect.stringMatching(
        /^Rollback needed\.\n\nPaged by the incident\.io GitHub Action, marker ioesc-[0-9a-f]{24} iostep-[0-9a-f]{16}$/,
      ),
    });
    expect(s.calls()[3]!.body).not.toHaveProperty('escalation_path_id');
    expect(s.said('notice')[0]).toMatch(/^Paged "Olivia Override", "Dana": escalation 01ESC/);
  });

  it('reports an unknown path and an unknown incident together, and pages no one', async () => {
    const s = setup(await escalateSettings({ 'escalation-path': 'Platfrom', 'incident-id': '99' }), [
      paths(platform, { id: '01PAY', name: 'Payments', team_ids: [], path: [] }),
      json(404, { type: 'not_found', status: 404, errors: [{ code: 'not_found', message: 'Not found' }] }),
    ]);
    await expect(escalate(s.ctx)).rejects.toThrow(
      /^Input "escalation-path" is "Platfrom", which is not an escalation path in this incident\.io workspace\. Available: "Platform", "Payments"\. Did you mean "Platform"\?\nInput "incident-id" is "INC-99", but incident\.io has no such incident \(404\)\./,
    );
    expect(s.calls().filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('dry run: prints the request with names beside the IDs, sends nothing, and ends with what it checked', async () => {
    const s = setup(await escalateSettings({ 'escalation-path': 'Platform', 'dry-run': 'true' }), [paths(platform)]);
    await escalate(s.ctx);
    expect(s.calls().map((c) => c.method)).toEqual(['GET']);
    const info = s.said('info');
    expect(info[0]).toBe('Dry run: this request would be sent to POST https://api.incident.io/v2/escalations:');
    expect(info[2]).toBe('where\n  escalation_path_id "01PLAT" = escalation path "Platform" (on call now: "Olivia Override")');
    expect(info.at(-1)).toBe(
      'Dry run: checked against the incident.io workspace: escalation paths. A dry run cannot check whether the API key may create escalations, or may page this target: it sends no write.',
    );
    expect(s.core.outputs).toEqual({ created: 'false' });
    expect(s.summary()).toContain('### incident.io: dry run (would page)');
    expect(s.summary()).toContain('- **Paged:** no one: this was a dry run');
    expect(s.summary().trimEnd().split('\n').at(-1)).toMatch(/^- \*\*Checked:\*\* against the incident\.io workspace: escalation paths\./);
  });

  it('names each user of a dry run beside their ID', async () => {
    const s = setup(await escalateSettings({ users: 'olivia@example.com', 'dry-run': 'true' }), [json(200, { users: [olivia] })]);
    await escalate(s.ctx);
    expect(s.said('info')[2]).toBe('where\n  user_ids "01OLIVIA" = user "Olivia Override" ("olivia@example.com")');
  });

  it("a fork's run pages no one and cancels nothing, sends nothing, and says why", async () => {
    for (const values of [{ 'escalation-path': 'Platform' }, { 'escalation-status': 'cancelled', 'escalation-key': 'deploy' }] as Record<
      string,
      string
    >[]) {
      const s = setup(await escalateSettings(values), [], { context: forkContext });
      await escalate(s.ctx);
      expect(s.fetch.calls).toEqual([]);
      expect(s.core.outputs).toMatchObject({ skipped: 'true', created: 'false' });
      expect(s.said('notice')[0]).toMatch(
        /^Skipped: this run came from the fork mallory\/shop, not from acme\/shop, and a fork's run never (pages acme\/shop's on-call|cancels what acme\/shop's own runs paged).* Nothing was sent\.$/,
      );
    }
  });

  it('a watcher pages no one for a watched run that succeeded, but pages for one that failed', async () => {
    const green = setup(await escalateSettings({ 'escalation-path': 'Platform' }), [], { context: watcher('success') });
    await escalate(green.ctx);
    expect([green.fetch.calls.length, green.core.outputs['skipped']]).toEqual([0, 'true']);
    const red = setup(await escalateSettings({ 'escalation-path': 'Platform' }), [paths(platform), json(201, escalation())], {
      context: watcher('failure'),
    });
    await escalate(red.ctx);
    expect(red.calls()[1]!.body.title).toBe('Workflow "Deploy" failed in acme/shop@main (run #8)');
    expect(red.calls()[1]!.body.idempotency_key).toMatch(/:2002$/);
  });

  it('a 403 on the create names the scope and what a team-scoped key may page', async () => {
    const forbidden = () => json(403, { type: 'forbidden', status: 403, errors: [{ code: 'forbidden', message: 'Forbidden' }] });
    const s = setup(await escalateSettings({ 'escalation-path': 'Platform' }), [paths(platform), forbidden()]);
    await expect(escalate(s.ctx)).rejects.toThrow(
      /may not make this request: give it the scope "escalations\.create" .* A key whose permissions are scoped to teams may only page an escalation path that one of its teams owns/,
    );
    const users = setup(await escalateSettings({ users: '01OLIVIA' }), [json(200, { user: olivia }), forbidden()]);
    await expect(escalate(users.ctx)).rejects.toThrow(/Paging users directly needs the permission for the whole account/);
  });

  it('a create whose answer never came says a re-run pages no one twice', async () => {
    const policy = { INCIDENT_IO_TIMEOUT_MS: '50' };
    const s = setup(await escalateSettings({ 'escalation-path': 'Platform' }), [
      paths(platform),
      ...Array.from({ length: 5 }, () => networkError('ECONNRESET')),
    ]);
    s.ctx.env = policy;
    await expect(escalate(s.ctx)).rejects.toThrow(
      /incident\.io may have paged before its answer was lost: re-running this job sends the same idempotency key \("gha-esc1:/,
    );
    const bodies = s
      .calls()
      .filter((c) => c.method === 'POST')
      .map((c) => c.body.idempotency_key);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies).toHaveLength(5);
  });

  it('keeps hostile names from incident.io inert in the log, the annotations and the summary', async () => {
    const name = 'Platform\n::set-output name=created::forged ##[error]x [click](https://evil.example)<img src=x onerror=alert(1)>';
    const hostile = {
      ...platform,
      name,
      current_responders: [{ id: '01EVIL', name: '::add-mask::x\n##[warning]y', email: 'evil@example.com', role: 'responder' }],
    };
    const s = setup(await escalateSettings({ 'escalation-path': '01PLAT' }), [
      paths(hostile),
      json(
        201,
        escalation({
          status: 'triggered\n::error::x',
          events: [{ id: 'e', event: 'notified_users', occurred_at: 'x', users: hostile.current_responders }],
        }),
      ),
    ]);
    await escalate(s.ctx);
    expectInert(s.core);
    expect(s.summary()).not.toMatch(UNSAFE_SUMMARY);
    const dry = setup(await escalateSettings({ 'escalation-path': '01PLAT', 'dry-run': 'true' }), [paths(hostile)]);
    await escalate(dry.ctx);
    expectInert(dry.core);
    expect(dry.summary()).not.toMatch(UNSAFE_SUMMARY);
  });
});

describe('escalate: cancel', () => {
  const prefix = keyPrefix('acme/shop', 'deploy');
  const token = markerToken(prefix);
  const listed = (id: string, description: string, over: Record<string, unknown> = {}) => ({
    ...escalation({ id, title: `Deploy failed ${id}`, description, created_at: '2026-11-26T10:00:00Z', ...over }).escalation,
  });
  const list = (...items: unknown[]) => json(200, { escalations: items, pagination_meta: { page_size: 50 } });
  const ok = () => new Response('', { status: 200 });
  const cancelSettings = (extra: Record<string, string> = {}) =>
    escalateSettings({ 'escalation-status': 'cancelled', 'escalation-key': 'deploy', ...extra });

  it("cancels only this key's escalations that still page, whatever the server did with the filters", async () => {
    const s = setup(await cancelSettings(), [
      list(
        listed('01A', withMarker('Deploy failed', token)),
        listed('01OTHER', withMarker(`quotes ${token}`, markerToken(keyPrefix('acme/shop', 'deploy-api')))),
        listed('01DONE', withMarker('Deploy failed', token), { status: 'cancelled' }),
        listed('01B', withMarker('Deploy failed again', token), { status: 'snoozed' }),
      ),
      ok(),
      ok(),
    ]);
    await escalate(s.ctx);
    expect(s.calls().map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /v2/escalations?idempotency_key[starts_with]=${prefix}&status[one_of]=pending&status[one_of]=triggered&status[one_of]=snoozed&status[one_of]=delayed&status[one_of]=pending_repeat&page_size=50`,
      'POST /v2/escalations/01A/actions/cancel',
      'POST /v2/escalations/01B/actions/cancel',
    ]);
    expect(s.core.outputs).toEqual({ created: 'false', 'escalation-id': '01A,01B', 'escalation-status': 'cancelled' });
    expect(s.said('notice')).toEqual([
      'Cancelled 2 escalations of acme/shop ("escalation-key" "deploy"): 01A "Deploy failed 01A", 01B "Deploy failed 01B".',
    ]);
    expect(s.said('info')).toEqual(
      expect.arrayContaining([
        'Left alone: escalation 01OTHER "Deploy failed 01OTHER": its description quotes this key\'s marker, but its last line is the marker of another key.',
        'Left alone: escalation 01DONE "Deploy failed 01DONE": it no longer pages anyone (status "cancelled").',
      ]),
    );
    expect(s.summary()).toContain('### incident.io: cancelled');
  });

  it('with nothing to cancel, says so in a notice and stays green', async () => {
    const s = setup(await cancelSettings(), [list()]);
    await escalate(s.ctx);
    expect(s.calls().map((c) => c.method)).toEqual(['GET']);
    expect(s.core.outputs).toEqual({ created: 'false', 'escalation-id': '', 'escalation-status': '' });
    expect(s.said('notice')).toEqual([
      'Nothing to cancel: no escalation that steps of acme/shop ("escalation-key" "deploy") made still pages anyone.',
    ]);
    expect(s.core.failed).toBeUndefined();
  });

  it('takes a refusal to cancel (resolved or expired since) as a notice naming it, and stays green', async () => {
    const refusal = json(422, {
      type: 'invalid_state',
      status: 422,
      errors: [{ code: 'invalid_state', message: 'This escalation has resolved and cannot be cancelled' }],
    });
    const s = setup(await cancelSettings(), [
      list(listed('01A', withMarker('x', token)), listed('01B', withMarker('y', token))),
      refusal,
      ok(),
    ]);
    await escalate(s.ctx);
    expect(s.core.outputs).toMatchObject({ 'escalation-id': '01B', 'escalation-status': 'cancelled' });
    expect(s.said('notice')[0]).toMatch(
      /^incident\.io did not cancel escalation 01A "Deploy failed 01A": it may have been resolved or expired since it was listed, and such cannot be cancelled\. incident\.io POST \/v2\/escalations\/01A\/actions\/cancel answered 422 invalid_state: This escalation has resolved and cannot be cancelled\.$/,
    );
    expect(s.core.failed).toBeUndefined();
  });

  it('cancels the rest when one cancel fails, then fails naming it', async () => {
    const policy = { INCIDENT_IO_TIMEOUT_MS: '50' };
    const s = setup(await cancelSettings(), [
      list(listed('01A', withMarker('x', token)), listed('01B', withMarker('y', token))),
      ...Array.from({ length: 5 }, () => json(503, {})),
      ok(),
    ]);
    s.ctx.env = policy;
    await expect(escalate(s.ctx)).rejects.toThrow(
      /^Could not cancel 1 of the 2 escalations of acme\/shop \("escalation-key" "deploy"\), so they may still page: 01A: incident\.io POST/,
    );
    expect(s.core.outputs).toMatchObject({ 'escalation-id': '01B', 'escalation-status': 'cancelled' });
  });

  it('dry run: lists what it would cancel and cancels nothing', async () => {
    const s = setup(await cancelSettings({ 'dry-run': 'true' }), [list(listed('01A', withMarker('x', token)))]);
    await escalate(s.ctx);
    expect(s.calls().map((c) => c.method)).toEqual(['GET']);
    const info = s.said('info');
    expect(info).toContain(
      'Dry run: this request would be sent to POST https://api.incident.io/v2/escalations/01A/actions/cancel (with no body)',
    );
    expect(info).toContain('where\n  in the path "01A" = escalation "Deploy failed 01A" (status "triggered")');
    expect(info.at(-1)).toMatch(
      /^Dry run: checked against the incident\.io workspace: the escalations of the escalation-key\. A dry run cannot check whether the API key may cancel escalations/,
    );
    expect(s.summary()).toContain('### incident.io: dry run (would cancel)');
  });
});
