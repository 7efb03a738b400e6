/** The alert job, as the registry loads it: its reader and its story. */
import type { NamedLookup } from '../job.js';

export { readAlert as read } from './settings.js';
export { alert as run } from './alert.js';

/** Nothing to look up: an alert source is checked only by sending to it with its token. */
export function lookups(): NamedLookup[] {
  return [];
}
