/** `operation: update`: find the incident while the names resolve, then one edit. */
import { incidentSummary } from '../github/context.js';
import { fetchIncident } from '../incident-io/incidents.js';
import { lookUpFields, settleAll } from '../incident-io/lookups.js';
import { editIncident } from './edit.js';
import { clientFor, type OperationContext } from './operation.js';

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
  await editIncident(ctx, client, incident, changes, changed, 'Updated');
}
