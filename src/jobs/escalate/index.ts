/** The escalate job, as the registry loads it: its reader, its story, and its name lookups. */
import type { IncidentIoClient } from '../../incident-io/client.js';
import { listEscalationPaths, resolveEscalationPath, resolveUsers } from '../../incident-io/escalations.js';
import type { SettingsRead } from '../../settings/read.js';
import type { NamedLookup } from '../job.js';
import { incidentLookup } from '../name-lookups.js';
import type { EscalateSettings } from './settings.js';

export { readEscalate as read } from './settings.js';
export { escalate as run } from './escalate.js';

/** The path or users and the incident, looked up when other inputs have mistakes (nothing that lists escalations or writes). */
export function lookups({ settings, faulty }: SettingsRead<EscalateSettings>): NamedLookup[] {
  const { escalationPath, users, incidentId } = settings;
  const cancelling = settings.escalationStatus === 'cancelled' && !faulty.has('escalation-status');
  if (cancelling) return [];
  return [
    ...(escalationPath
      ? [
          [
            'escalation-path',
            async (client: IncidentIoClient) => resolveEscalationPath('escalation-path', escalationPath, await listEscalationPaths(client)),
          ] as NamedLookup,
        ]
      : []),
    ...(users.length > 0 && !faulty.has('users')
      ? [['users', (client: IncidentIoClient) => resolveUsers(client, 'users', users)] as NamedLookup]
      : []),
    ...(incidentId && !faulty.has('incident-id') ? [incidentLookup(incidentId)] : []),
  ];
}
