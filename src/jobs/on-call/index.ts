/** The on-call job, as the registry loads it: its reader, its story, and its name lookups. */
import type { IncidentIoClient } from '../../incident-io/client.js';
import { listSchedules, resolveSchedule } from '../../incident-io/on-call.js';
import type { SettingsRead } from '../../settings/read.js';
import type { NamedLookup } from '../job.js';
import type { OnCallSettings } from './settings.js';

export { readOnCall as read } from './settings.js';
export { onCall as run } from './on-call.js';

/** The schedule's name, checked when another input (`at`) has a mistake. */
export function lookups({ settings }: SettingsRead<OnCallSettings>): NamedLookup[] {
  const { schedule } = settings;
  if (!schedule) return [];
  return [
    [
      'schedule',
      async (client: IncidentIoClient) => resolveSchedule('schedule', schedule, await listSchedules(client.sentFor('schedule'))),
    ],
  ];
}
