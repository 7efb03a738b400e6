/** The declare job, as the registry loads it: its reader, its story, and its name lookups. */
import type { IncidentIoClient } from '../../incident-io/client.js';
import { listEscalationPaths, resolveEscalationPath } from '../../incident-io/escalations.js';
import { incidentTypeLookup } from '../../incident-io/lookups.js';
import type { SettingsRead } from '../../settings/read.js';
import type { NamedLookup } from '../job.js';
import { changeNameLookups } from '../name-lookups.js';
import type { DeclareSettings } from './settings.js';

export { readDeclare as read } from './settings.js';
export { declare as run } from './declare.js';

export function lookups({ settings, faulty, namesOnly }: SettingsRead<DeclareSettings>): NamedLookup[] {
  const type: NamedLookup[] = settings.incidentType
    ? [['incident-type', (client: IncidentIoClient) => incidentTypeLookup(client, settings, !faulty.has('visibility'))]]
    : [];
  // A wrong mode leaves open which statuses fit: the status is then only looked up by name.
  const anyStatus = settings.mode === 'retrospective' || faulty.has('mode');
  const path: NamedLookup[] =
    settings.escalationPath && !faulty.has('escalation-path')
      ? [
          [
            'escalation-path',
            async (client: IncidentIoClient) =>
              resolveEscalationPath('escalation-path', settings.escalationPath, await listEscalationPaths(client)),
          ],
        ]
      : [];
  return [...type, ...changeNameLookups(settings, namesOnly, 'declare', anyStatus), ...path];
}
