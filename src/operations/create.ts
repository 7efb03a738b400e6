/**
 * `operation: create`: one round of lookups, with the GitHub calls (failed jobs and their
 * messages; the pull request) and the search for an open incident of the `incident-key`
 * alongside, then the create, or, when an incident of the key is already open, an incident
 * update to it instead. Outputs come first once the incident exists; attachments after.
 */
import { settleAll } from '../errors.js';
import {
  defaultIdempotencyKey,
  defaultIncidentName,
  incidentSummary,
  runUrl,
  type PullRequest,
  type RunContext,
} from '../github/context.js';
import { failedJobs, type FailedJobs } from '../github/jobs.js';
import { pullRequestOf } from '../github/pulls.js';
import type { AttachmentPlan } from '../incident-io/attachments.js';
import type { IncidentIoClient } from '../incident-io/client.js';
import { createIncident, type CreatePayload, type Incident } from '../incident-io/incidents.js';
import { lookUpForCreate } from '../incident-io/lookups.js';
import {
  chooseTimestamps,
  givesImpactStarted,
  listTimestamps,
  type ChosenTimestamps,
  type IncidentTimestamp,
} from '../incident-io/timestamps.js';
import { findOpenByKey, keyMarker, LIST_PAGE_SIZE, type KeySearch } from '../incident-io/tracking.js';
import { postIncidentUpdate, updateIdempotencyKey, UPDATES_PATH } from '../incident-io/updates.js';
import { incidentCard } from '../output/incident-card.js';
import { blocks, code, link, md, text } from '../output/markdown.js';
import { card, describe, headline, setIncidentOutputs } from '../output/report.js';
import type { CreateSettings } from '../settings/settings.js';
import { attachToIncident, linkAttachments, pullAttachment, runAttachments } from './attach.js';
import { afterWriteDeadline, clientFor, printDryRun, type OperationContext } from './operation.js';

type Ctx = OperationContext<CreateSettings>;

export async function create(ctx: Ctx): Promise<void> {
  const { out, settings, run, redactor } = ctx;
  const idempotencyKey = settings.idempotencyKey || defaultIdempotencyKey(run);
  const client = clientFor(ctx, settings.apiKey);
  const key = settings.incidentKey;

  // The pull request is needed only for the attachments after the create: it is looked up
  // alongside, and waited for only then.
  const pull: PullLookup =
    settings.githubToken || run.pullRequest ? pullRequestOf(settings.githubToken, run, ctx.fetch, redactor) : Promise.resolve({});
  const [fields, jobs, search, timestampList] = await settleAll([
    lookUpForCreate(client, settings),
    failedJobs(settings.githubToken, run, ctx.fetch, redactor),
    key ? findOpenByKey(client, { repository: run.repository, key, mode: settings.mode }) : undefined,
    timestampsNeeded(settings)
      ? listTimestamps(client).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
      : undefined,
  ] as const);
  for (const notice of [...jobs.notices, ...fields.notices]) out.notice(notice, 'incident.io: not everything could be read');
  if (search && !search.complete) {
    out.warning(
      `Searched the newest ${search.read.toLocaleString('en-US')} open incidents for incident-key "${key}" and stopped there: ` +
        'an older open incident of this key would not be found.',
      'incident.io incident-key search cut short',
    );
  }
  const open = search?.incidents[0];
  if (open && search) return followUp(ctx, client, open, jobs, search, pull);

  const timestamps = timestampsFor(ctx, timestampList, jobs);
  const { severity } = fields;
  if (fields.severityDefaulted) out.info(`Input "severity" is empty, so the lowest-ranked severity "${severity.name}" is used.`);
  // The incident text never carries a secret, even one a workflow interpolated into the summary.
  const summary = incidentSummary(settings.summary, run, jobs.markdown ? [jobs.markdown] : []);
  const retrospective = settings.mode === 'retrospective' && (settings.postmortemUrl || settings.slackChannelId);
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
    ...(timestamps.values.length > 0 && { incident_timestamp_values: timestamps.values }),
    ...(settings.slackChannelName && { slack_channel_name_override: settings.slackChannelName }),
    ...(settings.slackTeamId && { slack_team_id: settings.slackTeamId }),
    ...(retrospective && {
      retrospective_incident_options: {
        ...(settings.slackChannelId && { slack_channel_id: settings.slackChannelId }),
        ...(settings.postmortemUrl && { postmortem_document_url: settings.postmortemUrl }),
      },
    }),
  };

  if (settings.dryRun) {
    printDryRun(ctx, 'POST', '/v2/incidents', payload);
    out.setOutput('created', 'false');
    const plans = [...runAttachments(run), ...pullAttachment((await pull).pull), ...linkAttachments(settings.links)];
    await attachToIncident(ctx, client, { id: '<new incident>', reference: 'the new incident', name: payload.name }, plans, {
      listFirst: false,
    });
    await out.summary(
      card(md`dry run (would declare)`, [
        ['Name', text(payload.name)],
        ['Severity', text(severity.name)],
        ['Visibility', text(settings.visibility)],
        ['Mode', text(settings.mode)],
        ['Idempotency key', code(idempotencyKey)],
        ['Incident key', key ? code(key) : undefined],
        ['Would attach', plans.length > 0 ? blocks(plans.map((p) => link(p.title, p.url))) : undefined],
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
  const { incident } = outcome;
  if (!incident) {
    await out.summary(card(md`Already declared`, [['Idempotency key', code(idempotencyKey)]]));
    return;
  }
  if (key) await warnAboutTwins(ctx, client, incident);
  const plans: AttachmentPlan[] = [...runAttachments(run), ...pullAttachment(await pullFor(ctx, pull)), ...linkAttachments(settings.links)];
  // A new incident has no attachments to compare with; one declared earlier may.
  const attached = await attachToIncident(ctx, client, incident, plans, { listFirst: !outcome.created });
  await out.summary(
    incidentCard(md`${outcome.created ? 'Declared' : 'Already declared'} ${incident.reference}`, incident, {
      attachments: attached,
      timestamps: timestamps.set,
      failed: jobs.failed,
      more: [['Incident key', key ? code(key) : undefined]],
      created: outcome.created ? md`yes` : md`no: the idempotency key ${code(idempotencyKey)} had already opened it`,
    }),
  );
}

/**
 * The timestamps list is read alongside the other lookups when the input names a timestamp, or
 * when failed jobs may give "Impact started" (a GitHub token is set and the input does not
 * name it): reading it later would add a round trip before the create.
 */
function timestampsNeeded(settings: CreateSettings): boolean {
  return settings.timestamps.size > 0 || (settings.githubToken !== '' && !givesImpactStarted(settings.timestamps));
}

/**
 * The timestamp values to send. A list that could not be read is an error when the input names
 * timestamps, and otherwise only means no automatic "Impact started" (a notice says why).
 */
function timestampsFor(ctx: Ctx, list: IncidentTimestamp[] | Error | undefined, jobs: FailedJobs): ChosenTimestamps {
  const { settings } = ctx;
  if (list === undefined) return { values: [], set: [] };
  if (list instanceof Error) {
    if (settings.timestamps.size > 0) throw list;
    if (jobs.firstFailureAt) {
      ctx.out.notice(
        `"Impact started" was not set from the failed jobs: the incident timestamps could not be read (${list.message}).`,
        'incident.io: not everything could be read',
      );
    }
    return { values: [], set: [] };
  }
  return chooseTimestamps(list, {
    given: settings.timestamps,
    purpose: 'create',
    impactStarted: jobs.firstFailureAt,
    now: ctx.clock.now,
  });
}

type PullLookup = Promise<{ pull?: PullRequest; notice?: string }>;

async function pullFor(ctx: Ctx, pull: PullLookup): Promise<PullRequest | undefined> {
  const found = await pull;
  if (found.notice) ctx.out.notice(found.notice, 'incident.io: not everything could be read');
  return found.pull;
}

/**
 * An incident of this key is open: post an update to it that names this run, instead of
 * declaring another. The inputs that describe a new incident are not applied to it.
 */
async function followUp(
  ctx: Ctx,
  client: IncidentIoClient,
  incident: Incident,
  jobs: FailedJobs,
  search: KeySearch,
  pull: PullLookup,
): Promise<void> {
  const { out, settings, run, redactor } = ctx;
  const key = settings.incidentKey;
  out.info(
    `Incident ${describe(incident)} is already open for incident-key "${key}", so this run posts an update to it instead of declaring another; ` +
      'the inputs that describe a new incident (severity, incident-type, name, summary, status, custom-fields, roles, timestamps) are not applied to it.' +
      (search.incidents.length > 1 ? ` (${search.incidents.length} incidents are open for this key; the newest is used.)` : ''),
  );
  const request = {
    idempotency_key: updateIdempotencyKey(run, incident.id, `incident-key\n${key}`),
    incident_id: incident.id,
    message: redactor.redact(followUpMessage(run, jobs)),
  };
  const plans = [...runAttachments(run), ...pullAttachment(await pullFor(ctx, pull)), ...linkAttachments(settings.links)];
  if (settings.dryRun) {
    printDryRun(ctx, 'POST', UPDATES_PATH, request);
    setIncidentOutputs(out, incident, false);
    await attachToIncident(ctx, client, incident, plans, { listFirst: true });
    await out.summary(
      card(md`dry run (would post an update to) ${incident.reference}`, [['Incident', link(incident.reference, incident.permalink)]]),
    );
    return;
  }
  await postIncidentUpdate(client, request);
  setIncidentOutputs(out, incident, false);
  out.announce(
    `Posted an update to incident ${describe(incident)}, already open for incident-key "${key}".`,
    'incident.io incident updated',
  );
  const attached = await attachToIncident(ctx, client, incident, plans, { listFirst: true });
  await out.summary(
    incidentCard(md`Updated ${incident.reference} (already open)`, incident, {
      attachments: attached,
      failed: jobs.failed,
      more: [['Incident key', code(key)]],
      created: md`no: an incident of this key was already open, so this run posted an update to it`,
    }),
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
async function warnAboutTwins(ctx: Ctx, client: IncidentIoClient, incident: Incident): Promise<void> {
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
