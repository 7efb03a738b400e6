/**
 * The lookups a create or an update needs, all started at once: only those an input asks
 * for are made, and only their code is loaded. Every failure is collected, so one run reports
 * every bad name together. When other inputs have mistakes, `src/jobs/check.ts` runs the
 * same lookups for the inputs that are well-formed.
 */
import { InputError, settleAll } from '../core/errors.js';
import type { IncidentChanges } from '../settings/changes.js';
import { DECLARABLE_CATEGORIES, listStatuses, type IncidentStatus } from './statuses.js';
import type { NamesOnly } from '../settings/read.js';
import type { IncidentIoClient } from './client.js';
import type { CustomFieldEntry } from './custom-fields.js';
import { findByName, findSeverity, findStatus, type IdName, type Named, type Severity, type User } from './names.js';
import type { AssignedRole } from './roles.js';
import type { ChosenTimestamps } from './timestamps.js';
import { boolean, id, loose, number, object, type Shape } from '../core/shape.js';

export interface IncidentType extends Named {
  is_default?: boolean;
  private_incidents_only?: boolean;
}

/** What an update changes, resolved to IDs. */
export interface ChangeFields {
  severity?: Severity;
  status?: IncidentStatus;
  customFieldEntries: CustomFieldEntry[];
  roles: AssignedRole[];
  /** The `timestamps` input resolved (update; a create adds "Impact started" once the jobs are known). */
  timestamps: ChosenTimestamps;
  /** What the user should know that does not stop the step. */
  notices: string[];
  /** What was asked for and left out, without stopping the step (a role whose schedule had nobody on call). */
  warnings: string[];
  /** What each ID the request carries stands for (`severity "Major"`), for a dry run's reader. */
  names: Map<string, IdName>;
}

/** What a create sets: a severity always (the lowest-ranked one when none was given). */
export interface CreateFields extends ChangeFields {
  severity: Severity;
  /** True when no severity was given and the lowest-ranked one was picked. */
  severityDefaulted: boolean;
  incidentType?: IncidentType;
}

/** The lists names resolve against, read strictly: what each resolution uses must be there. */
const SEVERITY: Shape<Severity> = object({ id, name: id, rank: number });
const INCIDENT_TYPE: Shape<IncidentType> = object({
  id,
  name: id,
  is_default: loose(boolean),
  private_incidents_only: loose(boolean),
});

const NO_NAMES: NamesOnly = { customFields: [], roles: [], timestamps: [] };

/** What a declaration asks for, beyond its changes: the type, the visibility it must allow, and the mode. */
export interface Declaration extends IncidentChanges {
  incidentType: string;
  visibility: string;
  mode: string;
}

export async function lookUpForDeclare(client: IncidentIoClient, settings: Declaration): Promise<CreateFields> {
  const [severity, incidentType, changes] = await settleAll([
    client
      .sentFor('severity')
      .getList('/v1/severities', 'severities', undefined, SEVERITY)
      .then((list) => findSeverity(settings.severity, list)),
    settings.incidentType ? incidentTypeLookup(client, settings, true) : undefined,
    // A retrospective is filed after the fact: incident.io's answer decides which statuses fit it.
    lookUpChanges(client, { ...settings, severity: '', timestamps: new Map() }, 'declare', {
      anyStatus: settings.mode === 'retrospective',
    }),
  ] as const);
  const names = new Map(changes.names);
  names.set(severity.severity.id, {
    kind: 'severity',
    name: severity.severity.name,
    ...(severity.defaulted && { note: 'the lowest-ranked, as "severity" is empty' }),
  });
  if (incidentType) names.set(incidentType.id, { kind: 'incident type', name: incidentType.name });
  return { ...changes, names, severity: severity.severity, severityDefaulted: severity.defaulted, incidentType };
}

export function lookUpForEdit(client: IncidentIoClient, settings: IncidentChanges): Promise<ChangeFields> {
  return lookUpChanges(client, settings, 'edit');
}

/** The incident type, which must allow the visibility asked for (when `visibility` is itself well-formed). */
export async function incidentTypeLookup(
  client: IncidentIoClient,
  settings: Pick<Declaration, 'incidentType' | 'visibility'>,
  checkVisibility: boolean,
): Promise<IncidentType> {
  const list = await client.sentFor('incident-type').getList('/v1/incident_types', 'incident_types', undefined, INCIDENT_TYPE);
  const incidentType = findByName('incident-type', 'incident type', settings.incidentType, list);
  if (checkVisibility && incidentType.private_incidents_only && settings.visibility === 'public') {
    throw new InputError(
      `Input "incident-type" is ${JSON.stringify(settings.incidentType)}, whose incidents must be private, but "visibility" is "public". Set "visibility" to "private".`,
    );
  }
  return incidentType;
}

export function statusLookup(
  client: IncidentIoClient,
  value: string,
  categories: readonly string[] | undefined,
  purpose: string,
): Promise<IncidentStatus> {
  return listStatuses(client.sentFor('status')).then((list) =>
    categories ? findStatus(value, list, categories, purpose) : findByName('status', 'incident status', value, list),
  );
}

/** One lookup per input of `changes` that names something in the workspace, started now. */
export function changeLookups(
  client: IncidentIoClient,
  changes: IncidentChanges,
  purpose: 'declare' | 'edit',
  { anyStatus = false, namesOnly = NO_NAMES, notices = [] as string[], warnings = [] as string[], names = new Map<string, IdName>() } = {},
) {
  const { customFields, roles, timestamps } = changes;
  return {
    severity: changes.severity
      ? client
          .sentFor('severity')
          .getList('/v1/severities', 'severities', undefined, SEVERITY)
          .then((list) => findSeverity(changes.severity, list).severity)
      : undefined,
    status: changes.status
      ? statusLookup(client, changes.status, purpose === 'declare' && !anyStatus ? DECLARABLE_CATEGORIES : undefined, 'to open an incident')
      : undefined,
    'custom-fields':
      customFields.size > 0 || namesOnly.customFields.length > 0
        ? import('./custom-fields.js').then(({ customFieldEntries }) =>
            customFieldEntries(client.sentFor('custom-fields'), customFields, notices, { names, namesOnly: namesOnly.customFields }),
          )
        : undefined,
    roles:
      roles.size > 0 || namesOnly.roles.length > 0
        ? import('./roles.js').then(({ roleAssignments }) =>
            roleAssignments(client.sentFor('roles'), roles, purpose, { namesOnly: namesOnly.roles, warnings }),
          )
        : undefined,
    timestamps:
      timestamps.size > 0 || namesOnly.timestamps.length > 0
        ? import('./timestamps.js').then(async ({ chooseTimestamps, listTimestamps }) => {
            const list = await listTimestamps(client.sentFor('timestamps'));
            const [chosen] = await settleAll([
              Promise.resolve().then(() => chooseTimestamps(list, { given: timestamps, purpose, now: client.now })),
              ...namesOnly.timestamps.map((name) =>
                Promise.resolve().then(() => findByName('timestamps', 'timestamp', name, list, { verb: 'names' })),
              ),
            ] as const);
            return chosen;
          })
        : undefined,
  };
}

async function lookUpChanges(
  client: IncidentIoClient,
  changes: IncidentChanges,
  purpose: 'declare' | 'edit',
  { anyStatus = false } = {},
): Promise<ChangeFields> {
  const notices: string[] = [];
  const warnings: string[] = [];
  const names = new Map<string, IdName>();
  const lookups = changeLookups(client, changes, purpose, { anyStatus, notices, warnings, names });
  const [severity, status, entries, roles, timestamps] = await settleAll([
    lookups.severity,
    lookups.status,
    lookups['custom-fields'] ?? [],
    lookups.roles ?? [],
    lookups.timestamps ?? { values: [], set: [] },
  ] as const);
  if (severity) names.set(severity.id, { kind: 'severity', name: severity.name });
  if (status) names.set(status.id, { kind: 'status', name: status.name });
  for (const { role, user, onCall } of roles) {
    names.set(role.id, { kind: 'role', name: role.name });
    names.set(user.id, { kind: 'user', ...userName(user), ...(onCall && { note: `on call on the schedule "${onCall.name}"` }) });
  }
  for (const t of timestamps.set) names.set(t.id, { kind: 'timestamp', name: t.name });
  return { severity, status, customFieldEntries: entries, roles, timestamps, notices, warnings, names };
}

/** A user as a reader knows them: their name and email, or whichever of the two (or the ID) there is. */
export function userName(user: User): { name: string; email?: string } {
  const name = user.name || user.email || user.id;
  return user.email && user.email !== name ? { name, email: user.email } : { name };
}
