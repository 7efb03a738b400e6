/**
 * The declare job's page (src/jobs/declare/page.ts) on the source, with fake answers and the real
 * output layer: the plan (a fork, `mode: test`), the page's request and outputs, a replay, a
 * failure kept until the summary, and hostile names from incident.io kept inert.
 */
import { readRunContext, type GitHubContext } from '../../../src/github/context.js';
import { declareEscalationKey, readMarker } from '../../../src/incident-io/escalation-keys.js';
import type { Incident } from '../../../src/incident-io/incidents.js';
import { apiKeyClient, type JobContext } from '../../../src/jobs/job.js';
import { Pager, planPage } from '../../../src/jobs/declare/page.js';
import type { DeclareSettings } from '../../../src/jobs/declare/settings.js';
import { readJobSettings } from '../../../src/jobs/registry.js';
import { Redactor } from '../../../src/core/redact.js';
import { Output } from '../../../src/output/output.js';
import { outputsOf } from '../../../src/settings/inputs.js';
import { FakeClock, fakeCore, json, pushContext, scriptedFetch, type Reply } from '../../helpers/fakes.js';
import { runnerCommands } from '../../helpers/runner-commands.js';

const KEY = 'inc_test_key_0123456789';
const ENV = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main' };
const incident = {
  id: '01INC',
  reference: 'INC-7',
  name: 'Checkout down',
  permalink: 'https://app.incident.io/acme/incidents/7',
} as Incident;
const olivia = { id: '01OLIVIA', name: 'Olivia Override', email: 'olivia@example.com' };
const platform = { id: '01PLAT', name: 'Platform', current_responders: [olivia] };
const paths = (...items: unknown[]) => json(200, { escalation_paths: items, pagination_meta: {} });
const escalation = (over: Record<string, unknown> = {}) =>
  json(201, {
    escalation: { id: '01ESC', status: 'triggered', created_at: '2026-11-26T12:00:00Z', events: [{ users: [olivia] }], ...over },
  });

async function setup(values: Record<string, string>, replies: Reply[], context: GitHubContext = pushContext) {
  const core = fakeCore({});
  const fetch = scriptedFetch(replies);
  const clock = new FakeClock(Date.parse('2026-11-26T12:00:00Z'));
  const redactor = new Redactor([KEY]);
  const settings = await readJobSettings('declare', (name) => ({ 'api-key': KEY, 'escalation-path': 'platform', ...values })[name] ?? '');
  const ctx: JobContext<DeclareSettings> = {
    out: new Output(core.core, redactor, { GITHUB_STEP_SUMMARY: '/dev/null' }, outputsOf('declare')),
    redactor,
    env: {},
    clock,
    fetch,
    settings,
    run: readRunContext(context, ENV),
    deadline: { at: clock.now() + 120_000, name: 'the 120 s deadline' },
  };
  const said = (level: string) => core.log.filter((l) => l.level === level).map((l) => l.message);
  return { ctx, core, fetch, said, client: apiKeyClient(ctx) };
}

const forkContext: GitHubContext = {
  ...pushContext,
  eventName: 'pull_request_target',
  payload: { pull_request: { number: 5, head: { ref: 'main', repo: { full_name: 'mallory/shop' } } } },
};

describe('page on declare', () => {
  it("pages the path for the run's own incident, linked to it, under the incident's and the path's key", async () => {
    const s = await setup({}, [paths(platform), escalation()]);
    const plan = await planPage(s.ctx, s.client);
    const pager = new Pager(s.ctx, s.client, plan);
    const items = await pager.own(incident);
    const body = JSON.parse(s.fetch.calls[1]!.init.body as string);
    expect(body).toEqual({
      idempotency_key: declareEscalationKey('01INC', '01PLAT'),
      title: 'INC-7: Checkout down',
      description: expect.stringMatching(
        /^incident\.io incident INC-7: Checkout down\nhttps:\/\/app\.incident\.io\/acme\/incidents\/7\n\n/,
      ),
      escalation_path_id: '01PLAT',
      incident_id: '01INC',
    });
    expect(readMarker(body.description)).toBeDefined();
    expect(s.core.outputs).toEqual({ 'escalation-id': '01ESC' });
    expect(s.said('notice')).toEqual(['Paged the escalation path "Platform" for INC-7: escalation 01ESC, status "triggered".']);
    expect(items[0]![0]).toBe('Paged');
    expect(() => pager.throwIfFailed()).not.toThrow();
  });

  it('says a replayed page paged no one again', async () => {
    const s = await setup({}, [paths(platform), escalation({ created_at: '2026-11-26T10:00:00Z' })]);
    const items = await new Pager(s.ctx, s.client, await planPage(s.ctx, s.client)).own(incident);
    expect(s.said('notice')[0]).toMatch(/^The escalation path "Platform" was already paged for INC-7 .* Nobody was paged again\.$/);
    expect(items[0]![0]).toBe('Paged (already, nobody paged again)');
  });

  it('keeps a failed page until the summary is written, then throws it naming the incident', async () => {
    const forbidden = json(403, { type: 'forbidden', status: 403, errors: [{ code: 'forbidden', message: 'Forbidden' }] });
    const s = await setup({}, [paths(platform), forbidden]);
    const pager = new Pager(s.ctx, s.client, await planPage(s.ctx, s.client));
    await expect(pager.own(incident)).resolves.toEqual([['Paged', expect.anything()]]);
    expect(() => pager.throwIfFailed()).toThrow(
      /^INC-7 was declared, but paging the escalation path "Platform" for it failed: .* Nobody was paged\. A re-run returns the same incident and pages then\.$/,
    );
  });

  it('mode: test checks the path but pages no one; a fork looks nothing up', async () => {
    const test = await setup({ mode: 'test' }, [paths(platform)]);
    const plan = await planPage(test.ctx, test.client);
    await new Pager(test.ctx, test.client, plan).own(incident);
    expect(test.fetch.calls).toHaveLength(1);
    expect(test.said('notice')).toEqual([
      expect.stringMatching(/^Not paged: "mode" is "test", and incident\.io escalations have no test mode/),
    ]);
    const fork = await setup({}, [], forkContext);
    await new Pager(fork.ctx, fork.client, await planPage(fork.ctx, fork.client)).own(incident);
    expect(fork.fetch.calls).toHaveLength(0);
    expect(fork.said('notice')).toEqual([expect.stringMatching(/^Not paged: this run came from the fork mallory\/shop/)]);
  });

  it('keeps hostile names from incident.io inert in the log and the card', async () => {
    const name = 'Platform\n::set-output name=escalation-id::forged ##[error]x';
    const hostile = { id: '01PLAT', name, current_responders: [{ id: '01E', name: '::add-mask::x\n##[warning]y' }] };
    const s = await setup({ 'escalation-path': '01PLAT' }, [paths(hostile), escalation({ status: 'triggered\n::error::x' })]);
    const items = await new Pager(s.ctx, s.client, await planPage(s.ctx, s.client)).own(incident);
    // The log's lines carry no runner command; an annotation (escaped by the runner) no unbroken legacy one.
    const stdout = s.core.log
      .filter((l) => ['info', 'debug'].includes(l.level))
      .map((l) => l.message)
      .join('\n');
    expect(runnerCommands(stdout)).toEqual([]);
    for (const { message } of s.core.log) expect(message).not.toContain('##[');
    expect(s.core.outputs['escalation-id']).toBe('01ESC');
    expect(JSON.stringify(items)).not.toMatch(/\\n::/);
  });
});
