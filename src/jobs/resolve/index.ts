/** The resolve job, as the registry loads it: its reader, its story, and its name lookups. */
import type { IncidentIoClient } from '../../incident-io/client.js';
import { statusLookup } from '../../incident-io/lookups.js';
import { RESOLVED_CATEGORIES } from '../../incident-io/statuses.js';
import type { SettingsRead } from '../../settings/read.js';
import type { NamedLookup } from '../job.js';
import { incidentLookup } from '../name-lookups.js';
import type { ResolveSettings } from './settings.js';

export { readResolve as read } from './settings.js';
export { resolve as run } from './resolve.js';

export function lookups({ settings, faulty }: SettingsRead<ResolveSettings>): NamedLookup[] {
  const { incidentId, status } = settings;
  return [
    ...(incidentId && !faulty.has('incident-id') ? [incidentLookup(incidentId)] : []),
    ...(status
      ? [
          [
            'status',
            (client: IncidentIoClient) => statusLookup(client, status, RESOLVED_CATEGORIES, 'to resolve an incident'),
          ] as NamedLookup,
        ]
      : []),
  ];
}
