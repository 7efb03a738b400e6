/**
 * End-to-end, the bundle as a child process against the sandbox (issue 19's done-when): on-call/
 * reports the override's user, not the rotation's, reading every page of schedules and entries;
 * an unknown schedule fails before any write, with a suggestion (on-call/ and declare's
 * `on-call:` role); the declare action's lead from a schedule; the Slack channel outputs with and
 * without `wait-for-slack-channel`, the channel appearing late; and a hostile channel name that
 * cannot forge an output.
 */
import { runAction } from '../../scripts/run-action.mjs';
import { ONCALL_IDS } from '../../sandbox/seed.mjs';
import { onCallAt, scheduleEntries } from '../../sandbox/schedules.mjs';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();
const onCall = (inputs: Record<string, string>) =>
  runAction({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url, ...inputs }, { job: 'on-call' });
const declare = (inputs: Record<string, string>) =>
  runAction({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major', 'github-token': '', ...inputs });
const creates = () => sandbox.requests.filter((r) => r.route === 'POST /v2/incidents');
const entryReads = () => sandbox.requests.filter((r) => r.path === '/v2/schedule_entries');

describe('on-call/', () => {
  it("reports the override's user, not the rotation's, after reading every page of schedules", async () => {
    sandbox.state.pageCap = 10;
    const result = await onCall({ schedule: 'platform primary' });
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({
      names: 'Olivia Override',
      'user-ids': ONCALL_IDS.olivia,
      emails: 'olivia@example.com',
      'slack-user-ids': 'U0OLIVIA',
      count: '1',
      skipped: 'false',
    });
    // The rotation has someone else on call now: the override is what counts.
    const schedule = sandbox.state.schedules.find((s: { id: string }) => s.id === ONCALL_IDS.platformSchedule);
    const now = Date.now();
    const rotation = scheduleEntries(sandbox.state, schedule, now, now + 1).scheduled as { user: { id: string } }[];
    expect(rotation.length).toBeGreaterThan(0);
    expect(rotation.map((e) => e.user.id)).not.toContain(ONCALL_IDS.olivia);
    // 26 schedules at 10 a page: "Platform Primary" is on the third.
    expect(sandbox.requests.filter((r) => r.path === '/v2/schedules')).toHaveLength(3);
    expect(JSON.parse(result.outputs['users']!)).toEqual([
      { id: ONCALL_IDS.olivia, name: 'Olivia Override', email: 'olivia@example.com', slack_user_id: 'U0OLIVIA' },
    ]);
    expect(result.summary).toContain('### incident.io: on call');
    expect(result.summary).toContain('Olivia Override');
  });

  it('reads every page of entries, in the order the entries started, each person once, aligned', async () => {
    const at = '2026-11-26T10:30:00Z';
    const result = await onCall({ schedule: 'All Hands', at });
    expect(result.code).toBe(0);
    expect(entryReads().length).toBeGreaterThanOrEqual(2);
    // The cursor went back as entry_window_start, the end unchanged.
    const [first, ...more] = entryReads();
    for (const r of more) {
      expect(r.query['entry_window_end']).toBe(first!.query['entry_window_end']);
      expect(r.query['entry_window_start']).not.toBe(first!.query['entry_window_start']);
    }
    const schedule = sandbox.state.schedules.find((s: { id: string }) => s.id === ONCALL_IDS.allHandsSchedule);
    const expected: string[] = [];
    for (const e of onCallAt(sandbox.state, schedule, Date.parse(at)) as { user: { id: string } }[]) {
      if (!expected.includes(e.user.id)) expected.push(e.user.id);
    }
    expect(result.outputs['user-ids']).toBe(expected.join(','));
    expect(result.outputs['count']).toBe(String(expected.length));
    const place = (id: string) => expected.indexOf(id);
    expect(result.outputs['names']!.split(',')[place(ONCALL_IDS.jane)]).toBe('Doe Jane');
    expect(result.outputs['emails']!.split(',')[place(ONCALL_IDS.dana)]).toBe('');
    expect(result.outputs['slack-user-ids']!.split(',')[place(ONCALL_IDS.erin)]).toBe('');
  });

  it('stops on a cursor that never ends (at an empty page, within its limit), and never follows the after_url', async () => {
    sandbox.state.scheduleEntriesBug = 'endless';
    sandbox.state.scheduleEntriesAfterUrlBase = 'http://127.0.0.1:9';
    const result = await onCall({ schedule: 'Platform Primary' });
    expect(result.code).toBe(0);
    expect(result.outputs['names']).toBe('Olivia Override');
    expect(entryReads().length).toBeGreaterThanOrEqual(2);
    expect(entryReads().length).toBeLessThanOrEqual(10);
    // Every page was asked of api-url, with the cursor as entry_window_start: the trap after_url was never fetched.
    expect(entryReads().every((r) => r.query['schedule_id'] === ONCALL_IDS.platformSchedule)).toBe(true);
  });

  it('with nobody on call: count 0, empty lists and a warning, green', async () => {
    const result = await onCall({ schedule: 'Weekend Cover' });
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ count: '0', names: '', emails: '', 'user-ids': '', 'slack-user-ids': '', users: '[]' });
    expect(result.stdout).toMatch(/::warning title=incident\.io%3A nobody on call::Nobody is on call on the schedule "Weekend Cover"/);
  });

  it('fails on an unknown schedule with the closest suggested', async () => {
    const result = await onCall({ schedule: 'Platform Primry' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Input "schedule" is "Platform Primry", which is not a schedule .* Did you mean "Platform Primary"\?/);
    expect(entryReads()).toHaveLength(0);
  });
});

describe("declare's roles: on-call:<schedule>", () => {
  it('makes the person on call the incident lead', async () => {
    const result = await declare({ roles: 'Incident Lead: On-Call:platform primary' });
    expect(result.code).toBe(0);
    const [create] = creates();
    const lead = sandbox.state.incidentRoles.find((r: { name: string }) => r.name === 'Incident Lead');
    expect(create!.body.incident_role_assignments).toEqual([{ incident_role_id: lead.id, assignee: { id: ONCALL_IDS.olivia } }]);
  });

  it('refuses an unknown schedule before any write, with a suggestion', async () => {
    const result = await declare({ roles: 'Incident Lead: on-call:Platfrom Primary' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/"Platfrom Primary", which is not a schedule .* Did you mean "Platform Primary"\?/);
    expect(creates()).toHaveLength(0);
  });

  it('declares without the role, with a warning, when nobody is on call or the schedule cannot be read', async () => {
    const nobody = await declare({ roles: 'Incident Lead: on-call:Weekend Cover' });
    expect(nobody.code).toBe(0);
    expect(nobody.stdout).toMatch(
      /::warning title=incident\.io%3A role left unassigned::The role "Incident Lead" was left unassigned: nobody is on call/,
    );
    expect(creates()[0]!.body.incident_role_assignments).toBeUndefined();

    sandbox.fault('GET /v2/schedule_entries', { type: 'status', status: 500 }, 10);
    const broken = await declare({ roles: 'Incident Lead: on-call:Platform Primary', 'idempotency-key': 'second' });
    expect(broken.code).toBe(0);
    expect(broken.stdout).toMatch(
      /role left unassigned::The role "Incident Lead" was left unassigned: who is on call on the schedule "Platform Primary" could not be read/,
    );
    expect(creates()).toHaveLength(2);
  });
});

describe('the Slack channel and severity outputs', () => {
  it('are set from the create answer when it names the channel', async () => {
    sandbox.state.slackChannelAfterMs = 0;
    const result = await declare({});
    expect(result.code).toBe(0);
    const incident = sandbox.state.incidents[0];
    expect(result.outputs).toMatchObject({
      severity: 'Major',
      'status-category': incident.incident_status.category,
      'slack-channel-id': incident.slack_channel_id,
      'slack-channel-name': incident.slack_channel_name,
      'slack-channel-url': `https://app.slack.com/client/T0SANDBOX/${incident.slack_channel_id}`,
    });
    expect(incident.slack_channel_id).toMatch(/^C0SANDBOX/);
  });

  it('appear with the wait when incident.io creates the channel after it answers', async () => {
    sandbox.state.slackChannelAfterMs = 1500;
    const result = await declare({ 'wait-for-slack-channel': '10' });
    expect(result.code).toBe(0);
    const incident = sandbox.state.incidents[0];
    expect(result.outputs['slack-channel-id']).toBe(incident.slack_channel_id);
    expect(result.outputs['slack-channel-id']).toMatch(/^C0SANDBOX/);
    expect(result.outputs['slack-channel-name']).toBe(incident.slack_channel_name);
    expect(result.outputs['incident-id']).toBe(incident.id);
    expect(sandbox.requests.filter((r) => r.route === 'GET /v2/incidents/:id').length).toBeGreaterThanOrEqual(1);
  });

  it('are empty, with one notice, when the channel does not appear within the wait; no wait reads nothing again', async () => {
    sandbox.state.slackChannelAfterMs = 60_000;
    const started = Date.now();
    const waited = await declare({ 'wait-for-slack-channel': '2' });
    expect(waited.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(waited.outputs).toMatchObject({ 'slack-channel-id': '', 'slack-channel-name': '', 'slack-channel-url': '' });
    expect(waited.outputs['incident-id']).toBe(sandbox.state.incidents[0].id);
    expect(waited.stdout.match(/::notice title=incident\.io%3A no Slack channel yet::/g)).toHaveLength(1);
    const reads = sandbox.requests.filter((r) => r.route === 'GET /v2/incidents/:id').length;
    const none = await declare({ 'idempotency-key': 'no-wait' });
    expect(none.outputs['slack-channel-id']).toBe('');
    expect(sandbox.requests.filter((r) => r.route === 'GET /v2/incidents/:id').length).toBe(reads);
  });

  it('are set by update too, with the wait', async () => {
    // No channel at the create; it appears while the update step runs, after its answers.
    const first = await declare({});
    expect(first.outputs['slack-channel-id']).toBe('');
    const incident = sandbox.state.incidents[0];
    const running = runAction(
      {
        'api-key': sandbox.apiKey,
        'api-url': sandbox.url,
        'incident-id': first.outputs['incident-id']!,
        severity: 'Critical',
        'wait-for-slack-channel': '20',
      },
      { job: 'update' },
    );
    // Once the update's edit has been answered, the channel appears.
    const appear = setInterval(() => {
      if (sandbox.requests.some((r) => r.route === 'POST /v2/incidents/:id/actions/edit' && r.respondedAt)) {
        Object.assign(incident, { slack_channel_id: 'C0LATE', slack_channel_name: 'inc-1-late' });
        clearInterval(appear);
      }
    }, 20);
    const result = await running.finally(() => clearInterval(appear));
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({
      severity: 'Critical',
      'status-category': incident.incident_status.category,
      'slack-channel-id': 'C0LATE',
      'slack-channel-name': 'inc-1-late',
      'slack-channel-url': 'https://app.slack.com/client/T0SANDBOX/C0LATE',
    });
    expect(result.stdout).toMatch(/Waiting up to 20 s for INC-1's Slack channel/);
  });

  it('a channel name with a line break and runner commands cannot forge an output', async () => {
    sandbox.state.slackChannelAfterMs = 0;
    sandbox.state.slackChannelName = 'inc-1\nincident-id=forged\n::set-output name=created::forged\nskipped<<EOF\nforged\nEOF';
    const result = await declare({});
    expect(result.code).toBe(0);
    const incident = sandbox.state.incidents[0];
    expect(result.outputs['incident-id']).toBe(incident.id);
    expect(result.outputs['created']).toBe('true');
    expect(result.outputs['skipped']).toBe('false');
    expect(result.outputs['slack-channel-name']).toBe(sandbox.state.slackChannelName);
    expect(Object.keys(result.outputs).sort()).toEqual(
      [
        'created',
        'incident-id',
        'incident-name',
        'incident-reference',
        'incident-url',
        'severity',
        'skipped',
        'slack-channel-id',
        'slack-channel-name',
        'slack-channel-url',
        'status-category',
      ].sort(),
    );
    expect(result.stdout).not.toMatch(/^::set-output/m);
  });
});
