/**
 * `operation: update` and `operation: resolve`: find the incident (by ID, reference or number)
 * while the names resolve, then one edit through `POST /v2/incidents/{id}/actions/edit`.
 */
import type { IncidentIoClient } from './client.js';
import { incidentSummary } from './context.js';
import { ApiError, InputError } from './errors.js';
import type { Incident } from './incidents.js';
import { lookUpFields, settleAll } from './lookups.js';
import { clientFor, printDryRun, type OperationContext } from './operation.js';
import { announceLine, changeMarkdown, describe, setIncidentOutputs, writeSummary } from './report.js';
import { resolveStatus, type IncidentStatus } from './resolve.js';

/** Categories of an incident that is over: resolving it again is a success with nothing to do. */
export const ENDED_CATEGORIES = ['learning', 'closed', 'declined', 'merged', 'canceled'];
/** Categories `resolve` may move an incident to. */
export const RESOLVED_CATEGORIES = ['learning', 'closed'];

export async function update(ctx: OperationContext): Promise<void> {
  const { settings, run } = ctx;
  const client = clientFor(ctx, settings.apiKey);
  const [incident, fields] = await settleAll([
    fetchIncident(client, settings.incidentId),
    lookUpFields(client, settings, 'update'),
  ] as const);
  const changes = {
    ...(settings.name && { name: settings.name }),
    ...(settings.summary && { summary: incidentSummary(settings.summary, run) }),
    ...(fields.severity && { severity_id: fields.severity.id }),
    ...(fields.status && { incident_status_id: fields.status.id }),
    ...(fields.customFieldEntries.length > 0 && { custom_field_entries: fields.customFieldEntries }),
    ...(fields.roleAssignments.length > 0 && { incident_role_assignments: fields.roleAssignments }),
  };
  const changed = [
    settings.name && 'name',
    settings.summary && 'summary',
    fields.severity && `severity → ${fields.severity.name}`,
    fields.status && `status → ${fields.status.name}`,
    ...fields.customFieldEntries.map(() => 'custom field'),
    ...fields.roleAssignments.map(() => 'role'),
  ].filter((c): c is string => Boolean(c));
  await edit(ctx, client, incident, changes, changed, 'Updated');
}

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
    await edit(ctx, client, incident, { incident_status_id: target.id }, [`status → ${target.name}`], 'Resolved');
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

async function fetchIncident(client: IncidentIoClient, id: string): Promise<Incident> {
  try {
    const body = await client.get<{ incident?: Incident }>(`/v2/incidents/${encodeURIComponent(id)}`);
    if (!body?.incident?.id) throw new ApiError(`incident.io GET /v2/incidents/${id} answered without an incident.`);
    return body.incident;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      const shown = /^\d+$/.test(id) ? `INC-${id}` : id;
      throw new InputError(`Input "incident-id" is ${JSON.stringify(shown)}, but incident.io has no such incident (404). ${error.message}`);
    }
    throw error;
  }
}

async function edit(
  ctx: OperationContext,
  client: IncidentIoClient,
  incident: Incident,
  changes: Record<string, unknown>,
  changed: string[],
  verb: 'Updated' | 'Resolved',
): Promise<void> {
  const { core, settings } = ctx;
  const path = `/v2/incidents/${encodeURIComponent(incident.id)}/actions/edit`;
  const body = { incident: changes, notify_incident_channel: settings.notifyIncidentChannel };
  if (settings.dryRun) {
    printDryRun(ctx, 'POST', path, body);
    setIncidentOutputs(core, incident, false, true);
    await writeSummary(core, ctx.env, changeMarkdown(`Dry run (would be ${verb.toLowerCase()})`, incident, changed));
    return;
  }
  const response = await client.post<{ incident?: Incident }>(path, body);
  const after = response.body?.incident?.id ? response.body.incident : incident;
  announceLine(core, `${verb} incident ${describe(after)} (${changed.join(', ')}).`, `incident.io incident ${verb.toLowerCase()}`);
  setIncidentOutputs(core, after, false, true);
  await writeSummary(core, ctx.env, changeMarkdown(verb, after, changed));
}
