/** `operation: create`: one round of lookups (with the GitHub jobs call alongside), then the create. */
import { defaultIdempotencyKey, defaultIncidentName, incidentSummary } from '../github/context.js';
import { createIncident, type CreatePayload } from '../incident-io/incidents.js';
import { failedJobs } from '../github/jobs.js';
import { lookUpFields } from '../incident-io/lookups.js';
import { clientFor, printDryRun, type OperationContext } from './operation.js';
import { announce, card, cell, setIncidentOutputs, summaryMarkdown, writeSummary } from '../output/report.js';
import type { Severity } from '../incident-io/resolvers.js';

export async function create(ctx: OperationContext): Promise<void> {
  const { core, settings, run } = ctx;
  const idempotencyKey = settings.idempotencyKey || defaultIdempotencyKey(run);
  const client = clientFor(ctx, settings.apiKey);

  const [fields, jobs] = await Promise.all([lookUpFields(client, settings, 'create'), failedJobs(settings.githubToken, run, ctx.fetch)]);
  if (jobs.notice) core.notice(jobs.notice, { title: 'Failed jobs not listed in the incident' });
  const severity = fields.severity as Severity;
  if (fields.severityDefaulted) core.info(`Input "severity" is empty, so the lowest-ranked severity "${severity.name}" is used.`);

  const payload: CreatePayload = {
    idempotency_key: idempotencyKey,
    severity_id: severity.id,
    visibility: settings.visibility,
    name: settings.name || defaultIncidentName(run),
    summary: incidentSummary(settings.summary, run, [jobs.markdown]),
    mode: settings.mode,
    ...(fields.incidentType && { incident_type_id: fields.incidentType.id }),
    ...(fields.status && { incident_status_id: fields.status.id }),
    ...(fields.customFieldEntries.length > 0 && { custom_field_entries: fields.customFieldEntries }),
    ...(fields.roleAssignments.length > 0 && { incident_role_assignments: fields.roleAssignments }),
    ...(settings.slackChannelName && { slack_channel_name_override: settings.slackChannelName }),
  };

  if (settings.dryRun) {
    printDryRun(ctx, 'POST', '/v2/incidents', payload);
    core.setOutput('created', 'false');
    const rows: [string, string][] = [
      ['Name', cell(payload.name)],
      ['Severity', cell(severity.name)],
      ['Visibility', settings.visibility],
      ['Mode', settings.mode],
      ['Created', 'nothing: this was a dry run'],
    ];
    await writeSummary(core, ctx.env, card('dry run (would declare)', rows));
    return;
  }

  const result = await createIncident(client, payload, ctx.clock.now);
  const outcome = { severity: severity.name, visibility: settings.visibility, mode: settings.mode, idempotencyKey, ...result };
  setIncidentOutputs(core, outcome.incident, outcome.created);
  announce(core, outcome);
  await writeSummary(core, ctx.env, summaryMarkdown(outcome));
}
