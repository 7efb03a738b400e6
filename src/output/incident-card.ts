/**
 * The job summary card for an incident: what a responder glancing at the run wants, read from
 * incident.io's own answer where it says it (type, status, custom fields, roles, Slack channel),
 * plus what the step did (attachments, timestamps, what failed). A heading and a list; every
 * value escaped, every link checked.
 */
import { isRecord } from '../core/shape.js';
import type { FailedJob } from '../github/jobs.js';
import type { AttachmentPlan } from '../incident-io/attachments.js';
import type { Incident } from '../incident-io/incidents.js';
import type { TimestampSet } from '../incident-io/timestamps.js';
import { join, link, md, text, type Markdown } from '../core/markdown.js';
import { card, incidentLink, type CardItem } from './report.js';

export interface CardExtras {
  /** "Created by this step", or why not. */
  created?: Markdown;
  attachments?: readonly AttachmentPlan[];
  timestamps?: readonly TimestampSet[];
  failed?: readonly FailedJob[];
  /** More items, placed before "Created by this step". */
  more?: readonly CardItem[];
}

export function incidentCard(title: Markdown, incident: Incident, extras: CardExtras = {}): Markdown {
  return card(title, [
    ['Incident', incidentLink(incident)],
    ['Severity', named(incident.severity)],
    ['Status', named(incident.incident_status)],
    ['Type', named(incident.incident_type)],
    ['Custom fields', customFields(incident)],
    ['Roles', roles(incident)],
    ['Slack channel', slackChannel(incident)],
    ['Attachments', list(extras.attachments?.map((a) => link(a.title, a.url)))],
    [
      'Timestamps',
      list(extras.timestamps?.map((t) => md`${t.name}: ${t.value ?? 'unset'}${t.automatic ? ' (when the first failed job started)' : ''}`)),
    ],
    ['What failed', list(extras.failed?.map(failure), '; ')],
    ['Visibility', typeof incident.visibility === 'string' ? text(incident.visibility) : undefined],
    ['Mode', typeof incident.mode === 'string' ? text(incident.mode) : undefined],
    ...(extras.more ?? []),
    ['Created by this step', extras.created],
  ]);
}

/** Steps of a job the card names, at most; the incident's own text has the full list. */
const MAX_STEPS = 3;

/** `deploy at "Deploy to production", "Smoke test"`, or `e2e (cancelled)`: each failed job with its failed steps. */
function failure({ job, steps }: FailedJob): Markdown {
  const name = link(job.name, job.html_url ?? undefined);
  if (job.conclusion === 'cancelled' && steps.length === 0) return md`${name} (cancelled)`;
  if (steps.length === 0) return name;
  const shown = join(
    steps.slice(0, MAX_STEPS).map((step) => md`"${step.name}"`),
    ', ',
  );
  const more = steps.length > MAX_STEPS ? md` and ${steps.length - MAX_STEPS} more` : md``;
  return md`${name} at ${shown}${more}`;
}

function list(items: readonly Markdown[] | undefined, separator = ', '): Markdown | undefined {
  return items && items.length > 0 ? join(items, separator) : undefined;
}

function named(value: unknown): Markdown | undefined {
  return isRecord(value) && typeof value['name'] === 'string' ? text(value['name']) : undefined;
}

/** "Affected service: checkout; Teams: Platform, Payments", from the incident's own entries. */
function customFields(incident: Incident): Markdown | undefined {
  const entries = (incident as unknown as Record<string, unknown>)['custom_field_entries'];
  if (!Array.isArray(entries)) return undefined;
  const parts = entries.filter(isRecord).flatMap((entry) => {
    const name = isRecord(entry['custom_field']) ? entry['custom_field']['name'] : undefined;
    const values = Array.isArray(entry['values'])
      ? entry['values']
          .filter(isRecord)
          .map(valueText)
          .filter((v): v is string => v !== undefined)
      : [];
    return typeof name === 'string' && values.length > 0 ? [md`${name}: ${values.join(', ')}`] : [];
  });
  return parts.length > 0 ? join(parts, '; ') : undefined;
}

function valueText(value: Record<string, unknown>): string | undefined {
  for (const [key, field] of [
    ['value_option', 'value'],
    ['value_catalog_entry', 'name'],
  ] as const) {
    const nested = value[key];
    if (isRecord(nested) && typeof nested[field] === 'string') return nested[field];
  }
  for (const key of ['value_text', 'value_link', 'value_numeric']) if (typeof value[key] === 'string') return value[key];
  return undefined;
}

/** "Incident Lead: Alice Example", from the incident's own assignments. */
function roles(incident: Incident): Markdown | undefined {
  const assignments = (incident as unknown as Record<string, unknown>)['incident_role_assignments'];
  if (!Array.isArray(assignments)) return undefined;
  const parts = assignments.filter(isRecord).flatMap((a) => {
    const role = isRecord(a['role']) ? a['role']['name'] : undefined;
    const who = isRecord(a['assignee']) ? (a['assignee']['name'] ?? a['assignee']['email']) : undefined;
    return typeof role === 'string' && typeof who === 'string' ? [md`${role}: ${who}`] : [];
  });
  return parts.length > 0 ? join(parts, '; ') : undefined;
}

/** The channel's name, linked to it in Slack when the team and channel IDs are known. */
function slackChannel(incident: Incident): Markdown | undefined {
  const raw = incident as unknown as Record<string, unknown>;
  const name =
    typeof raw['slack_channel_name'] === 'string' && raw['slack_channel_name'] !== '' ? `#${raw['slack_channel_name']}` : undefined;
  const team = typeof raw['slack_team_id'] === 'string' ? raw['slack_team_id'] : '';
  const channel = typeof raw['slack_channel_id'] === 'string' ? raw['slack_channel_id'] : '';
  const ids = /^[A-Z0-9]+$/.test(team) && /^[A-Z0-9]+$/.test(channel);
  if (!name) return ids ? link(channel, `https://app.slack.com/client/${team}/${channel}`) : undefined;
  return ids ? link(name, `https://app.slack.com/client/${team}/${channel}`) : text(name);
}

/** The card for an update or a resolve: the incident as it is now, and what changed. */
export function changeCard(title: string, incident: Incident, changed: readonly string[], extras: CardExtras = {}): Markdown {
  return incidentCard(md`${title} ${incident.reference}`, incident, {
    ...extras,
    more: [['Changed', changed.length > 0 ? changed.map((change) => text(change)) : text('nothing')], ...(extras.more ?? [])],
  });
}
