/** The one edit that update and resolve send: `POST /v2/incidents/{id}/actions/edit`, or its dry run. */
import type { IncidentIoClient } from '../incident-io/client.js';
import type { Incident } from '../incident-io/incidents.js';
import { announceLine, changeMarkdown, describe, setIncidentOutputs, writeSummary } from '../output/report.js';
import { printDryRun, type OperationContext } from './operation.js';

export async function editIncident(
  ctx: OperationContext,
  client: IncidentIoClient,
  incident: Incident,
  changes: Record<string, unknown>,
  changed: string[],
  verb: 'Updated' | 'Resolved',
): Promise<void> {
  const { core, settings } = ctx;
  const path = `/v2/incidents/${encodeURIComponent(incident.id)}/actions/edit`;
  const body = { incident: changes, notify_incident_channel: settings.notifyIncidentChannel };
  if (settings.dryRun) {
    printDryRun(ctx, 'POST', path, body);
    setIncidentOutputs(core, incident, false, true);
    await writeSummary(core, ctx.env, changeMarkdown(`Dry run (would be ${verb.toLowerCase()})`, incident, changed));
    return;
  }
  const response = await client.post<{ incident?: Incident }>(path, body);
  const after = response.body?.incident?.id ? response.body.incident : incident;
  announceLine(core, `${verb} incident ${describe(after)} (${changed.join(', ')}).`, `incident.io incident ${verb.toLowerCase()}`);
  setIncidentOutputs(core, after, false, true);
  await writeSummary(core, ctx.env, changeMarkdown(verb, after, changed));
}
