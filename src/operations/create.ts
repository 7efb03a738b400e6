/** `operation: create`: one round of lookups (with the GitHub jobs call alongside), then the create. */
import { defaultIdempotencyKey, defaultIncidentName, incidentSummary } from '../github/context.js';
import { failedJobs } from '../github/jobs.js';
import { createIncident, type CreatePayload } from '../incident-io/incidents.js';
import { lookUpForCreate } from '../incident-io/lookups.js';
import { code, md, text } from '../output/markdown.js';
import { card, createCard, headline, setIncidentOutputs } from '../output/report.js';
import type { CreateSettings } from '../settings/settings.js';
import { clientFor, printDryRun, type OperationContext } from './operation.js';

export async function create(ctx: OperationContext<CreateSettings>): Promise<void> {
  const { out, settings, run, redactor } = ctx;
  const idempotencyKey = settings.idempotencyKey || defaultIdempotencyKey(run);
  const client = clientFor(ctx, settings.apiKey);

  const [fields, jobs] = await Promise.all([lookUpForCreate(client, settings), failedJobs(settings.githubToken, run, ctx.fetch, redactor)]);
  if (jobs.notice) out.notice(jobs.notice, 'Failed jobs not listed in the incident');
  const { severity } = fields;
  if (fields.severityDefaulted) out.info(`Input "severity" is empty, so the lowest-ranked severity "${severity.name}" is used.`);

  // The incident text never carries a secret, even one a workflow interpolated into the summary.
  const payload: CreatePayload = {
    idempotency_key: idempotencyKey,
    severity_id: severity.id,
    visibility: settings.visibility,
    name: redactor.redact(settings.name || defaultIncidentName(run)),
    summary: redactor.redact(incidentSummary(settings.summary, run, jobs.markdown ? [jobs.markdown] : [])),
    mode: settings.mode,
    ...(fields.incidentType && { incident_type_id: fields.incidentType.id }),
    ...(fields.status && { incident_status_id: fields.status.id }),
    ...(fields.customFieldEntries.length > 0 && { custom_field_entries: fields.customFieldEntries }),
    ...(fields.roles.length > 0 && { incident_role_assignments: fields.roles.map((r) => r.assignment) }),
    ...(settings.slackChannelName && { slack_channel_name_override: settings.slackChannelName }),
  };

  if (settings.dryRun) {
    printDryRun(ctx, 'POST', '/v2/incidents', payload);
    out.setOutput('created', 'false');
    await out.summary(
      card(md`dry run (would declare)`, [
        ['Name', text(payload.name)],
        ['Severity', text(severity.name)],
        ['Visibility', text(settings.visibility)],
        ['Mode', text(settings.mode)],
        ['Idempotency key', code(idempotencyKey)],
        ['Created', md`nothing: this was a dry run`],
      ]),
    );
    return;
  }

  const result = await createIncident(client, payload, ctx.clock.now);
  const outcome = { severity: severity.name, visibility: settings.visibility, mode: settings.mode, idempotencyKey, ...result };
  // The incident exists: its outputs come first, so nothing after this can lose them.
  setIncidentOutputs(out, outcome.incident, outcome.created);
  out.announce(headline(outcome), outcome.created ? 'incident.io incident declared' : 'incident.io incident already declared');
  await out.summary(createCard(outcome));
}
