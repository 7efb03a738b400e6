/**
 * The lookups a job makes of the names in its well-formed inputs when other inputs have mistakes
 * (./check.ts), built by each job's module: only for inputs that are well-formed, and only the
 * checks whose other inputs are well-formed too (an incident type's visibility rule needs a valid
 * `visibility`). Nothing that searches or writes: no incident-key search, no GitHub call.
 */
import type { IncidentIoClient } from '../incident-io/client.js';
import { fetchIncident } from '../incident-io/incidents.js';
import { changeLookups } from '../incident-io/lookups.js';
import type { IncidentChanges } from '../settings/changes.js';
import type { NamesOnly } from '../settings/read.js';
import type { NamedLookup } from './job.js';

/** The incident an `incident-id` names, read as the job would. */
export function incidentLookup(id: string): NamedLookup {
  return ['incident-id', (client: IncidentIoClient) => fetchIncident(client, id)];
}

/**
 * One lookup per change input (declare, update) that names something in the workspace, started
 * together on first use, as on a real run. `anyStatus`: a status of any category fits (a
 * retrospective, or a mode that is itself wrong).
 */
export function changeNameLookups(
  changes: IncidentChanges,
  namesOnly: NamesOnly,
  purpose: 'declare' | 'edit',
  anyStatus: boolean,
): NamedLookup[] {
  let started: ReturnType<typeof changeLookups> | undefined;
  const wanted = {
    severity: changes.severity !== '',
    status: changes.status !== '',
    'custom-fields': changes.customFields.size > 0 || namesOnly.customFields.length > 0,
    roles: changes.roles.size > 0 || namesOnly.roles.length > 0,
    timestamps: changes.timestamps.size > 0 || namesOnly.timestamps.length > 0,
  };
  return (Object.entries(wanted) as [keyof typeof wanted, boolean][])
    .filter(([, want]) => want)
    .map(([input]) => [
      input,
      async (client: IncidentIoClient) => {
        started ??= changeLookups(client, changes, purpose, { anyStatus, namesOnly });
        return started[input];
      },
    ]);
}
