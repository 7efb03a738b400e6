/** `operation: update`: find the incident while the names resolve, then one edit. */
import { settleAll } from '../errors.js';
import { incidentSummary } from '../github/context.js';
import { fetchIncident } from '../incident-io/incidents.js';
import { lookUpForUpdate } from '../incident-io/lookups.js';
import type { UpdateSettings } from '../settings/settings.js';
import { reportDryRun, reportEdit, sendEdit, type Edit } from './edit.js';
import { clientFor, type OperationContext } from './operation.js';

export async function update(ctx: OperationContext<UpdateSettings>): Promise<void> {
  const { settings, run, redactor } = ctx;
  const client = clientFor(ctx, settings.apiKey);
  const [incident, fields] = await settleAll([fetchIncident(client, settings.incidentId), lookUpForUpdate(client, settings)] as const);
  const edit: Edit = {
    changes: {
      ...(settings.name && { name: redactor.redact(settings.name) }),
      ...(settings.summary && { summary: redactor.redact(incidentSummary(settings.summary, run)) }),
      ...(fields.severity && { severity_id: fields.severity.id }),
      ...(fields.status && { incident_status_id: fields.status.id }),
      ...(fields.customFieldEntries.length > 0 && { custom_field_entries: fields.customFieldEntries }),
      ...(fields.roles.length > 0 && { incident_role_assignments: fields.roles.map((r) => r.assignment) }),
    },
    changed: [
      settings.name && 'name',
      settings.summary && 'summary',
      fields.severity && `severity → ${fields.severity.name}`,
      fields.status && `status → ${fields.status.name}`,
      ...fields.customFieldEntries.map((e) => (e.values.length === 0 ? 'custom field unset' : 'custom field')),
      ...fields.roles.map((r) => `${r.role.name} → ${r.user.name ?? r.user.email ?? r.user.id}`),
    ].filter((c): c is string => Boolean(c)),
  };
  const after = await sendEdit(ctx, client, incident, edit);
  if (after) await reportEdit(ctx, after, edit.changed, 'Updated');
  else await reportDryRun(ctx, incident, edit.changed, 'updated');
}
