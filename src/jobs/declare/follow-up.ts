/**
 * `create` with an `incident-key`: the search for the key's open incident, the marker line, the
 * incident update that a later failure posts instead of a new incident, and the check for a run
 * that raced this one. Loaded only when a step sets `incident-key`.
 */
import { runOutcome, runPlace, runUrl, type RunContext } from '../../github/context.js';
import type { FailedJobs } from '../../github/jobs.js';
import type { IncidentIoClient } from '../../incident-io/client.js';
import type { Incident } from '../../incident-io/incidents.js';
import { ENDED_CATEGORIES } from '../../incident-io/statuses.js';
import { declaredBy, describeRejected, findOpenByKey, keyMarker, LIST_PAGE_SIZE, type KeySearch } from '../../incident-io/incident-key.js';
import { afterIncidentUpdate, postIncidentUpdate, INCIDENT_UPDATES_PATH } from '../../incident-io/incident-updates.js';
import { incidentCard } from '../../output/incident-card.js';
import type { Output } from '../../output/output.js';
import { blocks, code, link, md, type Markdown } from '../../core/markdown.js';
import { card, describe, setIncidentOutputs } from '../../output/report.js';
import type { DeclareSettings } from './settings.js';
import { attachToIncident, linkAttachments, pullAttachment, pullFor, runAttachments, type PullLookup } from '../attach.js';
import { afterWriteDeadline, dryRunChecks, printDryRun, type JobContext } from '../job.js';
import { keyScope, incidentUpdateKey } from '../../github/keys.js';
import type { Pager } from './page.js';

export { findOpenByKey } from '../../incident-io/incident-key.js';

/** The marker line a run's create appends to the summary: the key's token is scoped to the run's repository and fork. */
export function markerFor(run: RunContext, key: string, idempotencyKey: string): Markdown {
  return keyMarker(keyScope(run), key, idempotencyKey);
}

/**
 * Names, in the log, the incidents that mention this key's marker but are not provably its open
 * incident (a responder's incident quoting it, one a person created, one already over), so a
 * reader knows why they were left alone.
 */
export function reportRejected(out: Output, key: string, search: KeySearch): void {
  if (search.rejected.length === 0) return;
  out.info(
    `Left alone: ${describeRejected(search.rejected)}. Each mentions the marker of incident-key "${key}", but is not provably its open incident.`,
  );
}

export interface FollowUpContext {
  jobs: FailedJobs;
  search: KeySearch;
  pull: PullLookup;
  /** The create's idempotency key: the incident may be this run's own. */
  idempotencyKey: string;
  /** With `escalation-path`: pages this run's own incident, or says why another run's is not paged (./page.ts). */
  pager?: Pager;
}

type Ctx = JobContext<DeclareSettings>;

/**
 * An incident of this key is open: post an update to it that names this run, instead of
 * declaring another. The inputs that describe a new incident are not applied to it.
 *
 * Returns 'closed' when the update's answer shows the incident over: it was closed between the
 * search and the update (the API has no conditional write), so the caller declares a new one.
 */
export async function followUp(
  ctx: Ctx,
  client: IncidentIoClient,
  incident: Incident,
  { jobs, search, pull, idempotencyKey, pager }: FollowUpContext,
): Promise<'done' | 'closed'> {
  const { out, settings, run } = ctx;
  const key = settings.incidentKey;
  if (declaredBy(incident, idempotencyKey)) {
    await ownIncident(ctx, client, incident, pull, idempotencyKey, pager);
    return 'done';
  }
  out.info(
    `Incident ${describe(incident)} is already open for incident-key "${key}", so this run posts an update to it instead of declaring another; ` +
      'the inputs that describe a new incident (severity, incident-type, name, summary, status, custom-fields, roles, timestamps) are not applied to it.' +
      (search.incidents.length > 1 ? ` (${search.incidents.length} incidents are open for this key; the newest is used.)` : ''),
  );
  const request = {
    idempotency_key: incidentUpdateKey(run, incident.id, `incident-key\n${key}`),
    incident_id: incident.id,
    message: followUpMessage(run, jobs),
  };
  if (settings.dryRun) {
    printDryRun(ctx, 'POST', INCIDENT_UPDATES_PATH, request);
    setIncidentOutputs(out, incident, false);
    const plans = [...runAttachments(run), ...pullAttachment(await pullFor(ctx, pull)), ...linkAttachments(settings.links)];
    await attachToIncident(ctx, client, incident, plans, { listFirst: true });
    await out.summary(
      card(md`dry run (would post an update to) ${incident.reference}`, [
        ['Incident', link(incident.reference, incident.permalink)],
        ['Incident key', code(key)],
        dryRunChecks(ctx, 'whether the API key may post incident updates and attachments: it sends no write'),
      ]),
    );
    return 'done';
  }
  const update = await postIncidentUpdate(client, request);
  const status = afterIncidentUpdate(incident, update).incident_status;
  if (!update.replayed && status?.category && ENDED_CATEGORIES.includes(status.category)) {
    out.notice(
      `Incident ${describe(incident)} was closed (status "${status.name}", ${status.category}) between the search and this run's update: ` +
        'the update landed on the closed incident, which stays as it is, and this run declares a new incident for incident-key ' +
        `"${key}".`,
      'incident.io incident-key: closed meanwhile',
    );
    return 'closed';
  }
  setIncidentOutputs(out, incident, false);
  const paged = pager?.other(incident) ?? [];
  if (update.replayed) {
    out.announce(
      `An earlier attempt of this run already posted its update to incident ${describe(incident)} (open for incident-key "${key}"); nothing new was posted.`,
      'incident.io incident already updated',
    );
  } else {
    out.announce(
      `Posted an update to incident ${describe(incident)}, already open for incident-key "${key}".`,
      'incident.io incident updated',
    );
  }
  const plans = [...runAttachments(run), ...pullAttachment(await pullFor(ctx, pull)), ...linkAttachments(settings.links)];
  const attached = await attachToIncident(ctx, client, incident, plans, { listFirst: true });
  await out.summary(
    incidentCard(md`Updated ${incident.reference} (already open)`, incident, {
      attachments: attached,
      failed: jobs.failed,
      more: [['Incident key', code(key)], ...paged],
      created: md`no: an incident of this key was already open, so this run posted an update to it`,
    }),
  );
  return 'done';
}

/**
 * The open incident is the one this run declared (a re-run of it, or of its watcher): it is
 * already declared, as without a key, and no "failed again" update is posted for the same failure.
 */
async function ownIncident(
  ctx: Ctx,
  client: IncidentIoClient,
  incident: Incident,
  pull: PullLookup,
  idempotencyKey: string,
  pager: Pager | undefined,
): Promise<void> {
  const { out, settings, run } = ctx;
  setIncidentOutputs(out, incident, false);
  // The incident is this run's own: a re-run after a page that failed pages now (the key of the page is the incident's and the path's).
  const paged = (await pager?.own(incident)) ?? [];
  out.announce(
    `Incident ${describe(incident)} was already declared by this run (idempotency key "${idempotencyKey}"); it is still open, so nothing new was posted.`,
    'incident.io incident already declared',
  );
  const plans = [...runAttachments(run), ...pullAttachment(await pullFor(ctx, pull)), ...linkAttachments(settings.links)];
  const attached = await attachToIncident(ctx, client, incident, plans, { listFirst: true });
  await out.summary(
    incidentCard(md`Already declared ${incident.reference}`, incident, {
      attachments: attached,
      more: [['Incident key', code(settings.incidentKey)], ...paged],
      created: md`no: this run had already declared it`,
    }),
  );
}

/**
 * "Workflow "Deploy" failed again in acme/shop@main: run #43 (attempt 1).", then what failed. A
 * watched run that was cancelled or timed out is said to be just that ("was cancelled in …").
 */
export function followUpMessage(run: RunContext, jobs: FailedJobs): string {
  const label = run.runNumber !== undefined ? md`run #${run.runNumber}` : md`a run`;
  const attempt = run.runAttempt !== undefined && run.runAttempt > 1 ? md` (attempt ${run.runAttempt})` : md``;
  // Inside the failing run the step is written for a failure; a watcher knows the watched run's conclusion.
  const outcome = run.watcher ? runOutcome(run) : 'failed';
  const verb = outcome === 'failed' ? 'failed again' : outcome;
  const line = md`Workflow ${run.workflow ? `"${run.workflow}"` : 'GitHub Actions'} ${verb} in ${runPlace(run)}: ${link(label, runUrl(run))}${attempt}.`;
  return blocks([line, jobs.markdown]).source;
}

/**
 * Two runs that fail at the same moment can both find no open incident and both declare one.
 * Right after the create, one page of open incidents shows whether that happened; the step
 * then says so (it cannot undo the other run's incident).
 */
export async function warnAboutTwins(ctx: Ctx, client: IncidentIoClient, incident: Incident): Promise<void> {
  const { out, settings, run } = ctx;
  try {
    const search = await findOpenByKey(client.withDeadline(afterWriteDeadline(ctx)), {
      scope: keyScope(run),
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
