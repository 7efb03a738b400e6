/**
 * What the on-call and alert routes add around incidents: the slim form other objects embed
 * (escalations' related_incidents, incident alerts), and the incident's Slack channel, which may
 * appear only some time after the create.
 */
import { defer } from './deferred.mjs';

/**
 * IncidentSlimV2. Its status_category has its own names: a status of category `live` reads
 * `active` here and `learning` reads `post-incident` (the spec's enum); the rest are the same.
 */
export function incidentSlim(incident) {
  const category = incident.incident_status.category;
  return {
    id: incident.id,
    external_id: Number(incident.reference.replace(/^INC-/, '')),
    reference: incident.reference,
    name: incident.name,
    status_category: { live: 'active', learning: 'post-incident' }[category] ?? category,
    ...(incident.summary !== undefined ? { summary: incident.summary } : {}),
    visibility: incident.visibility,
  };
}

/**
 * Sets a new incident's Slack channel, after the create has built it (with slack_channel_id ''
 * unless a retrospective incident named its channel). `state.slackChannelName` replaces the
 * channel's name (hostile names for tests). `state.slackChannelAfterMs`:
 * - null (the default, as before): no channel ID; the name stays.
 * - 0: the create's answer carries the channel, `C0SANDBOX<n>`.
 * - N: the answer has slack_channel_id '' and no slack_channel_name; a request N ms later sees both.
 */
export function assignSlackChannel(state, incident, number) {
  if (state.slackChannelName !== null) incident.slack_channel_name = state.slackChannelName;
  const after = state.slackChannelAfterMs;
  if (after === null || incident.slack_channel_id !== '') return;
  const channel = { slack_channel_id: `C0SANDBOX${number}`, slack_channel_name: incident.slack_channel_name };
  if (after <= 0) {
    Object.assign(incident, channel);
    return;
  }
  delete incident.slack_channel_name;
  defer(state, Date.now() + after, () => Object.assign(incident, channel));
}
