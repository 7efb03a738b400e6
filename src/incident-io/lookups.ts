/**
 * The lookups a create or an update needs, all started at once: only those an input asks
 * for are made. Every failure is collected, so one run reports every bad name together.
 */
import type { IncidentIoClient } from './client.js';
import { customFieldEntries, type CustomFieldEntry } from './custom-fields.js';
import { InputError } from '../errors.js';
import { resolveByName, resolveSeverity, resolveStatus, type IncidentStatus, type Named, type Severity } from './resolvers.js';
import { roleAssignments, type RoleAssignment } from './roles.js';
import type { Settings } from '../settings/settings.js';

export interface IncidentType extends Named {
  is_default?: boolean;
  private_incidents_only?: boolean;
}

export interface IncidentFields {
  severity?: Severity;
  /** True when no severity was given and the lowest-ranked one was picked. */
  severityDefaulted: boolean;
  incidentType?: IncidentType;
  status?: IncidentStatus;
  customFieldEntries: CustomFieldEntry[];
  roleAssignments: RoleAssignment[];
}

/** Status categories an incident may be opened in. */
export const OPEN_CATEGORIES = ['triage', 'live'];

export async function lookUpFields(client: IncidentIoClient, settings: Settings, purpose: 'create' | 'update'): Promise<IncidentFields> {
  const creating = purpose === 'create';
  const [severity, incidentType, status, entries, assignments] = await settleAll([
    creating || settings.severity
      ? client.getList<Severity>('/v1/severities', 'severities').then((list) => resolveSeverity(settings.severity, list))
      : undefined,
    creating && settings.incidentType
      ? client
          .getList<IncidentType>('/v1/incident_types', 'incident_types')
          .then((list) => resolveByName('incident-type', 'incident type', settings.incidentType, list))
      : undefined,
    settings.status
      ? client
          .getList<IncidentStatus>('/v1/incident_statuses', 'incident_statuses')
          .then((list) =>
            creating
              ? resolveStatus(settings.status, list, OPEN_CATEGORIES, 'to open an incident')
              : resolveByName('status', 'incident status', settings.status, list),
          )
      : undefined,
    customFieldEntries(client, settings.customFields),
    roleAssignments(client, settings.roles),
  ] as const);
  if (incidentType?.private_incidents_only && settings.visibility === 'public') {
    throw new InputError(
      `Input "incident-type" is ${JSON.stringify(settings.incidentType)}, whose incidents must be private, but "visibility" is "public". Set "visibility" to "private".`,
    );
  }
  return {
    severity: severity?.severity,
    severityDefaulted: severity?.defaulted ?? false,
    incidentType,
    status,
    customFieldEntries: entries,
    roleAssignments: assignments,
  };
}

/**
 * Like Promise.all, but waits for every task and then reports every input error together
 * (or else the first other error), so a user fixes all their names in one go.
 */
export async function settleAll<T extends readonly unknown[]>(tasks: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(tasks);
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const inputErrors = errors.filter((e): e is InputError => e instanceof InputError);
  if (inputErrors.length > 0) throw new InputError(inputErrors.map((e) => e.message).join('\n'));
  if (errors.length > 0) throw errors[0];
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
