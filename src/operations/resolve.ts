/**
 * `operation: resolve`: move an incident (`incident-id`), or every open incident of an
 * `incident-key`, to a post-incident (or closed) status. Resolving an ended incident is a
 * success with nothing to do, except that a post-incident one moves to the `status` asked for. Without `status`, a status incident.io refuses (one from a
 * post-incident flow that does not apply to this incident) is followed by the next candidate:
 * the other post-incident statuses by rank, at most three, then the first closed one. With
 * `message`, each move is an incident update that carries the message; otherwise an edit.
 */
import { ApiError, InputError, settleAll } from '../errors.js';
import type { IncidentIoClient } from '../incident-io/client.js';
import { ENDED_CATEGORIES, fetchIncident, type Incident } from '../incident-io/incidents.js';
import { RESOLVED_CATEGORIES } from '../incident-io/lookups.js';
import { resolveStatus, type IdName, type IncidentStatus } from '../incident-io/resolvers.js';
import { quoted } from '../output/dry-run.js';
import { findOpenByKey } from '../incident-io/tracking.js';
import { afterUpdate, postIncidentUpdate, updateIdempotencyKey, UPDATES_PATH } from '../incident-io/updates.js';
import { code, join, md } from '../output/markdown.js';
import { card, describe, incidentLink, setIncidentOutputs } from '../output/report.js';
import type { ResolveSettings } from '../settings/settings.js';
import { incidentName, reportDryRun, reportEdit, sendEdit } from './edit.js';
import { clientFor, dryRunChecks, printDryRun, type OperationContext } from './operation.js';
import { runLine } from './update.js';

/** Post-incident statuses tried before closing. */
const MAX_LEARNING_TRIES = 3;

type Ctx = OperationContext<ResolveSettings>;

export async function resolve(ctx: Ctx): Promise<void> {
  const client = clientFor(ctx, ctx.settings.apiKey);
  if (ctx.settings.incidentKey) return resolveByKey(ctx, client);
  // The status is resolved beside the incident, so a wrong status and a wrong incident-id are reported together.
  const [incident, candidates] = await settleAll([
    fetchIncident(client, ctx.settings.incidentId),
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
  await reportEdit(ctx, moved.incident, [`status → ${moved.status.name}`], 'Resolved');
}

/** Every open incident the action declared under the key; none open is a success that changes nothing. */
async function resolveByKey(ctx: Ctx, client: IncidentIoClient): Promise<void> {
  const { out, settings, run } = ctx;
  const key = settings.incidentKey;
  const [search, statuses] = await settleAll([
    findOpenByKey(client, { repository: run.repository, key, mode: settings.mode }),
    listStatuses(client),
  ] as const);
  const candidates = candidatesFor(ctx, statuses);
  if (!search.complete) {
    out.warning(
      `Searched the newest ${search.read.toLocaleString('en-US')} open incidents for incident-key "${key}" and stopped there: an older one would not be resolved.`,
      'incident.io incident-key search cut short',
    );
  }
  if (search.incidents.length === 0) {
    out.setOutput('created', 'false');
    out.notice(
      `No incident is open for incident-key "${key}" (mode ${settings.mode}); nothing to resolve.`,
      'incident.io nothing to resolve',
    );
    await out.summary(card(md`nothing to resolve`, [['Incident key', code(key)]]));
    return;
  }
  const resolved: Incident[] = [];
  const failed: string[] = [];
  for (const incident of search.incidents) {
    try {
      const moved = await moveToResolved(ctx, client, incident, candidates);
      if (moved) resolved.push(moved.incident);
    } catch (error) {
      failed.push(`${incident.reference}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const listed = settings.dryRun ? search.incidents : resolved;
  const newest = listed[0];
  if (newest) setIncidentOutputs(out, newest, false, true);
  const verb = settings.dryRun ? 'Would resolve' : 'Resolved';
  if (listed.length > 0) {
    out.announce(
      `${verb} ${listed.length} incident(s) open for incident-key "${key}": ${listed.map(describe).join('; ')}.`,
      settings.dryRun ? 'incident.io dry run (would resolve)' : 'incident.io incident resolved',
    );
  }
  await out.summary(
    card(md`${verb.toLowerCase()} ${listed.length} for incident key`, [
      ['Incident key', code(key)],
      ['Incidents', listed.length > 0 ? join(listed.map(incidentLink), ', ') : undefined],
      ...(settings.dryRun ? [dryRunChecks(ctx, cannotCheck(candidates))] : []),
    ]),
  );
  if (failed.length > 0) {
    const done = resolved.length > 0 ? `Resolved ${resolved.map((i) => i.reference).join(', ')}; ` : '';
    throw new ApiError(`${done}could not resolve ${failed.length} of the incidents open for incident-key "${key}": ${failed.join(' ')}`);
  }
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

function listStatuses(client: IncidentIoClient): Promise<IncidentStatus[]> {
  return client.getList<IncidentStatus>('/v1/incident_statuses', 'incident_statuses', undefined, ['name', 'category']);
}

function candidatesFor(ctx: Ctx, statuses: readonly IncidentStatus[]): IncidentStatus[] {
  return ctx.settings.status
    ? [resolveStatus(ctx.settings.status, statuses, RESOLVED_CATEGORIES, 'to resolve an incident')]
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
): Promise<{ incident: Incident; status: IncidentStatus } | undefined> {
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
      return { incident: after, status: target };
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 422)) throw explainForbidden(error);
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
    idempotency_key: updateIdempotencyKey(run, incident.id, [settings.message, target.id].join('\n')),
    incident_id: incident.id,
    message: `${settings.message}\n\n${runLine(run).source}`,
    to_incident_status_id: target.id,
  };
  if (settings.dryRun) {
    printDryRun(ctx, 'POST', UPDATES_PATH, request, names);
    return undefined;
  }
  return afterUpdate(incident, await postIncidentUpdate(client, request));
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

function explainForbidden(error: unknown): unknown {
  if (!(error instanceof ApiError) || error.status !== 403) return error;
  return new ApiError(
    `${error.message} Check that the API key may edit incidents (incident.io: Settings → API keys).`,
    error.status,
    error.type,
    error.requestId,
    error.body,
  );
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
