/**
 * `operation: resolve`: find the incident and the statuses at once, then move it to a
 * post-incident (or closed) status through one edit. Resolving an ended incident is a success.
 */
import { ApiError, InputError } from '../errors.js';
import { fetchIncident } from '../incident-io/incidents.js';
import { settleAll } from '../incident-io/lookups.js';
import { resolveStatus, type IncidentStatus } from '../incident-io/resolvers.js';
import { announceLine, changeMarkdown, describe, setIncidentOutputs, writeSummary } from '../output/report.js';
import { editIncident } from './edit.js';
import { clientFor, type OperationContext } from './operation.js';

/** Categories of an incident that is over: resolving it again is a success with nothing to do. */
export const ENDED_CATEGORIES = ['learning', 'closed', 'declined', 'merged', 'canceled'];
/** Categories `resolve` may move an incident to. */
export const RESOLVED_CATEGORIES = ['learning', 'closed'];

export async function resolve(ctx: OperationContext): Promise<void> {
  const { core, settings } = ctx;
  const client = clientFor(ctx, settings.apiKey);
  const [incident, statuses] = await settleAll([
    fetchIncident(client, settings.incidentId),
    client.getList<IncidentStatus>('/v1/incident_statuses', 'incident_statuses'),
  ] as const);
  const target = settings.status
    ? resolveStatus(settings.status, statuses, RESOLVED_CATEGORIES, 'to resolve an incident')
    : defaultResolvedStatus(statuses);
  const current = incident.incident_status;
  if (current?.category && ENDED_CATEGORIES.includes(current.category)) {
    announceLine(
      core,
      `Incident ${describe(incident)} is already resolved (status "${current.name}"); nothing to change.`,
      'incident.io incident already resolved',
    );
    setIncidentOutputs(core, incident, false, true);
    await writeSummary(core, ctx.env, changeMarkdown('Already resolved', incident, []));
    return;
  }
  try {
    await editIncident(ctx, client, incident, { incident_status_id: target.id }, [`status → ${target.name}`], 'Resolved');
  } catch (error) {
    if (error instanceof ApiError && error.status !== undefined && [400, 403, 422].includes(error.status)) {
      throw new ApiError(
        `incident.io refused to move ${incident.reference} to "${target.name}" (${target.category}): ${error.message} ` +
          (target.category === 'closed'
            ? 'Closing straight away skips the post-incident flow, which incident.io allows only for an API key that may opt incidents out of it. ' +
              'Resolve to a post-incident status instead (leave "status" empty to pick the first one), or give the key that permission in incident.io (Settings → API keys).'
            : 'Check that the API key may edit incidents (incident.io: Settings → API keys).'),
        error.status,
        error.type,
        error.requestId,
        error.body,
      );
    }
    throw error;
  }
}

/** The first post-incident ("learning") status by rank, or else the first closed one. */
export function defaultResolvedStatus(statuses: readonly IncidentStatus[]): IncidentStatus {
  const byRank = [...statuses].sort((a, b) => a.rank - b.rank);
  const status = byRank.find((s) => s.category === 'learning') ?? byRank.find((s) => s.category === 'closed');
  if (!status) {
    throw new InputError(
      'Input "status" is empty, and this incident.io workspace has no status in the "learning" (post-incident) or "closed" category to resolve to. ' +
        `Its statuses: ${byRank.map((s) => `"${s.name}" (${s.category})`).join(', ')}.`,
    );
  }
  return status;
}
