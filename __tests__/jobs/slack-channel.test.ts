/**
 * The outputs a later step chains on (src/output/report.ts) and `wait-for-slack-channel`
 * (src/jobs/slack-channel.ts), on the source with a fake clock: the channel's link by team, all
 * three channel outputs or none, the wait's own deadline, one notice when the channel does not
 * appear or cannot be read, and the input's allowed values.
 */
import { readRunContext } from '../../src/github/context.js';
import type { Incident } from '../../src/incident-io/incidents.js';
import { waitForSlackChannel, SLACK_CHANNEL_POLL_MS } from '../../src/jobs/slack-channel.js';
import { setIncidentOutputs, slackChannelOf } from '../../src/output/report.js';
import { Output } from '../../src/output/output.js';
import { Redactor } from '../../src/core/redact.js';
import { parseSlackChannelWait } from '../../src/settings/values.js';
import { FakeClock, fakeCore, json, pushContext, scriptedFetch, type Reply } from '../helpers/fakes.js';

const KEY = 'inc_test_key_0123456789';
const OUTPUTS = [
  'incident-id',
  'incident-reference',
  'incident-url',
  'incident-name',
  'created',
  'severity',
  'status-category',
  'slack-channel-id',
  'slack-channel-name',
  'slack-channel-url',
];
const base: Incident = {
  id: '01INC',
  reference: 'INC-7',
  name: 'Checkout down',
  severity: { id: 's', name: 'Major' },
  incident_status: { id: 'st', name: 'Investigating', category: 'live' },
  slack_team_id: 'T0TEAM',
};
const withChannel = (over: Partial<Incident> = {}): Incident => ({
  ...base,
  slack_channel_id: 'C0CHAN',
  slack_channel_name: 'inc-7-checkout',
  ...over,
});

function setup(replies: Reply[], waitMs: number) {
  const core = fakeCore({});
  const clock = new FakeClock();
  const fetch = scriptedFetch(replies);
  const redactor = new Redactor([KEY]);
  const out = new Output(core.core, redactor, {}, OUTPUTS);
  const ctx = {
    out,
    redactor,
    env: {},
    clock,
    fetch,
    settings: { job: 'declare' as const, apiUrl: 'https://api.incident.io', dryRun: false, apiKey: KEY, waitForSlackChannelMs: waitMs },
    run: readRunContext(pushContext, { GITHUB_REPOSITORY: 'acme/shop' }),
    // The write's deadline is long spent: the wait has its own.
    deadline: { at: clock.now() - 1, name: 'the 120 s deadline' },
  };
  const said = (level: string) => core.log.filter((l) => l.level === level).map((l) => l.message);
  return { ctx, core, clock, fetch, said };
}

describe('the channel outputs', () => {
  it('link the channel in the web client when the team is known, through the redirect otherwise', () => {
    expect(slackChannelOf(withChannel())).toEqual({
      id: 'C0CHAN',
      name: 'inc-7-checkout',
      url: 'https://app.slack.com/client/T0TEAM/C0CHAN',
    });
    expect(slackChannelOf(withChannel({ slack_team_id: '' }))?.url).toBe('https://slack.com/app_redirect?channel=C0CHAN');
    expect(slackChannelOf(withChannel({ slack_team_id: undefined }))?.url).toBe('https://slack.com/app_redirect?channel=C0CHAN');
    // Whatever incident.io sends, the link stays a link to Slack.
    expect(slackChannelOf(withChannel({ slack_team_id: '../evil', slack_channel_id: 'C0/../../x?y#z' }))?.url).toBe(
      'https://slack.com/app_redirect?channel=C0%2F..%2F..%2Fx%3Fy%23z',
    );
    expect(slackChannelOf(base)).toBeUndefined();
    expect(slackChannelOf(withChannel({ slack_channel_id: '  ' }))).toBeUndefined();
  });

  it('are set with the incident: severity by name, the status category as answered, the channel all or nothing', () => {
    const s = setup([], 0);
    setIncidentOutputs(s.ctx.out, withChannel({ incident_status: { id: 'st', name: 'Fixing', category: 'Some-New-Category' } }), true);
    expect(s.core.outputs).toMatchObject({
      severity: 'Major',
      'status-category': 'Some-New-Category',
      'slack-channel-id': 'C0CHAN',
      'slack-channel-name': 'inc-7-checkout',
      'slack-channel-url': 'https://app.slack.com/client/T0TEAM/C0CHAN',
    });
    const none = setup([], 0);
    setIncidentOutputs(none.ctx.out, { ...base, slack_channel_name: 'inc-7-not-yet' }, true);
    expect(none.core.outputs).toMatchObject({ 'slack-channel-id': '', 'slack-channel-name': '', 'slack-channel-url': '' });
  });
});

describe('wait-for-slack-channel', () => {
  it('reads the incident again each second, on its own deadline, until the channel appears', async () => {
    const s = setup([json(200, { incident: base }), json(200, { incident: base }), json(200, { incident: withChannel() })], 10_000);
    const shown = await waitForSlackChannel(s.ctx, base);
    expect(shown.slack_channel_id).toBe('C0CHAN');
    expect(s.fetch.calls.map((c) => new URL(c.url).pathname)).toEqual(Array(3).fill('/v2/incidents/01INC'));
    expect(s.clock.waits).toEqual([SLACK_CHANNEL_POLL_MS, SLACK_CHANNEL_POLL_MS, SLACK_CHANNEL_POLL_MS]);
    expect(s.core.outputs['slack-channel-id']).toBe('C0CHAN');
    expect(s.said('notice')).toEqual([]);
  });

  it('gives up at the end of the wait with one notice, the outputs left empty', async () => {
    const s = setup(
      Array.from({ length: 10 }, () => json(200, { incident: base })),
      3_000,
    );
    expect(await waitForSlackChannel(s.ctx, base)).toBe(base);
    expect(s.fetch.calls.length).toBeLessThanOrEqual(3);
    expect(s.clock.now() - Date.parse('2026-11-26T12:00:00Z')).toBeLessThanOrEqual(3_000);
    expect(s.said('notice')).toEqual([
      'INC-7\'s Slack channel is not known: it did not appear within the 3 s of "wait-for-slack-channel". ' +
        'The outputs "slack-channel-id", "slack-channel-name" and "slack-channel-url" are empty; the incident is declared all the same.',
    ]);
    expect(s.core.outputs['slack-channel-id']).toBeUndefined();
  });

  it('gives up with one notice when the incident cannot be read again', async () => {
    const s = setup([json(403, { type: 'forbidden', errors: [{ message: 'no' }] })], 5_000);
    await waitForSlackChannel(s.ctx, base);
    expect(s.said('notice')).toEqual([
      expect.stringMatching(/^INC-7's Slack channel is not known: the incident could not be read again within the 5 s/),
    ]);
  });

  it('does not wait when the channel is known, or when asked not to', async () => {
    const known = setup([], 10_000);
    await waitForSlackChannel(known.ctx, withChannel());
    const zero = setup([], 0);
    await waitForSlackChannel(zero.ctx, base);
    expect([known.fetch.calls.length, zero.fetch.calls.length, zero.said('notice').length, zero.clock.waits]).toEqual([0, 0, 0, []]);
  });

  it('takes whole seconds from 0 to 30', () => {
    const read = (raw: string) => parseSlackChannelWait(() => raw);
    expect([read(''), read('0'), read('10'), read('30')]).toEqual([0, 0, 10_000, 30_000]);
    for (const bad of ['31', '-1', '2.5', '10s', 'yes', '100']) {
      expect(() => read(bad)).toThrow(
        `Input "wait-for-slack-channel" is ${JSON.stringify(bad)}; allowed values: a whole number of seconds from 0 (do not wait, the default) to 30`,
      );
    }
  });
});
