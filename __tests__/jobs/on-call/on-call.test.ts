/**
 * The on-call job (src/jobs/on-call/) on the source, through main's `run` with a fake runner and
 * fake answers: its inputs (every mistake at once, the schedule looked up beside them), exactly
 * what it asks incident.io, the outputs (aligned, whatever the names hold), the log, the
 * warnings and the job summary; and hostile names from incident.io kept inert.
 */
import { run } from '../../../src/main.js';
import { onCallOutputs } from '../../../src/jobs/on-call/on-call.js';
import { parseAt } from '../../../src/jobs/on-call/settings.js';
import type { OnCallUser } from '../../../src/incident-io/on-call.js';
import { FakeClock, fakeCore, json, pushContext, scriptedFetch, type Reply } from '../../helpers/fakes.js';
import { runnerCommands } from '../../helpers/runner-commands.js';

const KEY = 'inc_test_key_0123456789';
const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_STEP_SUMMARY: '/dev/null' };
const AT = '2026-11-26T03:00:00Z';

async function onCallRun(inputs: Record<string, string>, replies: Reply[], { clock = new FakeClock() } = {}) {
  const core = fakeCore({ 'api-key': KEY, 'fail-on-error': 'true', 'api-url': 'https://api.incident.io', ...inputs });
  const fetch = scriptedFetch(replies);
  await run({ core: core.core, fetch, env, clock, context: () => pushContext }, 'on-call');
  const said = (level: string) => core.log.filter((l) => l.level === level).map((l) => l.message);
  const paths = () => fetch.calls.map((c) => decodeURIComponent(new URL(c.url).pathname + new URL(c.url).search));
  return { core, fetch, said, paths, summary: () => core.summaryParts.join('') };
}

const olivia = { id: '01OLIVIA', name: 'Olivia Override', email: 'olivia@example.com', slack_user_id: 'U0OLIVIA', role: 'responder' };
const schedules = () =>
  json(200, {
    schedules: [{ id: '01PP', name: 'Platform Primary', timezone: 'UTC', team_ids: [] }],
    pagination_meta: { page_size: 100 },
  });
const entries = (final: unknown[]) => json(200, { schedule_entries: { scheduled: [], overrides: [], final } });

/** A summary that renders a link, an image or a script from text, or a runner command. */
const UNSAFE_SUMMARY = /(?<!\\)\[(click|a)\]\(|(?<!\\)<(img|script)|\n\s*::|##\[/;

describe('on-call: inputs', () => {
  it('reads at as an RFC 3339 time with its zone, or now', () => {
    expect(parseAt('2026-11-26T04:00:00+01:00')).toBe(Date.parse('2026-11-26T03:00:00Z'));
    expect(parseAt('2026-11-26t03:00:00.5z')).toBe(Date.parse('2026-11-26T03:00:00.500Z'));
    expect(parseAt('NOW')).toBeUndefined();
    expect(parseAt('')).toBeUndefined();
    for (const bad of ['2026-11-26', '2026-11-26T03:00:00', '2026-02-30T03:00:00Z', 'tomorrow', '1795662000']) {
      expect(() => parseAt(bad)).toThrow(`Input "at" is ${JSON.stringify(bad)}; allowed values: an RFC 3339 time with its zone`);
    }
  });

  it('reports every mistake at once, and the schedule name looked up beside them, before reading any entry', async () => {
    const s = await onCallRun({ 'api-key': '', schedule: '', at: 'soon', 'fail-on-error': 'no' }, []);
    expect(s.core.failed).toBeDefined();
    const failed = s.core.failed!;
    expect(failed).toMatch(/Input "api-key" is empty: it must be an incident\.io API key that may view schedules \(schedules\.view\)/);
    expect(failed).toMatch(/Input "schedule" is required by the on-call job, but it is empty\. Set it to the name or ID/);
    expect(failed).toContain('Input "fail-on-error" is "no"');
    expect(failed).toContain('Input "at" is "soon"');
    expect(s.fetch.calls).toHaveLength(0);

    const typo = await onCallRun({ schedule: 'Platfrom Primary', at: 'soon' }, [schedules()]);
    expect(typo.core.failed).toContain('Input "at" is "soon"');
    expect(typo.core.failed).toContain('Input "schedule" is "Platfrom Primary", which is not a schedule in this incident.io workspace.');
    expect(typo.core.failed).toContain('Did you mean "Platform Primary"?');
    expect(typo.paths()).toEqual(['/v2/schedules?page_size=100']);
  });

  it('refuses an unknown schedule with the closest suggested, before reading any entry', async () => {
    const s = await onCallRun({ schedule: 'platform primry' }, [schedules()]);
    expect(s.core.failed).toMatch(/Input "schedule" is "platform primry", which is not a schedule .* Did you mean "Platform Primary"\?/);
    expect(s.paths()).toEqual(['/v2/schedules?page_size=100']);
    expect(s.core.outputs['count']).toBeUndefined();
  });
});

describe('on-call: the story', () => {
  it('sets the outputs, logs who is on call, and writes the summary', async () => {
    const s = await onCallRun({ schedule: 'platform primary', at: AT }, [
      schedules(),
      entries([
        { start_at: '2026-11-26T02:00:00Z', end_at: '2026-11-26T14:00:00Z', user: olivia },
        { start_at: '2026-11-26T00:00:00Z', end_at: '2026-11-27T00:00:00Z', user: { id: '01JANE', name: 'Doe, Jane', role: 'responder' } },
      ]),
    ]);
    expect(s.core.failed).toBeUndefined();
    expect(s.paths()).toEqual([
      '/v2/schedules?page_size=100',
      '/v2/schedule_entries?schedule_id=01PP&entry_window_start=2026-11-26T02:59:00.000Z&entry_window_end=2026-11-26T03:01:00.000Z',
    ]);
    expect(s.core.outputs).toEqual({
      emails: ',olivia@example.com',
      names: 'Doe Jane,Olivia Override',
      'user-ids': '01JANE,01OLIVIA',
      'slack-user-ids': ',U0OLIVIA',
      users: JSON.stringify([
        { id: '01JANE', name: 'Doe, Jane', email: null, slack_user_id: null },
        { id: '01OLIVIA', name: 'Olivia Override', email: 'olivia@example.com', slack_user_id: 'U0OLIVIA' },
      ]),
      count: '2',
      skipped: 'false',
    });
    expect(s.said('info')).toContain(
      'On call on the schedule "Platform Primary" (01PP) at 2026-11-26T03:00:00.000Z: "Doe, Jane", "Olivia Override" ("olivia@example.com").',
    );
    expect(s.summary()).toContain('### incident.io: on call');
    expect(s.summary()).toContain('- **On call:**\n  - Doe, Jane\n  - Olivia Override (olivia\\@example.com)');
    expect(s.said('warning')).toEqual([]);
  });

  it('asks about now when `at` is empty', async () => {
    const clock = new FakeClock(Date.parse('2026-11-26T12:00:00Z'));
    const s = await onCallRun({ schedule: '01PP' }, [schedules(), entries([])], { clock });
    expect(s.paths()[1]).toContain('entry_window_start=2026-11-26T11:59:00.000Z');
  });

  it('with nobody on call: count 0, empty lists, a warning, and green', async () => {
    const s = await onCallRun({ schedule: 'Platform Primary', at: AT }, [schedules(), entries([])]);
    expect(s.core.outputs).toEqual({
      emails: '',
      names: '',
      'user-ids': '',
      'slack-user-ids': '',
      users: '[]',
      count: '0',
      skipped: 'false',
    });
    expect(s.said('warning')).toEqual([
      'Nobody is on call on the schedule "Platform Primary" (01PP) at 2026-11-26T03:00:00.000Z: the outputs are empty and "count" is 0.',
    ]);
    expect(s.summary()).toContain('- **On call:** nobody');
    expect(s.core.failed).toBeUndefined();
  });

  it('warns when the entries had more pages than it reads, and never fetches the after_url', async () => {
    let n = 0;
    const endless: Reply = () =>
      json(200, {
        schedule_entries: { scheduled: [{}], overrides: [], final: [] },
        pagination_meta: { after: `c${++n}`, after_url: 'https://trap.example' },
      });
    const s = await onCallRun({ schedule: 'Platform Primary', at: AT }, [schedules(), ...Array.from({ length: 12 }, () => endless)]);
    expect(s.said('warning')[0]).toMatch(/^The action read 10 pages of the schedule's entries, its limit, and stopped with more to read/);
    expect(s.fetch.calls).toHaveLength(11);
    expect(s.fetch.calls.every((c) => c.url.startsWith('https://api.incident.io/'))).toBe(true);
    expect(s.core.failed).toBeUndefined();
  });

  it('keeps hostile names inert in the log and the summary', async () => {
    const evil = {
      id: '01EVIL',
      name: '::set-output name=count::9\n##[error]x [a](https://evil.example)',
      email: 'evil@example.com',
      role: 'responder',
    };
    const s = await onCallRun({ schedule: '01PP', at: AT }, [
      json(200, { schedules: [{ id: '01PP', name: 'On call <script>x</script>\n::warning::y' }] }),
      entries([{ start_at: '2026-11-26T02:00:00Z', end_at: '2026-11-26T04:00:00Z', user: evil }]),
    ]);
    const stdout = s.core.log
      .filter((l) => ['info', 'debug'].includes(l.level))
      .map((l) => l.message)
      .join('\n');
    expect(runnerCommands(stdout)).toEqual([]);
    for (const { message } of s.core.log) expect(message).not.toContain('##[');
    expect(s.summary()).not.toMatch(UNSAFE_SUMMARY);
    expect(s.core.outputs['names']).toBe('::set-output name=count::9 ##[error]x [a](https://evil.example)');
    expect(s.core.outputs['count']).toBe('1');
  });
});

describe('onCallOutputs', () => {
  const people: OnCallUser[] = [
    { id: '01FRANK', name: 'Frank Night', email: 'frank@example.com', slack_user_id: 'U0FRANK' },
    { id: '01DANA', name: 'Dana Noemail', slack_user_id: 'U0DANA' },
    { id: '01ERIN', name: 'Erin Noslack', email: 'erin@example.com' },
    { id: '01JANE', name: 'Doe, Jane', email: 'jane.doe@example.com', slack_user_id: 'U0JANE' },
  ];

  it('sets aligned comma-separated lists, an empty place for what a person lacks, and a comma in a name as a space', () => {
    expect(onCallOutputs(people)).toEqual({
      emails: 'frank@example.com,,erin@example.com,jane.doe@example.com',
      names: 'Frank Night,Dana Noemail,Erin Noslack,Doe Jane',
      'user-ids': '01FRANK,01DANA,01ERIN,01JANE',
      'slack-user-ids': 'U0FRANK,U0DANA,,U0JANE',
      users: JSON.stringify([
        { id: '01FRANK', name: 'Frank Night', email: 'frank@example.com', slack_user_id: 'U0FRANK' },
        { id: '01DANA', name: 'Dana Noemail', email: null, slack_user_id: 'U0DANA' },
        { id: '01ERIN', name: 'Erin Noslack', email: 'erin@example.com', slack_user_id: null },
        { id: '01JANE', name: 'Doe, Jane', email: 'jane.doe@example.com', slack_user_id: 'U0JANE' },
      ]),
      count: '4',
    });
    const outputs = onCallOutputs(people);
    for (const list of ['emails', 'names', 'user-ids', 'slack-user-ids'] as const) expect(outputs[list].split(',')).toHaveLength(4);
  });

  it('keeps a hostile name on one line in every output: no line break, no extra place', () => {
    const hostile: OnCallUser[] = [{ id: '01H', name: 'Eve\n::set-output name=count::99,\u2028x\r\ny', email: 'eve@example.com' }];
    const outputs = onCallOutputs(hostile);
    expect(outputs.names).toBe('Eve ::set-output name=count::99 x y');
    expect(outputs.users).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(JSON.parse(outputs.users)).toEqual([{ id: '01H', name: hostile[0]!.name, email: 'eve@example.com', slack_user_id: null }]);
    expect(outputs.count).toBe('1');
  });

  it('is empty, with count 0, for nobody', () => {
    expect(onCallOutputs([])).toEqual({ emails: '', names: '', 'user-ids': '', 'slack-user-ids': '', users: '[]', count: '0' });
  });
});
