/** The update job, as the registry loads it: its reader, its story, and its name lookups. */
import type { SettingsRead } from '../../settings/read.js';
import type { NamedLookup } from '../job.js';
import { changeNameLookups, incidentLookup } from '../name-lookups.js';
import type { UpdateSettings } from './settings.js';

export { readUpdate as read } from './settings.js';
export { update as run } from './update.js';

export function lookups({ settings, faulty, namesOnly }: SettingsRead<UpdateSettings>): NamedLookup[] {
  const incident = settings.incidentId && !faulty.has('incident-id') ? [incidentLookup(settings.incidentId)] : [];
  return [...incident, ...changeNameLookups(settings, namesOnly, 'edit', false)];
}
