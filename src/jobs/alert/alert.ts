/**
 * The alert job: one event to an incident.io HTTP alert source. Its token goes only in the
 * Authorization header. The default deduplication key names the repository, workflow and ref,
 * so a later green run with `alert-status: resolved` resolves what a red run fired.
 */
import { defaultIncidentName, incidentSummary, runUrl, type RunContext } from '../../github/context.js';
import { defaultDeduplicationKey } from '../../github/keys.js';
import { ApiError } from '../../core/errors.js';
import { failedJobs } from '../../github/jobs.js';
import { clientFor, dryRunChecks, printDryRun, type JobContext } from '../job.js';
import { nothingFailed, refusedResolve, skipStep } from '../skip.js';
import { check, loose, object, optional, text as anyText, type Infer } from '../../core/shape.js';
import { code, link, md, text } from '../../core/markdown.js';
import { card, type CardItem } from '../../output/report.js';
import { serverText } from '../../core/server-text.js';
import type { AlertSettings } from './settings.js';
import { describeLookups, reportAlertIncident } from './wait-for-incident.js';

export interface AlertEvent {
  title: string;
  status: 'firing' | 'resolved';
  description: string;
  deduplication_key: string;
  source_url?: string;
  metadata: Record<string, string | number | string[]>;
}

export async function alert(ctx: JobContext<AlertSettings>): Promise<void> {
  const { out, settings, run, redactor } = ctx;
  const firing = settings.alertStatus === 'firing';
  // A fork's run never resolves the repository's alerts; a watched run that did not fail fires none.
  const refused = firing ? undefined : refusedResolve(run, 'an alert');
  if (refused) return skipStep(ctx, refused, 'incident.io resolve refused (fork)');
  const green = firing ? nothingFailed(run, 'alert to fire') : undefined;
  if (green) return skipStep(ctx, green, 'incident.io step skipped');
  const deduplicationKey = settings.deduplicationKey || defaultDeduplicationKey(run);
  // What failed matters while firing; a resolve needs no second request.
  const jobs = firing
    ? await failedJobs(settings.githubToken, run, ctx.fetch, redactor, { subject: 'alert' })
    : { notices: [], failed: [] };
  for (const notice of jobs.notices) out.notice(notice, 'incident.io: not everything could be read');
  const sourceUrl = settings.sourceUrl || runUrl(run);
  const event: AlertEvent = {
    title: settings.name || defaultIncidentName(run, !firing),
    status: settings.alertStatus,
    description: incidentSummary(settings.summary, run, jobs.markdown ? [jobs.markdown] : []),
    deduplication_key: deduplicationKey,
    ...(sourceUrl && { source_url: sourceUrl }),
    metadata: { ...alertMetadata(run), ...Object.fromEntries(settings.metadata) },
  };
  const path = `/v2/alert_events/http/${encodeURIComponent(settings.alertSourceId)}`;
  out.setOutput('deduplication-key', deduplicationKey);
  const waits = firing && settings.waitForIncident > 0;
  if (settings.dryRun) {
    printDryRun(ctx, 'POST', path, event);
    if (waits) out.info(describeLookups(settings.apiUrl, settings.alertSourceId, deduplicationKey, settings.waitForIncident));
    await out.summary(
      card(md`dry run (would send a ${settings.alertStatus} alert event)`, [
        ...eventItems(event, deduplicationKey, settings.alertSourceId),
        ['Incident', waits ? md`would wait up to ${String(settings.waitForIncident)} s for it` : undefined],
        ['Sent', md`nothing: this was a dry run`],
        dryRunChecks(
          ctx,
          '"alert-token" or "alert-source-id": it sends nothing with the alert token, so only a real run shows whether incident.io takes them' +
            (waits ? ', nor whether "api-key" may read alerts and incidents, which only the lookups after a real send show' : ''),
        ),
      ]),
    );
    return;
  }
  const sentAt = ctx.clock.now();
  const response = await clientFor(ctx, {
    input: 'alert-token',
    token: settings.alertToken,
    source: { kind: 'HTTP', id: settings.alertSourceId },
  }).post<unknown>(path, event);
  const receivedAt = ctx.clock.now();
  const answer = acceptedEvent(response.body, path);
  const key = answer.deduplication_key || deduplicationKey;
  const message = answer.message !== undefined ? serverText(answer.message, redactor, 200) : `HTTP ${response.status}`;
  out.setOutput('deduplication-key', key);
  out.announce(
    `Sent a ${settings.alertStatus} alert event "${event.title}" (deduplication key "${key}"): ${message}. ` +
      (waits
        ? 'incident.io processes it asynchronously: the action looks up the incident its routes open.'
        : 'incident.io processes it asynchronously, so no incident ID comes back.'),
    `incident.io alert ${settings.alertStatus}`,
  );
  const incidentItems = await reportAlertIncident(ctx, {
    status: settings.alertStatus,
    alertSourceId: settings.alertSourceId,
    deduplicationKey: key,
    sentAt,
    receivedAt,
    serverDate: response.date,
  });
  await out.summary(
    card(md`alert ${settings.alertStatus}`, [
      ['Title', text(event.title)],
      ['Status', text(settings.alertStatus)],
      ['Deduplication key', code(key)],
      ['Alert source', code(settings.alertSourceId)],
      ...incidentItems,
    ]),
  );
}

/** Everything the event carries, for a dry run's card (the description is in the log). */
function eventItems(event: AlertEvent, deduplicationKey: string, sourceId: string): CardItem[] {
  return [
    ['Title', text(event.title)],
    ['Status', text(event.status)],
    ['Deduplication key', code(deduplicationKey)],
    ['Alert source', code(sourceId)],
    ['Source URL', event.source_url ? link(event.source_url, event.source_url) : undefined],
    [
      'Metadata',
      Object.entries(event.metadata).map(([name, value]) => md`${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`),
    ],
  ];
}
/** What an accepted event's answer says; a `status` or `message` of another type is no acceptance. */
const EVENT_ANSWER = object({ status: optional(anyText), message: optional(anyText), deduplication_key: loose(anyText) });

/**
 * incident.io accepts an event with `{status: "success", message, deduplication_key}`. Any other
 * answer (a list, a failure status, an object that says nothing) is not taken as sent.
 */
function acceptedEvent(body: unknown, path: string): Infer<typeof EVENT_ANSWER> {
  const result = check(EVENT_ANSWER, body);
  if (result.ok) {
    const { status, message } = result.value;
    if (status === 'success' || (status === undefined && message !== undefined)) return result.value;
  }
  const says = result.ok && result.value.status !== undefined ? `status ${JSON.stringify(result.value.status)}` : 'no "status": "success"';
  throw new ApiError(`incident.io POST ${path} answered with ${says}, so the alert event is not known to be accepted.`);
}

export function alertMetadata(run: RunContext): Record<string, string | number> {
  const entries: [string, string | number | undefined][] = [
    ['repository', run.repository],
    ['head_repository', run.fork?.repository],
    ['workflow', run.workflow],
    ['run_id', run.runId],
    ['run_attempt', run.runAttempt],
    ['sha', run.sha],
    ['ref', run.ref],
    ['actor', run.actor],
    ['event', run.eventName],
    ['conclusion', run.watcher ? run.conclusion : undefined],
  ];
  return Object.fromEntries(entries.filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== ''));
}
