/** The heartbeat job, as the registry loads it: its reader and its story. */
import type { NamedLookup } from '../job.js';

export { readHeartbeat as read } from './settings.js';
export { heartbeat as run } from './heartbeat.js';

/** Nothing to look up: a heartbeat source is checked only by pinging it with its token. */
export function lookups(): NamedLookup[] {
  return [];
}
