/** The maintenance job, as the registry loads it: its reader, its story, and its name lookups. */
import { checkRawConditions, conditionsFromAlerts } from '../../incident-io/alert-conditions.js';
import type { IncidentIoClient } from '../../incident-io/client.js';
import type { SettingsRead } from '../../settings/read.js';
import type { NamedLookup } from '../job.js';
import { incidentLookup } from '../name-lookups.js';
import { findLead } from './maintenance.js';
import type { MaintenanceSettings } from './settings.js';

export { readMaintenance as read } from './settings.js';
export { maintenance as run } from './maintenance.js';

/**
 * When inputs have mistakes: the alert attributes and their values (unless an end finds its
 * window by `maintenance-key`, when they are not looked up on a real run either), the lead and the
 * incident. No window is searched.
 */
export function lookups({ settings, faulty }: SettingsRead<MaintenanceSettings>): NamedLookup[] {
  const found: NamedLookup[] = [];
  const findsByConditions = settings.window === 'start' || settings.maintenanceKey === '';
  const groups = settings.conditions;
  if (findsByConditions && groups && !faulty.has('conditions')) {
    found.push(['conditions', (client: IncidentIoClient) => checkRawConditions(client, groups)]);
  } else if (findsByConditions && settings.alerts.size > 0 && !faulty.has('alerts')) {
    found.push(['alerts', (client: IncidentIoClient) => conditionsFromAlerts(client, settings.alerts)]);
  }
  if (settings.lead && !faulty.has('lead')) found.push(['lead', (client: IncidentIoClient) => findLead(client, settings.lead)]);
  if (settings.incidentId && !faulty.has('incident-id')) found.push(incidentLookup(settings.incidentId));
  return found;
}
