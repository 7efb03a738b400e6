/**
 * `operation: create`: one round of lookups (with the GitHub jobs call, and the search for an
 * open incident of the `incident-key`, alongside), then the create, or, when an incident of
 * the key is already open, an incident update to it instead.
 */
import { settleAll } from '../errors.js';
import { defaultIdempotencyKey, defaultIncidentName, incidentSummary, runUrl, type RunContext } from '../github/context.js';
import { failedJobs, type FailedJobs } from '../github/jobs.js';
import type { IncidentIoClient } from '../incident-io/client.js';
import { createIncident, type CreatePayload, type Incident } from '../incident-io/incidents.js';
import { lookUpForCreate } from '../incident-io/lookups.js';
import { findOpenByKey, keyMarker, LIST_PAGE_SIZE, type KeySearch } from '../incident-io/tracking.js';
import { postIncidentUpdate, updateIdempotencyKey, UPDATES_PATH } from '../incident-io/updates.js';
import { blocks, code, link, md, text } from '../output/markdown.js';
import { card, createCard, describe, headline, incidentLink, setIncidentOutputs } from '../output/report.js';
import type { CreateSettings } from '../settings/settings.js';
import { afterWriteDeadline, clientFor, printDryRun, type OperationContext } from './operation.js';

export async function create(ctx: OperationContext<CreateSettings>): Promise<void> {
  const { out, settings, run, redactor } = ctx;
  const idempotencyKey = settings.idempotencyKey || defaultIdempotencyKey(run);
  const client = clientFor(ctx, settings.apiKey);
  const key = settings.incidentKey;

  const [fields, jobs, search] = await settleAll([
    lookUpForCreate(client, settings),
    failedJobs(settings.githubToken, run, ctx.fetch, redactor),
    key ? findOpenByKey(client, { repository: run.repository, key, mode: settings.mode }) : undefined,
  ] as const);
  if (jobs.notice) out.notice(jobs.notice, 'Failed jobs not listed in the incident');
  if (search && !search.complete) {
    out.warning(
      `Searched the newest ${search.read.toLocaleString('en-US')} open incidents for incident-key "${key}" and stopped there: ` +
        'an older open incident of this key would not be found.',
      'incident.io incident-key search cut short',
    );
  }
  const open = search?.incidents[0];
  if (open && search) return followUp(ctx, client, open, jobs, search);

  const { severity } = fields;
  if (fields.severityDefaulted) out.info(`Input "severity" is empty, so the lowest-ranked severity "${severity.name}" is used.`);
  // The incident text never carries a secret, even one a workflow interpolated into the summary.
  const summary = incidentSummary(settings.summary, run, jobs.markdown ? [jobs.markdown] : []);
  const payload: CreatePayload = {
    idempotency_key: idempotencyKey,
    severity_id: severity.id,
    visibility: settings.visibility,
    name: redactor.redact(settings.name || defaultIncidentName(run)),
    summary: redactor.redact(key ? `${summary}\n\n${keyMarker(run.repository, key).source}` : summary),
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
        ['Incident key', key ? code(key) : undefined],
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
  if (key && outcome.incident) await warnAboutTwins(ctx, client, outcome.incident);
  await out.summary(createCard(outcome));
}

/**
 * An incident of this key is open: post an update to it that names this run, instead of
 * declaring another. The inputs that describe a new incident are not applied to it.
 */
async function followUp(
  ctx: OperationContext<CreateSettings>,
  client: IncidentIoClient,
  incident: Incident,
  jobs: FailedJobs,
  search: KeySearch,
): Promise<void> {
  const { out, settings, run, redactor } = ctx;
  const key = settings.incidentKey;
  out.info(
    `Incident ${describe(incident)} is already open for incident-key "${key}", so this run posts an update to it instead of declaring another; ` +
      'the inputs that describe a new incident (severity, incident-type, name, summary, status, custom-fields, roles) are not applied to it.' +
      (search.incidents.length > 1 ? ` (${search.incidents.length} incidents are open for this key; the newest is used.)` : ''),
  );
  const request = {
    idempotency_key: updateIdempotencyKey(run, incident.id, `incident-key\n${key}`),
    incident_id: incident.id,
    message: redactor.redact(followUpMessage(run, jobs)),
  };
  if (settings.dryRun) {
    printDryRun(ctx, 'POST', UPDATES_PATH, request);
    setIncidentOutputs(out, incident, false);
    await out.summary(card(md`dry run (would post an update to) ${incident.reference}`, [['Incident', incidentLink(incident)]]));
    return;
  }
  await postIncidentUpdate(client, request);
  setIncidentOutputs(out, incident, false);
  out.announce(
    `Posted an update to incident ${describe(incident)}, already open for incident-key "${key}".`,
    'incident.io incident updated',
  );
  await out.summary(
    card(md`Updated ${incident.reference} (already open)`, [
      ['Incident', incidentLink(incident)],
      ['Incident key', code(key)],
      ['Created by this step', md`no: an incident of this key was already open, so this run posted an update to it`],
    ]),
  );
}

/** "Workflow "Deploy" failed again in acme/shop@main: run #43 (attempt 1).", then what failed. */
function followUpMessage(run: RunContext, jobs: FailedJobs): string {
  const where = [run.repository, run.refName].filter(Boolean).join('@');
  const label = run.runNumber !== undefined ? md`run #${run.runNumber}` : md`a run`;
  const attempt = run.runAttempt !== undefined && run.runAttempt > 1 ? md` (attempt ${run.runAttempt})` : md``;
  const line = md`Workflow ${run.workflow ? `"${run.workflow}"` : 'GitHub Actions'} failed again in ${where}: ${link(label, runUrl(run))}${attempt}.`;
  return blocks([line, jobs.markdown]).source;
}

/**
 * Two runs that fail at the same moment can both find no open incident and both declare one.
 * Right after the create, one page of open incidents shows whether that happened; the step
 * then says so (it cannot undo the other run's incident).
 */
async function warnAboutTwins(ctx: OperationContext<CreateSettings>, client: IncidentIoClient, incident: Incident): Promise<void> {
  const { out, settings, run } = ctx;
  try {
    const search = await findOpenByKey(client.withDeadline(afterWriteDeadline(ctx)), {
      repository: run.repository,
      key: settings.incidentKey,
      mode: settings.mode,
      maxPages: 1,
    });
    const twins = search.incidents.filter((other) => other.id !== incident.id);
    if (twins.length > 0) {
      out.warning(
        `Another run declared ${twins.map((t) => t.reference).join(', ')} under incident-key "${settings.incidentKey}" at the same time as ` +
          `this one declared ${incident.reference}; both are open. Merge one into the other in incident.io. Later runs update the newest.`,
        'incident.io incident-key race',
      );
    }
  } catch (error) {
    out.warning(
      `Declared ${incident.reference}, but could not check whether another run declared one for incident-key "${settings.incidentKey}" at the same time ` +
        `(searching the newest ${LIST_PAGE_SIZE}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
