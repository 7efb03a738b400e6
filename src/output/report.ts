// src/output/: the one layer to the runner: log lines, annotations, outputs and the job summary; escaping lives here.
/**
 * What the step tells the workflow about an incident: the outputs (set first, as soon as the
 * incident is known, so nothing later can lose them), the one-line story for the log and the
 * notice, and the job summary card. Every value in the card is escaped by `md`.
 */
import type { Incident } from '../incident-io/incidents.js';
import { join, link, Markdown, md } from '../core/markdown.js';
import type { Output } from './output.js';

/**
 * The `incident-*` outputs, `created`, and (update, resolve) `status`. `created` undefined leaves
 * that output for later (a create settles it once it knows no other job of the run raced it).
 */
export function setIncidentOutputs(out: Output, incident: Incident | undefined, created: boolean | undefined, withStatus = false): void {
  out.setOutput('incident-id', incident?.id ?? '');
  out.setOutput('incident-reference', incident?.reference ?? '');
  out.setOutput('incident-url', incident?.permalink ?? '');
  out.setOutput('incident-name', incident?.name ?? '');
  if (created !== undefined) out.setOutput('created', String(created));
  if (withStatus) out.setOutput('status', incident?.incident_status?.name ?? '');
  // The outputs a later step chains on (declare, update): only for a job whose action.yml declares them.
  if (out.declares('severity')) out.setOutput('severity', incident?.severity?.name ?? '');
  if (out.declares('status-category')) out.setOutput('status-category', incident?.incident_status?.category ?? '');
  if (out.declares('slack-channel-id')) setSlackChannelOutputs(out, incident);
}

/**
 * `slack-channel-id`, `slack-channel-name` and `slack-channel-url`, from the incident as
 * incident.io answered: all three once the channel exists (it has an ID), all three empty until
 * then. The link opens the channel in Slack's web client when the answer names the team, and
 * through Slack's redirect otherwise. Each value reaches GITHUB_OUTPUT through `setOutput`'s
 * delimited form, so a line break or a runner command in a name stays inside its own output.
 */
export function setSlackChannelOutputs(out: Output, incident: Incident | undefined): void {
  const channel = slackChannelOf(incident);
  out.setOutput('slack-channel-id', channel?.id ?? '');
  out.setOutput('slack-channel-name', channel?.name ?? '');
  out.setOutput('slack-channel-url', channel?.url ?? '');
}

/** The incident's Slack channel, once incident.io has created it. */
export function slackChannelOf(incident: Incident | undefined): { id: string; name: string; url: string } | undefined {
  const id = incident?.slack_channel_id?.trim();
  if (!incident || !id) return undefined;
  const team = incident.slack_team_id?.trim();
  const url =
    team && /^[TE][A-Z0-9]+$/.test(team)
      ? `https://app.slack.com/client/${encodeURIComponent(team)}/${encodeURIComponent(id)}`
      : `https://slack.com/app_redirect?channel=${encodeURIComponent(id)}`;
  return { id, name: incident.slack_channel_name ?? '', url };
}

/** "INC-123: name https://…", for the log (the output layer makes it inert). */
export function describe(incident: Incident): string {
  return `${incident.reference}: ${incident.name}${incident.permalink ? ` ${incident.permalink}` : ''}`;
}

/** The incident as a link to it (or as text, when its permalink may not be a link). */
export function incidentLink(incident: Incident): Markdown {
  return link(`${incident.reference}: ${incident.name}`, incident.permalink);
}

/** An item's value: one line, or a list (shown as a list nested in the item). */
export type CardItem = [label: string, value: Markdown | readonly Markdown[] | undefined];

/**
 * A job summary card: a heading and a compact list; items without a value (or with an empty
 * list) are left out. A list value is a list nested in its item, one entry a line, so the card
 * stays one list however many entries there are.
 */
export function card(title: Markdown, items: readonly CardItem[]): Markdown {
  const lines = items.flatMap(([label, value]): Markdown[] => {
    if (value === undefined) return [];
    if (value instanceof Markdown) return [md`- **${label}:** ${oneLine(value)}`];
    if (value.length === 0) return [];
    return [md`- **${label}:**`, ...value.map((entry) => md`  - ${oneLine(entry)}`)];
  });
  return join([md`### incident.io: ${title}`, md``, ...lines], '\n');
}

/** A value is one line, whatever Markdown built it: a line break would end the item, or the list. */
function oneLine(entry: Markdown): Markdown {
  return new Markdown(entry.source.replace(/\s*(?:\r\n|[\r\n\u2028\u2029])\s*/g, ' '));
}

export interface CreateOutcome {
  incident?: Incident;
  created: boolean;
  idempotencyKey: string;
}

/** The one-line story of a create for the log and the notice annotation. */
export function headline(outcome: CreateOutcome): string {
  const { incident } = outcome;
  if (!incident) {
    return `incident.io says an incident with idempotency key "${outcome.idempotencyKey}" was already declared, but did not say which one.`;
  }
  if (outcome.created) return `Declared incident ${describe(incident)}`;
  return `Incident ${describe(incident)} was already declared under idempotency key "${outcome.idempotencyKey}" (by an earlier attempt or step); reusing it.`;
}
