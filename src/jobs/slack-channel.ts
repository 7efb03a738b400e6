/**
 * `wait-for-slack-channel` (declare, update): incident.io sometimes creates an incident's Slack
 * channel after it answers, so the channel outputs of the answer are empty. This waits for it,
 * after the incident's outputs are set (nothing here can lose them), on a deadline of its own
 * that starts now, after the write: the short after-write deadline cannot hold 30 s, and the
 * write's is spent. It reads the incident again (`GET /v2/incidents/{id}`) until the channel has
 * an ID, then sets the channel outputs again. A channel that does not appear, or an incident
 * that cannot be read again, leaves them empty with one notice: the incident is declared.
 */
import { ApiError, InputError } from '../core/errors.js';
import { seconds } from '../core/time.js';
import { fetchIncident, type Incident } from '../incident-io/incidents.js';
import { setSlackChannelOutputs, slackChannelOf } from '../output/report.js';
import type { Common } from '../settings/read.js';
import { apiKeyClient, type JobContext } from './job.js';

/** How long between two reads of the incident while waiting. */
export const SLACK_CHANNEL_POLL_MS = 1_000;

/** The incident with its channel, once it appeared within the wait; the incident as it was otherwise. */
export async function waitForSlackChannel(
  ctx: JobContext<Common & { apiKey: string; waitForSlackChannelMs: number }>,
  incident: Incident,
): Promise<Incident> {
  const { out, clock, settings } = ctx;
  const waitMs = settings.waitForSlackChannelMs;
  if (slackChannelOf(incident) || waitMs <= 0) return incident;
  const deadline = { at: clock.now() + waitMs, name: `the ${waitMs / 1000} s of "wait-for-slack-channel"` };
  const client = apiKeyClient(ctx).withDeadline(deadline);
  out.info(`Waiting up to ${seconds(waitMs)} for ${incident.reference}'s Slack channel ("wait-for-slack-channel").`);
  let why = `it did not appear within ${deadline.name}`;
  for (;;) {
    const remaining = deadline.at - clock.now();
    if (remaining <= 0) break;
    await clock.sleep(Math.min(SLACK_CHANNEL_POLL_MS, remaining));
    if (deadline.at - clock.now() <= 0) break;
    let again: Incident;
    try {
      again = await fetchIncident(client.sentFor('wait-for-slack-channel'), incident.id);
    } catch (error) {
      // A 404 reads as an InputError of `incident-id`; here it only means the incident could not be read again.
      if (!(error instanceof ApiError) && !(error instanceof InputError)) throw error;
      why = `the incident could not be read again within ${deadline.name}: ${error.message}`;
      break;
    }
    const channel = slackChannelOf(again);
    if (channel) {
      setSlackChannelOutputs(out, again);
      out.info(`${incident.reference}'s Slack channel appeared: ${JSON.stringify(channel.name || channel.id)} (${channel.id}).`);
      return again;
    }
  }
  out.notice(
    `${incident.reference}'s Slack channel is not known: ${why}. ` +
      'The outputs "slack-channel-id", "slack-channel-name" and "slack-channel-url" are empty; the incident is declared all the same.',
    'incident.io: no Slack channel yet',
  );
  return incident;
}
