/**
 * The lookups a create or an update needs, all started at once: only those an input asks
 * for are made, and only their code is loaded. Every failure is collected, so one run reports
 * every bad name together.
 */
import { InputError, settleAll } from '../errors.js';
import type { CreateSettings, IncidentChanges, UpdateSettings } from '../settings/settings.js';
import type { IncidentIoClient } from './client.js';
import type { CustomFieldEntry } from './custom-fields.js';
import { resolveByName, resolveSeverity, resolveStatus, type IncidentStatus, type Named, type Severity } from './resolvers.js';
import type { ResolvedRole } from './roles.js';
import type { ChosenTimestamps } from './timestamps.js';
import { boolean, id, loose, number, object, text, type Shape } from '../shape.js';

export interface IncidentType extends Named {
  is_default?: boolean;
  private_incidents_only?: boolean;
}

/** What an update changes, resolved to IDs. */
export interface ChangeFields {
  severity?: Severity;
  status?: IncidentStatus;
  customFieldEntries: CustomFieldEntry[];
  roles: ResolvedRole[];
  /** The `timestamps` input resolved (update; a create adds "Impact started" once the jobs are known). */
  timestamps: ChosenTimestamps;
  /** What the user should know that does not stop the step. */
  notices: string[];
}

/** What a create sets: a severity always (the lowest-ranked one when none was given). */
export interface CreateFields extends ChangeFields {
  severity: Severity;
  /** True when no severity was given and the lowest-ranked one was picked. */
  severityDefaulted: boolean;
  incidentType?: IncidentType;
}

/** The lists names resolve against, read strictly: what each resolution uses must be there. */
const SEVERITY: Shape<Severity> = object({ id, name: id, rank: number, description: loose(text) });
const INCIDENT_TYPE: Shape<IncidentType> = object({
  id,
  name: id,
  is_default: loose(boolean),
  private_incidents_only: loose(boolean),
});
export const INCIDENT_STATUS: Shape<IncidentStatus> = object({ id, name: id, category: id, rank: number });

/** Status categories an incident may be opened in. */
export const OPEN_CATEGORIES = ['triage', 'live'];

export async function lookUpForCreate(client: IncidentIoClient, settings: CreateSettings): Promise<CreateFields> {
  const [severity, incidentType, changes] = await settleAll([
    client.getList('/v1/severities', 'severities', undefined, SEVERITY).then((list) => resolveSeverity(settings.severity, list)),
    settings.incidentType
      ? client
          .getList('/v1/incident_types', 'incident_types', undefined, INCIDENT_TYPE)
          .then((list) => resolveByName('incident-type', 'incident type', settings.incidentType, list))
      : undefined,
    // A retrospective is filed after the fact: incident.io's answer decides which statuses fit it.
    lookUpChanges(client, { ...settings, severity: '', timestamps: new Map() }, 'create', { anyStatus: settings.mode === 'retrospective' }),
  ] as const);
  if (incidentType?.private_incidents_only && settings.visibility === 'public') {
    throw new InputError(
      `Input "incident-type" is ${JSON.stringify(settings.incidentType)}, whose incidents must be private, but "visibility" is "public". Set "visibility" to "private".`,
    );
  }
  return { ...changes, severity: severity.severity, severityDefaulted: severity.defaulted, incidentType };
}

export function lookUpForUpdate(client: IncidentIoClient, settings: UpdateSettings): Promise<ChangeFields> {
  return lookUpChanges(client, settings, 'update');
}

async function lookUpChanges(
  client: IncidentIoClient,
  changes: IncidentChanges,
  purpose: 'create' | 'update',
  { anyStatus = false } = {},
): Promise<ChangeFields> {
  const notices: string[] = [];
  const [severity, status, entries, roles, timestamps] = await settleAll([
    changes.severity
      ? client.getList('/v1/severities', 'severities', undefined, SEVERITY).then((list) => resolveSeverity(changes.severity, list).severity)
      : undefined,
    changes.status
      ? client
          .getList('/v1/incident_statuses', 'incident_statuses', undefined, INCIDENT_STATUS)
          .then((list) =>
            purpose === 'create' && !anyStatus
              ? resolveStatus(changes.status, list, OPEN_CATEGORIES, 'to open an incident')
              : resolveByName('status', 'incident status', changes.status, list),
          )
      : undefined,
    changes.customFields.size > 0
      ? import('./custom-fields.js').then(({ customFieldEntries }) => customFieldEntries(client, changes.customFields, notices))
      : [],
    changes.roles.size > 0 ? import('./roles.js').then(({ roleAssignments }) => roleAssignments(client, changes.roles, purpose)) : [],
    changes.timestamps.size > 0
      ? import('./timestamps.js').then(async ({ chooseTimestamps, listTimestamps }) =>
          chooseTimestamps(await listTimestamps(client), { given: changes.timestamps, purpose, now: client.now }),
        )
      : { values: [], set: [] },
  ] as const);
  return { severity, status, customFieldEntries: entries, roles, timestamps, notices };
}
