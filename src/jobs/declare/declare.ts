/**
 * The declare job: one round of lookups, with the GitHub calls (failed jobs and their
 * messages; the pull request) and the search for an open incident of the `incident-key`
 * alongside, then the create, or, when an incident of the key is already open, an incident
 * update to it instead. The lookups that only enrich the incident share a short budget of their
 * own (ENRICHMENT_BUDGET_MS) and never hold the create past it. Outputs come first once the
 * incident exists; attachments after, and `created` once they show that no other job of the run
 * declared the same incident at the same moment.
 */
import { settleAll } from '../../core/errors.js';
import { defaultIncidentName, incidentSummary } from '../../github/context.js';
import type { FailedJobs } from '../../github/jobs.js';
import type { AttachmentPlan } from '../../incident-io/attachments.js';
import type { IncidentIoClient } from '../../incident-io/client.js';
import { createIncident, type CreatePayload, type Incident } from '../../incident-io/incidents.js';
import { ENDED_CATEGORIES } from '../../incident-io/statuses.js';
import { lookUpForDeclare, type CreateFields } from '../../incident-io/lookups.js';
import type { IdName } from '../../incident-io/names.js';
import type { ChosenTimestamps, IncidentTimestamp } from '../../incident-io/timestamps.js';
import { incidentCard } from '../../output/incident-card.js';
import { fieldEntriesShown } from '../../output/dry-run.js';
import { code, link, md, text } from '../../core/markdown.js';
import { card, describe, headline, setIncidentOutputs, type CardItem } from '../../output/report.js';
import type { DeclareSettings } from './settings.js';
import { attachAndClaim, attachToIncident, linkAttachments, pullAttachment, pullFor, runAttachments, type PullLookup } from '../attach.js';
import { apiKeyClient, dryRunChecks, enrichmentBudget, printDryRun, type JobContext } from '../job.js';
import { nothingFailed, skipStep } from '../skip.js';
import { waitForSlackChannel } from '../slack-channel.js';
import { defaultIdempotencyKey, keyScope } from '../../github/keys.js';

type Ctx = JobContext<DeclareSettings>;

export async function declare(ctx: Ctx): Promise<void> {
  // The pull request lookup runs beside everything else; a step that fails first (an unknown
  // severity, a refused create) must not wait for a slow GitHub to finish it.
  const done = new AbortController();
  try {
    await declareIncident(ctx, done.signal);
  } finally {
    done.abort();
  }
}

async function declareIncident(ctx: Ctx, done: AbortSignal): Promise<void> {
  const { out, settings, run, redactor } = ctx;
  const green = nothingFailed(run, 'incident to declare');
  if (green) return skipStep(ctx, green, 'incident.io step skipped');
  const idempotencyKey = settings.idempotencyKey || defaultIdempotencyKey(run);
  const client = apiKeyClient(ctx);
  const key = settings.incidentKey;

  // Lookups that only enrich the incident (the failed jobs and their messages, the pull request,
  // the timestamps list for "Impact started") share one short budget: none holds the create past
  // it, and none waits as long as a server asks (a Retry-After of 100 s) within it.
  const budget = enrichmentBudget(ctx, done);
  // Each lookup's code is loaded only when an input (or a GitHub token) asks for it. The pull
  // request is needed only for the attachments after the create: looked up alongside, waited for then.
  const pull: PullLookup =
    settings.githubToken || run.pullRequest
      ? import('../../github/pulls.js').then(({ pullRequestOf }) =>
          pullRequestOf(settings.githubToken, run, ctx.fetch, redactor, { timeoutMs: budget.ms, signal: budget.signal }),
        )
      : Promise.resolve({});
  const keyed = key ? import('./follow-up.js') : undefined;
  // With escalation-path: the path is resolved with the other lookups, before any write (./page.ts).
  const paging = settings.escalationPath ? import('./page.js') : undefined;
  // The timestamps list. Names the input gives are the user's: read at once, under the create's
  // own deadline, and a name that is wrong is an error. Otherwise it only serves "Impact started",
  // so it is read only once the jobs show when the first failed job started, alongside their
  // annotations (no round trip more), under the budget; and not at all when no job failed.
  let timestampList: Promise<IncidentTimestamp[] | Error> | undefined =
    settings.timestamps.size > 0 ? readTimestamps(client.sentFor('timestamps')) : undefined;
  const onListed = (firstFailureAt: string | undefined) => {
    if (firstFailureAt && !timestampList) timestampList = readTimestamps(client.sentFor('github-token').withDeadline(budget.deadline));
  };
  const [fields, jobs, search, , plan] = await settleAll([
    lookUpForDeclare(client, settings),
    settings.githubToken
      ? import('../../github/jobs.js').then(({ failedJobs }) =>
          failedJobs(settings.githubToken, run, ctx.fetch, redactor, { timeoutMs: budget.ms, signal: budget.signal, onListed }),
        )
      : NO_JOBS,
    keyed?.then(({ findOpenByKey }) => findOpenByKey(client.sentFor('incident-key'), { scope: keyScope(run), key, mode: settings.mode })),
    // The names the input gives are checked beside the other lookups, so an unknown timestamp is reported with an unknown severity.
    timestampList && checkNamedTimestamps(timestampList, settings, ctx.clock),
    paging?.then(({ planPage }) => planPage(ctx, client.sentFor('escalation-path'))),
  ] as const);
  const pager = paging && plan ? new (await paging).Pager(ctx, client, plan) : undefined;
  const timestampAnswer = await timestampList;
  for (const notice of [...jobs.notices, ...fields.notices]) out.notice(notice, 'incident.io: not everything could be read');
  if (search && !search.complete) {
    out.warning(
      `Searched the newest ${search.read.toLocaleString('en-US')} open incidents for incident-key "${key}" and stopped there: ` +
        'an older open incident of this key would not be found.',
      'incident.io incident-key search cut short',
    );
  }
  if (search && keyed) (await keyed).reportRejected(out, key, search);
  const open = search?.incidents[0];
  if (open && search && keyed) {
    // Not applied to the open incident, but checked like the other names: a typo fails here too.
    if (settings.timestamps.size > 0) await timestampsFor(ctx, timestampAnswer, NO_JOBS);
    // An incident closed between the search and the update is not this outage's any more: declare one.
    if ((await (await keyed).followUp(ctx, client, open, { jobs, search, pull, idempotencyKey, pager })) !== 'closed') {
      return pager?.throwIfFailed();
    }
  }

  // A role whose `on-call:` schedule had nobody on call, or could not be read: declared without it.
  for (const warning of fields.warnings) out.warning(warning, 'incident.io: role left unassigned');
  const timestamps = await timestampsFor(ctx, timestampAnswer, jobs);
  const { severity } = fields;
  if (fields.severityDefaulted) out.info(`Input "severity" is empty, so the lowest-ranked severity "${severity.name}" is used.`);
  // The incident text never carries a secret, even one a workflow interpolated into the summary.
  const summary = incidentSummary(settings.summary, run, jobs.markdown ? [jobs.markdown] : []);
  const retrospective = settings.mode === 'retrospective' && (settings.postmortemUrl || settings.slackChannelId);
  const payload: CreatePayload = {
    idempotency_key: idempotencyKey,
    severity_id: severity.id,
    visibility: settings.visibility,
    name: settings.name || defaultIncidentName(run),
    summary: keyed ? `${summary}\n\n${(await keyed).markerFor(run, key, idempotencyKey).source}` : summary,
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
    const names = new Map(fields.names);
    for (const t of timestamps.set) names.set(t.id, { kind: 'timestamp', name: t.name, ...(t.automatic && { note: IMPACT_NOTE }) });
    printDryRun(ctx, 'POST', '/v2/incidents', payload, names);
    out.setOutput('created', 'false');
    const plans = [...runAttachments(run), ...pullAttachment((await pull).pull), ...linkAttachments(settings.links)];
    await attachToIncident(ctx, client, { id: '<new incident>', reference: 'the new incident', name: payload.name }, plans, {
      listFirst: false,
    });
    const paged = pager ? await pager.own({ id: '<new incident>', reference: 'the new incident', name: payload.name }) : [];
    await out.summary(
      card(md`dry run (would declare)`, [
        ...wouldDeclare(ctx, payload, fields, timestamps, names),
        ['Idempotency key', code(idempotencyKey)],
        ['Incident key', key ? code(key) : undefined],
        ['Would attach', plans.map((p) => link(p.title, p.url))],
        ...paged,
        ['Created', md`nothing: this was a dry run`],
        dryRunChecks(ctx, 'whether the API key may create incidents and attachments: it sends no write'),
      ]),
    );
    return;
  }

  const result = await createIncident(client, payload, ctx.clock.now);
  const { incident } = result;
  // The incident exists: its outputs come first, so nothing after this can lose them; `created`
  // follows once the attachments have shown whether another job of the run raced this one.
  setIncidentOutputs(out, incident, incident ? undefined : false);
  if (!incident) {
    out.announce(headline({ ...result, idempotencyKey }), 'incident.io incident already declared');
    await out.summary(card(md`Already declared`, [['Idempotency key', code(idempotencyKey)], ...(pager?.unknown() ?? [])]));
    return;
  }
  // The incident's outputs are set: page for it now, before the attachments (a page that fails is thrown after the summary).
  const paged = pager ? await pager.own(incident) : [];
  if (keyed) await (await keyed).warnAboutTwins(ctx, client, incident);
  const plans: AttachmentPlan[] = [...runAttachments(run), ...pullAttachment(await pullFor(ctx, pull)), ...linkAttachments(settings.links)];
  let created = result.created;
  let attached: AttachmentPlan[];
  let raced = false;
  try {
    if (created) {
      // A new incident has no attachments to compare with, unless another job of this run (a
      // matrix leg) declared it in the same moment: the claim tells which of them created it.
      const claimed = await attachAndClaim(ctx, client, incident, plans);
      attached = claimed.attached;
      raced = claimed.claim === 'lost';
      created = !raced;
    } else {
      warnIfOver(ctx, incident, idempotencyKey);
      attached = await attachToIncident(ctx, client, incident, plans, { listFirst: true });
    }
  } finally {
    // Written whatever happens above (an output that cannot be written, say): as the create
    // answered, unless the claim showed another job's create came first.
    out.setOutput('created', String(created));
  }
  if (raced) {
    out.announce(
      `Incident ${describe(incident)} was declared at the same moment by another job of this run, under the same idempotency key ` +
        `"${idempotencyKey}"; this job reuses it (created=false).`,
      'incident.io incident already declared',
    );
  } else {
    out.announce(
      headline({ incident, created, idempotencyKey }),
      created ? 'incident.io incident declared' : 'incident.io incident already declared',
    );
  }
  // Every output is set: the wait for a channel created after the answer has its own time now.
  const shown = await waitForSlackChannel(ctx, incident);
  await out.summary(
    incidentCard(md`${created ? 'Declared' : 'Already declared'} ${incident.reference}`, shown, {
      attachments: attached,
      // A replayed create applied nothing of this step's: its timestamps are the first run's.
      timestamps: created ? timestamps.set : [],
      failed: jobs.failed,
      more: [['Incident key', key ? code(key) : undefined], ...paged],
      created: created
        ? md`yes`
        : raced
          ? md`no: another job of this run declared it at the same moment (its link to the run was attached first)`
          : md`no: the idempotency key ${code(idempotencyKey)} had already opened it`,
    }),
  );
  pager?.throwIfFailed();
}

const IMPACT_NOTE = 'when the first failed job started';

/** The card items of everything a dry run's incident would be given, by name. */
function wouldDeclare(
  { settings }: Ctx,
  payload: CreatePayload,
  fields: CreateFields,
  timestamps: ChosenTimestamps,
  names: ReadonlyMap<string, IdName>,
): CardItem[] {
  const severity = md`${fields.severity.name}${fields.severityDefaulted ? ' (the lowest-ranked, as "severity" is empty)' : ''}`;
  return [
    ['Name', text(payload.name)],
    ['Severity', severity],
    ['Type', fields.incidentType ? text(fields.incidentType.name) : undefined],
    ['Status', fields.status ? text(fields.status.name) : undefined],
    ['Visibility', text(settings.visibility)],
    ['Mode', text(settings.mode)],
    ['Custom fields', fieldEntriesShown(fields.customFieldEntries, names).map(({ field, values }) => md`${field}: ${values.join(', ')}`)],
    [
      'Roles',
      fields.roles.map(
        ({ role, user, onCall }) => md`${role.name}: ${user.name || user.email || user.id}${onCall ? ` (on call on ${onCall.name})` : ''}`,
      ),
    ],
    ['Timestamps', timestamps.set.map((t) => md`${t.name}: ${t.value ?? 'unset'}${t.automatic ? ` (${IMPACT_NOTE})` : ''}`)],
    ['Slack channel name', settings.slackChannelName ? text(settings.slackChannelName) : undefined],
    ['Slack team', settings.slackTeamId ? code(settings.slackTeamId) : undefined],
    ['Postmortem document', settings.postmortemUrl ? link(settings.postmortemUrl, settings.postmortemUrl) : undefined],
    ['Slack channel', settings.slackChannelId ? code(settings.slackChannelId) : undefined],
  ];
}

/**
 * A re-run after the incident was resolved gets the same incident back (the idempotency key is
 * the run's): still the step's incident, so green, but it is not reopened, and a user expecting
 * a live incident is told so, with the way to declare a new one.
 */
function warnIfOver(ctx: Ctx, incident: Incident, idempotencyKey: string): void {
  const status = incident.incident_status;
  if (!status?.category || !ENDED_CATEGORIES.includes(status.category)) return;
  ctx.out.warning(
    `${incident.reference} is already over (status "${status.name ?? status.category}"), and this step does not reopen it. ` +
      `To declare a new incident for this run, give "idempotency-key" a value other than "${idempotencyKey}".`,
    'incident.io incident already over',
  );
}

const NO_JOBS: FailedJobs = { notices: [], failed: [] };

/** The timestamps list, or the error that kept it from being read (which only matters when the input names one). */
function readTimestamps(client: IncidentIoClient): Promise<IncidentTimestamp[] | Error> {
  return import('../../incident-io/timestamps.js')
    .then(({ listTimestamps }) => listTimestamps(client))
    .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
}

/** The timestamps the input names, resolved against the list: an unknown name is an input error, reported with the others. */
async function checkNamedTimestamps(
  list: Promise<IncidentTimestamp[] | Error>,
  settings: DeclareSettings,
  clock: Ctx['clock'],
): Promise<void> {
  const answer = await list;
  if (answer instanceof Error) throw answer;
  const { chooseTimestamps } = await import('../../incident-io/timestamps.js');
  chooseTimestamps(answer, { given: settings.timestamps, purpose: 'declare', now: clock.now });
}

/**
 * The timestamp values to send. A list that could not be read is an error when the input names
 * timestamps, and otherwise only means no automatic "Impact started" (a notice says why).
 */
async function timestampsFor(ctx: Ctx, list: IncidentTimestamp[] | Error | undefined, jobs: FailedJobs): Promise<ChosenTimestamps> {
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
  const { chooseTimestamps } = await import('../../incident-io/timestamps.js');
  return chooseTimestamps(list, {
    given: settings.timestamps,
    purpose: 'declare',
    impactStarted: jobs.firstFailureAt,
    now: ctx.clock.now,
  });
}
