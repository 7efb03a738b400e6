/**
 * The update job: find the incident while the names resolve, then change it. With
 * `message`, an incident update goes first (it carries the new status and severity, so the
 * change shows on the timeline with its reason), then one edit for the other fields.
 */
import { isRecord } from '../../core/shape.js';
import { ApiError, settleAll, withContext } from '../../core/errors.js';
import { incidentSummary, runUrl, type RunContext } from '../../github/context.js';
import { fetchIncident, type Incident } from '../../incident-io/incidents.js';
import { lookUpForEdit, type ChangeFields } from '../../incident-io/lookups.js';
import { ownMarker } from '../../incident-io/incident-key.js';
import {
  afterIncidentUpdate,
  postIncidentUpdate,
  INCIDENT_UPDATES_PATH,
  type IncidentUpdateRequest,
} from '../../incident-io/incident-updates.js';
import { fieldEntriesShown } from '../../output/dry-run.js';
import { link, md } from '../../core/markdown.js';
import { describe, setIncidentOutputs } from '../../output/report.js';
import type { UpdateSettings } from './settings.js';
import { incidentName, reportDryRun, reportEdit, sendEdit, type Edit } from '../edit.js';
import { attachToIncident, linkAttachments } from '../attach.js';
import { apiKeyClient, dryRunChecks, printDryRun, type JobContext } from '../job.js';
import { incidentUpdateKey } from '../../github/keys.js';
import { waitForSlackChannel } from '../slack-channel.js';

export async function update(ctx: JobContext<UpdateSettings>): Promise<void> {
  const { out, settings } = ctx;
  const client = apiKeyClient(ctx);
  const [incident, fields] = await settleAll([
    fetchIncident(client.sentFor('incident-id'), settings.incidentId),
    lookUpForEdit(client, settings),
  ] as const);
  for (const notice of fields.notices) out.notice(notice, 'incident.io: not everything could be read');
  for (const warning of fields.warnings) out.warning(warning, 'incident.io: role left unassigned');
  const links = linkAttachments(settings.links);
  const viaUpdate = settings.message !== '';
  const request = viaUpdate ? updateRequest(ctx, incident, fields) : undefined;
  const edit = editFor(ctx, incident, fields, viaUpdate);
  const changed = [...(request ? updateChanges(fields) : []), ...edit.changed];

  if (settings.dryRun) {
    const names = new Map(fields.names).set(incident.id, incidentName(incident));
    if (request) printDryRun(ctx, 'POST', INCIDENT_UPDATES_PATH, request, names);
    if (Object.keys(edit.changes).length > 0) await sendEdit(ctx, client, incident, { ...edit, names });
    await attachToIncident(ctx, client.sentFor('links'), incident, links, { listFirst: true });
    await reportDryRun(ctx, incident, changed, 'updated', {
      more: [
        ['Would attach', links.map((l) => link(l.title, l.url))],
        dryRunChecks(ctx, 'whether the API key may edit incidents and post incident updates: it sends no write'),
      ],
    });
    return;
  }

  let after = incident;
  // Whether an answer showed the severity after the change (incident.io may leave it out of both).
  let severityShown = false;
  if (request) {
    const update = await postIncidentUpdate(client, request).catch((error: unknown) => {
      throw withContext(
        error,
        `Nothing was changed on ${incident.reference}: the incident update failed, so the edit was not sent either.`,
      );
    });
    after = afterIncidentUpdate(incident, update);
    severityShown = isRecord(update.new_severity);
    out.info(
      update.replayed
        ? `An earlier attempt of this step already posted this incident update to ${describe(incident)}; nothing new was posted.`
        : `Posted an incident update to ${describe(incident)}.`,
    );
    setIncidentOutputs(out, after, undefined, true);
  }
  if (Object.keys(edit.changes).length > 0) {
    try {
      const edited = await sendEdit(ctx, client, after, edit);
      after = { ...after, ...edited };
      severityShown ||= edited?.severity !== undefined;
    } catch (error) {
      const posted = request
        ? `The incident update to ${incident.reference} was posted, but the edit (${edit.changed.join(', ')}) failed.`
        : '';
      throw withContext(error, posted);
    }
  }
  // Outputs first (as incident.io answered); the links are attached once the change is made, and can only warn.
  setIncidentOutputs(out, after, undefined, true);
  checkApplied(after, fields, severityShown);
  const attached = await attachToIncident(ctx, client.sentFor('links'), after, links, { listFirst: true });
  // Every output is set: the wait for a channel incident.io has not created yet has its own time now.
  after = await waitForSlackChannel(ctx, after);
  await reportEdit(ctx, after, [...changed, ...(attached.length > 0 ? [`${attached.length} link(s) attached`] : [])], 'Updated', {
    attachments: attached,
    timestamps: fields.timestamps.set,
  });
}

/**
 * incident.io accepted the change: its answers must show the status and severity asked for, or
 * the step is not green (an answer that ignored a field would otherwise read as done).
 */
function checkApplied(after: Incident, fields: ChangeFields, severityShown: boolean): void {
  const wrong = [
    fields.status &&
      after.incident_status?.id !== fields.status.id &&
      `status "${after.incident_status?.name ?? 'none'}", not "${fields.status.name}"`,
    fields.severity &&
      severityShown &&
      after.severity?.id !== fields.severity.id &&
      `severity "${after.severity?.name ?? 'none'}", not "${fields.severity.name}"`,
  ].filter((w): w is string => Boolean(w));
  if (wrong.length === 0) return;
  throw new ApiError(
    `incident.io accepted the change to ${after.reference}, but its answer shows ${wrong.join(' and ')}. Check the incident in incident.io.`,
  );
}

/** The update: the message as given, then one line linking the run; status and severity move with it. */
function updateRequest(ctx: JobContext<UpdateSettings>, incident: Incident, fields: ChangeFields): IncidentUpdateRequest {
  const { settings, run } = ctx;
  const what = [settings.message, fields.status?.id ?? '', fields.severity?.id ?? ''].join('\n');
  return {
    idempotency_key: incidentUpdateKey(run, incident.id, what),
    incident_id: incident.id,
    message: `${settings.message}\n\n${runLine(run).source}`,
    ...(fields.status && { to_incident_status_id: fields.status.id }),
    ...(fields.severity && { to_severity_id: fields.severity.id }),
  };
}

function updateChanges(fields: ChangeFields): string[] {
  return [
    'incident update',
    fields.severity && `severity → ${fields.severity.name}`,
    fields.status && `status → ${fields.status.name}`,
  ].filter((c): c is string => Boolean(c));
}

/** The edit: every other change (and severity and status too, when there is no message). */
function editFor(ctx: JobContext<UpdateSettings>, incident: Incident, fields: ChangeFields, viaUpdate: boolean): Edit {
  const { settings, run } = ctx;
  // A summary replaced by the action keeps the incident-key marker, so later runs still find it:
  // the marker on the last line, the incident's own. A marker quoted anywhere else (another key's,
  // pasted by a responder) is not carried over: it would make this incident that key's.
  const marker = ownMarker(incident.summary)?.line;
  const summary = settings.summary && incidentSummary(settings.summary, run) + (marker ? `\n\n${marker}` : '');
  return {
    changes: {
      ...(settings.name && { name: settings.name }),
      ...(summary && { summary: summary }),
      ...(!viaUpdate && fields.severity && { severity_id: fields.severity.id }),
      ...(!viaUpdate && fields.status && { incident_status_id: fields.status.id }),
      ...(fields.customFieldEntries.length > 0 && { custom_field_entries: fields.customFieldEntries }),
      ...(fields.roles.length > 0 && { incident_role_assignments: fields.roles.map((r) => r.assignment) }),
      ...(fields.timestamps.values.length > 0 && { incident_timestamp_values: fields.timestamps.values }),
    },
    changed: [
      settings.name && 'name',
      settings.summary && 'summary',
      !viaUpdate && fields.severity && `severity → ${fields.severity.name}`,
      !viaUpdate && fields.status && `status → ${fields.status.name}`,
      ...fieldEntriesShown(fields.customFieldEntries, fields.names).map(({ field, values }) =>
        values.length === 0 ? `${field} unset` : `${field} → ${values.join(', ')}`,
      ),
      ...fields.roles.map((r) => `${r.role.name} → ${r.user.name ?? r.user.email ?? r.user.id}`),
      ...fields.timestamps.set.map((t) => `${t.name} → ${t.value ?? 'unset'}`),
    ].filter((c): c is string => Boolean(c)),
  };
}

/** The line an incident update ends with: the run that posted it. */
export function runLine(run: RunContext) {
  const label = run.workflow
    ? md`${run.workflow} run${run.runNumber !== undefined ? md` #${run.runNumber}` : md``}`
    : md`GitHub Actions run`;
  return md`Posted by ${link(label, runUrl(run))} (GitHub Actions).`;
}
