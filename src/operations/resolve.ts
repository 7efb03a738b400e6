/**
 * `operation: resolve`: find the incident and the statuses at once, then move it to a
 * post-incident (or closed) status through one edit. Resolving an ended incident is a success.
 * Without `status`, the status incident.io refuses (one from a post-incident flow that does not
 * apply to this incident) is followed by the next candidate: the other post-incident statuses by
 * rank, at most three, then the first closed one.
 */
import { ApiError, InputError, settleAll } from '../errors.js';
import { fetchIncident, type Incident } from '../incident-io/incidents.js';
import { resolveStatus, type IncidentStatus } from '../incident-io/resolvers.js';
import type { ResolveSettings } from '../settings/settings.js';
import { reportDryRun, reportEdit, sendEdit } from './edit.js';
import { clientFor, type OperationContext } from './operation.js';

/** Categories of an incident that is over: resolving it again is a success with nothing to do. */
export const ENDED_CATEGORIES = ['learning', 'closed', 'declined', 'merged', 'canceled'];
/** Categories `resolve` may move an incident to. */
export const RESOLVED_CATEGORIES = ['learning', 'closed'];
/** Post-incident statuses tried before closing. */
const MAX_LEARNING_TRIES = 3;

export async function resolve(ctx: OperationContext<ResolveSettings>): Promise<void> {
  const { out, settings } = ctx;
  const client = clientFor(ctx, settings.apiKey);
  const [incident, statuses] = await settleAll([
    fetchIncident(client, settings.incidentId),
    client.getList<IncidentStatus>('/v1/incident_statuses', 'incident_statuses'),
  ] as const);
  const candidates = settings.status
    ? [resolveStatus(settings.status, statuses, RESOLVED_CATEGORIES, 'to resolve an incident')]
    : resolveCandidates(statuses);
  const current = incident.incident_status;
  if (current?.category && ENDED_CATEGORIES.includes(current.category)) {
    await reportEdit(ctx, incident, [], 'Already resolved');
    return;
  }
  const refused: { status: IncidentStatus; error: ApiError }[] = [];
  for (const target of candidates) {
    if (target.category === 'closed' && refused.length > 0) {
      out.info(
        `incident.io refused the post-incident status${refused.length === 1 ? '' : 'es'} ${refused.map((r) => `"${r.status.name}"`).join(', ')} ` +
          `for ${incident.reference}, so it is closed directly ("${target.name}"), which skips the post-incident flow.`,
      );
    }
    const changed = [`status → ${target.name}`];
    try {
      const after = await sendEdit(ctx, client, incident, { changes: { incident_status_id: target.id }, changed });
      if (!after) return await reportDryRun(ctx, incident, changed, 'resolved');
      checkResolved(after, target);
      return await reportEdit(ctx, after, changed, 'Resolved');
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 422)) throw explainForbidden(error);
      refused.push({ status: target, error });
    }
  }
  throw refusal(incident, refused, settings.status !== '');
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

/** The first status `resolve` tries when `status` is empty. */
export function defaultResolvedStatus(statuses: readonly IncidentStatus[]): IncidentStatus {
  return resolveCandidates(statuses)[0] as IncidentStatus;
}

/** incident.io accepted the edit: its answer must show the incident over, or the step is not green. */
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
