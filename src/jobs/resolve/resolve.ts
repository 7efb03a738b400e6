/**
 * The resolve job: move an incident (`incident-id`), or every open incident of an
 * `incident-key`, to a post-incident (or closed) status. Resolving an ended incident is a
 * success with nothing to do, except that a post-incident one moves to the `status` asked for. Without `status`, a status incident.io refuses (one from a
 * post-incident flow that does not apply to this incident) is followed by the next candidate:
 * the other post-incident statuses by rank, at most three, then the first closed one. With
 * `message`, each move is an incident update that carries the message; otherwise an edit.
 */
import { ApiError, InputError, settleAll } from '../../core/errors.js';
import type { IncidentIoClient } from '../../incident-io/client.js';
import { fetchIncident, readIncident, type Incident } from '../../incident-io/incidents.js';
import { findStatus, type IdName } from '../../incident-io/names.js';
import { ENDED_CATEGORIES, listStatuses, RESOLVED_CATEGORIES, type IncidentStatus } from '../../incident-io/statuses.js';
import { quoted } from '../../output/dry-run.js';
import { describeRejected, findOpenByKey } from '../../incident-io/incident-key.js';
import { afterIncidentUpdate, postIncidentUpdate, INCIDENT_UPDATES_PATH } from '../../incident-io/incident-updates.js';
import { code, join, md } from '../../core/markdown.js';
import { card, describe, incidentLink, setIncidentOutputs } from '../../output/report.js';
import type { ResolveSettings } from './settings.js';
import { incidentName, reportDryRun, reportEdit, sendEdit } from '../edit.js';
import { apiKeyClient, dryRunChecks, printDryRun, type JobContext } from '../job.js';
import { refusedResolve, skipStep } from '../skip.js';
import { runLine } from '../update/update.js';
import { keyScope, incidentUpdateKey } from '../../github/keys.js';

/** Post-incident statuses tried before closing. */
const MAX_LEARNING_TRIES = 3;

type Ctx = JobContext<ResolveSettings>;

export async function resolve(ctx: Ctx): Promise<void> {
  // A fork's run may not end what the repository's own runs declared: refused before any request.
  const refused = refusedResolve(ctx.run, ctx.settings.incidentKey ? `the incidents of an incident-key` : 'an incident');
  if (refused) return skipStep(ctx, refused, 'incident.io resolve refused (fork)');
  const client = apiKeyClient(ctx);
  if (ctx.settings.incidentKey) return resolveByKey(ctx, client);
  // The status is resolved beside the incident, so a wrong status and a wrong incident-id are reported together.
  const [incident, candidates] = await settleAll([
    fetchIncident(client.sentFor('incident-id'), ctx.settings.incidentId),
    listStatuses(client).then((statuses) => candidatesFor(ctx, statuses)),
  ] as const);
  if (isOver(incident, ctx.settings.status ? candidates[0] : undefined)) {
    await reportEdit(ctx, incident, [], 'Already resolved');
    if (ctx.settings.message) ctx.out.info(`The message was not posted: ${incident.reference} was resolved before this step.`);
    return;
  }
  const moved = await moveToResolved(ctx, client, incident, candidates);
  if (!moved) {
    return reportDryRun(ctx, incident, [`status → ${candidates[0]?.name ?? ''}`], 'resolved', {
      more: [dryRunChecks(ctx, cannotCheck(candidates))],
    });
  }
  if (moved.endedMeanwhile) {
    ctx.out.info(closedMeanwhile(moved.incident, moved.status));
    return reportEdit(ctx, moved.incident, [], 'Already resolved');
  }
  await reportEdit(ctx, moved.incident, [`status → ${moved.status.name}`], 'Resolved');
}

/** The line for an incident that another hand ended while this step moved it. */
function closedMeanwhile(incident: Incident, target: IncidentStatus): string {
  const status = incident.incident_status;
  return (
    `${incident.reference} was ended by someone else while this step moved it to "${target.name}": incident.io answers with it in ` +
    `"${status?.name ?? 'an unknown status'}"${status?.category ? ` (${status.category})` : ''}, and it stays there.`
  );
}

/** Every open incident the action declared under the key; none open is a success that changes nothing. */
async function resolveByKey(ctx: Ctx, client: IncidentIoClient): Promise<void> {
  const { out, settings, run } = ctx;
  const key = settings.incidentKey;
  const [search, statuses] = await settleAll([
    findOpenByKey(client.sentFor('incident-key'), { scope: keyScope(run), key, mode: settings.mode }),
    listStatuses(client),
  ] as const);
  const candidates = candidatesFor(ctx, statuses);
  if (search.rejected.length > 0) {
    out.info(
      `Left alone: ${describeRejected(search.rejected)}. Each mentions the marker of incident-key "${key}", but is not provably its open incident.`,
    );
  }
  if (!search.complete) {
    out.warning(
      `Searched the newest ${search.read.toLocaleString('en-US')} open incidents for incident-key "${key}" and stopped there: an older one would not be resolved.`,
      'incident.io incident-key search cut short',
    );
  }
  if (search.incidents.length === 0) {
    out.notice(
      `No incident is open for incident-key "${key}" (mode ${settings.mode}); nothing to resolve.`,
      'incident.io nothing to resolve',
    );
    await out.summary(card(md`nothing to resolve`, [['Incident key', code(key)]]));
    return;
  }
  const resolved: Incident[] = [];
  const over: Incident[] = [];
  const failed: string[] = [];
  for (const listedIncident of search.incidents) {
    try {
      // Read again right before the move: an incident ended since the list (or by an earlier
      // move's time) is never moved back. What remains is a close in the round trip between this
      // read and the move; the move's answer shows that, and the incident is then left as it is.
      const incident = await reread(client, listedIncident);
      if (isOver(incident, undefined)) {
        out.info(
          `${incident.reference} was ended while this step ran (status "${incident.incident_status?.name ?? 'unknown'}"); left as it is.`,
        );
        over.push(incident);
        continue;
      }
      const moved = await moveToResolved(ctx, client, incident, candidates);
      if (moved?.endedMeanwhile) {
        out.info(closedMeanwhile(moved.incident, moved.status));
        over.push(moved.incident);
      } else if (moved) resolved.push(moved.incident);
    } catch (error) {
      failed.push(`${listedIncident.reference}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const listed = settings.dryRun ? search.incidents.filter((i) => !over.some((o) => o.id === i.id)) : resolved;
  const newest = listed[0];
  if (newest) setIncidentOutputs(out, newest, undefined, true);
  const verb = settings.dryRun ? 'Would resolve' : 'Resolved';
  if (listed.length > 0) {
    out.announce(
      `${verb} ${listed.length} incident(s) open for incident-key "${key}": ${listed.map(describe).join('; ')}.`,
      settings.dryRun ? 'incident.io dry run (would resolve)' : 'incident.io incident resolved',
    );
  } else if (failed.length === 0) {
    out.notice(
      `Nothing left to resolve for incident-key "${key}": ${over.map((i) => i.reference).join(', ')} ended while this step ran, and stay as they are.`,
      'incident.io nothing to resolve',
    );
  }
  await out.summary(
    card(md`${verb.toLowerCase()} ${listed.length} for incident key`, [
      ['Incident key', code(key)],
      ['Incidents', listed.length > 0 ? join(listed.map(incidentLink), ', ') : undefined],
      ['Ended meanwhile, left as they are', over.length > 0 ? join(over.map(incidentLink), ', ') : undefined],
      ...(settings.dryRun ? [dryRunChecks(ctx, cannotCheck(candidates))] : []),
    ]),
  );
  if (failed.length > 0) {
    const done = resolved.length > 0 ? `Resolved ${resolved.map((i) => i.reference).join(', ')}; ` : '';
    throw new ApiError(`${done}could not resolve ${failed.length} of the incidents open for incident-key "${key}": ${failed.join(' ')}`);
  }
}

/** The incident as it is now (`GET /v2/incidents/{id}`), read strictly. */
async function reread(client: IncidentIoClient, incident: Incident): Promise<Incident> {
  const path = `/v2/incidents/${encodeURIComponent(incident.id)}`;
  return readIncident(await client.get<unknown>(path), `GET ${path} answered`);
}

/**
 * Whether resolving has nothing left to do: the incident is in an ended category, unless it is
 * post-incident and `status` asks for another resolved status (closing it after the
 * retrospective, say), which is then a move like any other. A closed incident is never reopened.
 */
function isOver(incident: Incident, asked: IncidentStatus | undefined): boolean {
  const current = incident.incident_status;
  if (!current?.category || !ENDED_CATEGORIES.includes(current.category)) return false;
  return !(asked && current.category === 'learning' && current.id !== asked.id);
}

function candidatesFor(ctx: Ctx, statuses: readonly IncidentStatus[]): IncidentStatus[] {
  return ctx.settings.status
    ? [findStatus(ctx.settings.status, statuses, RESOLVED_CATEGORIES, 'to resolve an incident')]
    : resolveCandidates(statuses);
}

/**
 * Moves the incident to the first candidate incident.io accepts, and returns it as incident.io
 * answered; undefined on a dry run (which prints the first request).
 */
async function moveToResolved(
  ctx: Ctx,
  client: IncidentIoClient,
  incident: Incident,
  candidates: readonly IncidentStatus[],
): Promise<{ incident: Incident; status: IncidentStatus; endedMeanwhile: boolean } | undefined> {
  const { out } = ctx;
  const refused: { status: IncidentStatus; error: ApiError }[] = [];
  for (const target of candidates) {
    if (target.category === 'closed' && refused.length > 0) {
      out.info(
        `incident.io refused the post-incident status${refused.length === 1 ? '' : 'es'} ${refused.map((r) => `"${r.status.name}"`).join(', ')} ` +
          `for ${incident.reference}, so it is closed directly ("${target.name}"), which skips the post-incident flow.`,
      );
    }
    try {
      const after = await move(ctx, client, incident, target);
      if (!after) return undefined;
      checkResolved(after, target);
      return { incident: after, status: target, endedMeanwhile: endedElsewhere(after, target) };
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 422)) throw error;
      refused.push({ status: target, error });
    }
  }
  throw refusal(incident, refused, ctx.settings.status !== '');
}

/** One move: an incident update with the message, or else an edit. */
async function move(ctx: Ctx, client: IncidentIoClient, incident: Incident, target: IncidentStatus): Promise<Incident | undefined> {
  const { settings, run } = ctx;
  const names = new Map<string, IdName>([
    [target.id, { kind: 'status', name: target.name }],
    [incident.id, incidentName(incident)],
  ]);
  if (!settings.message) return sendEdit(ctx, client, incident, { changes: { incident_status_id: target.id }, changed: [], names });
  const request = {
    idempotency_key: incidentUpdateKey(run, incident.id, [settings.message, target.id].join('\n')),
    incident_id: incident.id,
    message: `${settings.message}\n\n${runLine(run).source}`,
    to_incident_status_id: target.id,
  };
  if (settings.dryRun) {
    printDryRun(ctx, 'POST', INCIDENT_UPDATES_PATH, request, names);
    return undefined;
  }
  return afterIncidentUpdate(incident, await postIncidentUpdate(client, request));
}

/** What a dry run of a resolve cannot check, since it sends no write. */
function cannotCheck(candidates: readonly IncidentStatus[]): string {
  const first = candidates[0];
  return (
    'whether the API key may edit incidents' +
    (first
      ? `, or whether incident.io accepts the move to ${quoted(first.name)} (the post-incident flow that applies shows only on the write)`
      : '') +
    ': it sends no write'
  );
}

/** Without `status`: the post-incident statuses by rank (at most three), then the first closed one. */
export function resolveCandidates(statuses: readonly IncidentStatus[]): IncidentStatus[] {
  const byRank = [...statuses].sort((a, b) => a.rank - b.rank);
  const learning = byRank.filter((s) => s.category === 'learning').slice(0, MAX_LEARNING_TRIES);
  const closed = byRank.find((s) => s.category === 'closed');
  const candidates = closed ? [...learning, closed] : learning;
  if (candidates.length === 0) {
    throw new InputError(
      'Input "status" is empty, and this incident.io workspace has no status in the "learning" (post-incident) or "closed" category to resolve to. ' +
        `Its statuses: ${byRank.map((s) => `"${s.name}" (${s.category})`).join(', ')}.`,
    );
  }
  return candidates;
}

/** incident.io accepted the move: its answer must show the incident over, or the step is not green. */
function checkResolved(after: Incident, target: IncidentStatus): void {
  const category = after.incident_status?.category;
  if (category && ENDED_CATEGORIES.includes(category)) return;
  throw new ApiError(
    `incident.io accepted the move of ${after.reference} to "${target.name}", but its answer shows the incident in ` +
      `"${after.incident_status?.name ?? 'an unknown status'}"${category ? ` (${category})` : ''}, not resolved. Check the incident in incident.io.`,
  );
}

/**
 * The move's answer shows the incident over, but not in the category asked for: a post-incident
 * move answered with a closed (or declined, merged, canceled) incident means someone ended it
 * between this step's check and its write, and incident.io kept it there.
 */
function endedElsewhere(after: Incident, target: IncidentStatus): boolean {
  const category = after.incident_status?.category;
  return category !== undefined && category !== target.category;
}

function refusal(incident: Incident, refused: readonly { status: IncidentStatus; error: ApiError }[], chosen: boolean): ApiError {
  const tried = refused.map((r) => `"${r.status.name}" (${r.status.category}): ${r.error.message}`).join(' ');
  const paused =
    incident.incident_status?.category === 'paused'
      ? ` ${incident.reference} is paused ("${incident.incident_status.name}"): incident.io may need it un-paused before it can be resolved.`
      : '';
  const rule =
    'An incident can only move to a status of the post-incident flow that applies to it, and closing it straight away skips that flow, ' +
    'which incident.io allows only for an API key that may opt incidents out of it.';
  const advice = chosen
    ? 'Set "status" to a post-incident status of this incident\'s flow (or leave it empty to let the action try them), or give the key that permission (incident.io: Settings → API keys).'
    : 'Set "status" to a status of the post-incident flow that applies to this incident (incident.io: Settings → Lifecycle), or give the key that permission (Settings → API keys).';
  const last = refused[refused.length - 1]?.error;
  return new ApiError(
    `incident.io refused to resolve ${incident.reference}. Tried ${tried} ${rule} ${advice}${paused}`,
    last?.status,
    last?.type,
    last?.requestId,
  );
}
