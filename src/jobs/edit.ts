/** The one edit that update and resolve send: `POST /v2/incidents/{id}/actions/edit`, or its dry run. */
import type { IncidentIoClient } from '../incident-io/client.js';
import type { IdName } from '../incident-io/names.js';
import { readIncident, type Incident } from '../incident-io/incidents.js';
import { changeCard, type CardExtras } from '../output/incident-card.js';
import { describe, setIncidentOutputs } from '../output/report.js';
import type { ResolveSettings } from './resolve/settings.js';
import type { UpdateSettings } from './update/settings.js';
import { printDryRun, type JobContext } from './job.js';

export interface Edit {
  /** The fields to change, as incident.io's edit takes them. */
  changes: Record<string, unknown>;
  /** What changes, in words, for the log and the summary: "severity → Major". */
  changed: string[];
  /** On a dry run, what each ID in the changes stands for. */
  names?: ReadonlyMap<string, IdName>;
}

/** The incident as a dry run names its ID. */
export function incidentName(incident: Incident): IdName {
  return { kind: 'incident', name: `${incident.reference}: ${incident.name}` };
}

export function editPath(incident: Incident): string {
  return `/v2/incidents/${encodeURIComponent(incident.id)}/actions/edit`;
}

/** Sends the edit and returns the incident as incident.io answered it (read strictly), or prints it on a dry run. */
export async function sendEdit(
  ctx: JobContext<UpdateSettings | ResolveSettings>,
  client: IncidentIoClient,
  incident: Incident,
  edit: Edit,
): Promise<Incident | undefined> {
  const path = editPath(incident);
  const body = { incident: edit.changes, notify_incident_channel: ctx.settings.notifyIncidentChannel };
  if (ctx.settings.dryRun) {
    printDryRun(ctx, 'POST', path, body, edit.names);
    return undefined;
  }
  const response = await client.post<unknown>(path, body);
  return readIncident(response.body, `POST ${path} answered ${response.status}`);
}

/** Outputs first, then the log line, the notice and the card. */
export async function reportEdit(
  ctx: JobContext,
  incident: Incident,
  changed: readonly string[],
  verb: 'Updated' | 'Resolved' | 'Already resolved',
  extras: CardExtras = {},
): Promise<void> {
  const { out } = ctx;
  setIncidentOutputs(out, incident, undefined, true);
  const what = changed.length > 0 ? ` (${changed.join(', ')})` : '';
  const line =
    verb === 'Already resolved'
      ? `Incident ${describe(incident)} is already resolved (status "${incident.incident_status?.name ?? 'unknown'}"); nothing to change.`
      : `${verb} incident ${describe(incident)}${what}.`;
  out.announce(line, `incident.io incident ${verb.toLowerCase()}`);
  await out.summary(changeCard(verb, incident, changed, extras));
}

/** A dry run reports the incident as it is, and what would change; `extras.more` ends with what was checked. */
export async function reportDryRun(
  ctx: JobContext,
  incident: Incident,
  changed: readonly string[],
  verb: 'updated' | 'resolved',
  extras: CardExtras = {},
): Promise<void> {
  setIncidentOutputs(ctx.out, incident, undefined, true);
  await ctx.out.summary(changeCard(`Dry run (would be ${verb})`, incident, changed, extras));
}
