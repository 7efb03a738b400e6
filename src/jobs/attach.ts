/**
 * What the step attaches to an incident, and the attaching itself, for create and update: the
 * run (and, under workflow_run, the watcher too), the pull request, and the `links` input. It
 * runs after the incident's outputs are set, under the short deadline for work after the write,
 * and can only warn; a dry run prints the requests instead.
 */
import { runUrl, watcherUrl, type PullRequest, type RunContext } from '../github/context.js';
import {
  attach,
  attachedUrls,
  attachmentRequest,
  ATTACHMENTS_PATH,
  normaliseUrl,
  type AttachmentOutcome,
  type AttachmentPlan,
  type AttachOptions,
  type Claim,
} from '../incident-io/attachments.js';
import type { IncidentIoClient } from '../incident-io/client.js';
import type { Incident } from '../incident-io/incidents.js';
import { afterWriteDeadline, printDryRun, type JobContext } from './job.js';

/** The run as a link, titled like "GitHub Actions: Deploy #42"; under workflow_run, the watcher too. */
export function runAttachments(run: RunContext): AttachmentPlan[] {
  const plans: AttachmentPlan[] = [];
  const url = runUrl(run);
  const number = run.runNumber !== undefined ? ` #${run.runNumber}` : '';
  if (url) plans.push({ title: `GitHub Actions: ${run.workflow || 'workflow run'}${number}`, url });
  const watcher = watcherUrl(run);
  if (run.watcher && watcher) {
    const watcherNumber = run.watcher.runNumber !== undefined ? ` #${run.watcher.runNumber}` : '';
    plans.push({ title: `GitHub Actions: ${run.watcher.workflow || 'watcher'}${watcherNumber} (watcher)`, url: watcher });
  }
  return plans;
}

/** The pull request lookup, started beside the other lookups and waited for only when the attachments are made. */
export type PullLookup = Promise<{ pull?: PullRequest; notice?: string }>;

/** The pull request, once looked up; what kept it from being read is a notice. */
export async function pullFor(ctx: JobContext, pull: PullLookup): Promise<PullRequest | undefined> {
  const found = await pull;
  if (found.notice) ctx.out.notice(found.notice, 'incident.io: not everything could be read');
  return found.pull;
}

export function pullAttachment(pull: PullRequest | undefined): AttachmentPlan[] {
  return pull ? [{ title: `Pull request #${pull.number}${pull.title ? `: ${pull.title}` : ''}`, url: pull.url, pullRequest: true }] : [];
}

export function linkAttachments(links: Map<string, string>): AttachmentPlan[] {
  return [...links].map(([title, url]) => ({ title, url }));
}

/**
 * Attaches the plans to the incident in parallel; on an incident this step did not create, its
 * attachments are listed first so that nothing is attached twice. Returns what was attached.
 */
export async function attachToIncident(
  ctx: JobContext,
  client: IncidentIoClient,
  incident: Incident,
  plans: readonly AttachmentPlan[],
  { listFirst }: { listFirst: boolean },
): Promise<AttachmentPlan[]> {
  if (plans.length === 0) return [];
  if (ctx.settings.dryRun) {
    // Lookups run in a dry run too: on an existing incident, only what it lacks would be attached.
    const there = listFirst
      ? await attachedUrls(client.withDeadline(afterWriteDeadline(ctx)), incident.id).catch(() => new Set<string>())
      : new Set<string>();
    for (const plan of plans) {
      if (!there.has(normaliseUrl(plan.url))) printDryRun(ctx, 'POST', ATTACHMENTS_PATH, attachmentRequest(incident.id, plan));
    }
    return [];
  }
  return (await attachAndReport(ctx, client, incident, plans, { listFirst })).made;
}

/**
 * For an incident the create answered as new: attaches the plans, and tells whether this step's
 * link to the run is the first run link on the incident (`claim`). Two jobs of one run (matrix
 * legs) that fail at the same moment both get the incident back as new; only the one whose run
 * link incident.io attached first reports `created=true`, and the others remove their copies.
 * `unknown` when there is no run link to claim with, or the attachments could not be made or listed.
 */
export async function attachAndClaim(
  ctx: JobContext,
  client: IncidentIoClient,
  incident: Incident,
  plans: readonly AttachmentPlan[],
): Promise<{ attached: AttachmentPlan[]; claim: Claim }> {
  const claims = runLinkTest(ctx.run);
  const outcome = await attachAndReport(ctx, client, incident, plans, { listFirst: false, ...(claims && { claims }) });
  return { attached: outcome.made, claim: outcome.claim ?? 'unknown' };
}

/** Whether a normalised URL is a link to a run of this repository (the run's own, or another run sharing its idempotency key). */
function runLinkTest(run: RunContext): ((url: string) => boolean) | undefined {
  const own = runUrl(run);
  if (!own) return undefined;
  const prefix = normaliseUrl(own).replace(/\d+$/, '');
  return (url) => url.startsWith(prefix) && /^\d+$/.test(url.slice(prefix.length));
}

async function attachAndReport(
  ctx: JobContext,
  client: IncidentIoClient,
  incident: Incident,
  plans: readonly AttachmentPlan[],
  options: AttachOptions,
): Promise<AttachmentOutcome> {
  const outcome = await attach(client.withDeadline(afterWriteDeadline(ctx)), incident.id, plans, options);
  for (const warning of outcome.warnings) ctx.out.warning(warning, 'incident.io attachment not made');
  for (const { dropped, kept } of outcome.merged) {
    ctx.out.notice(
      `"${dropped.title}" links to ${dropped.url}, as "${kept.title}" does, so it is attached once, as "${kept.title}".`,
      'incident.io link attached once',
    );
  }
  if (outcome.skipped.length > 0)
    ctx.out.info(`Already attached to ${incident.reference}, so not attached again: ${outcome.skipped.map((p) => p.url).join(', ')}.`);
  if (outcome.removed.length > 0) {
    ctx.out.info(
      `Another step attached ${outcome.removed.map((p) => p.url).join(', ')} to ${incident.reference} at the same moment as this one, ` +
        "so this step's copies were removed and the earlier ones kept.",
    );
  }
  return outcome;
}
