/** The on-call job's inputs: a schedule by name or ID, and the moment to ask about. */
import { InputError } from '../../core/errors.js';
import { isRfc3339 } from '../../settings/changes.js';
import type { Common, Reading } from '../../settings/read.js';

export interface OnCallSettings extends Common<'on-call'> {
  apiKey: string;
  /** A schedule's name (any case) or ID. */
  schedule: string;
  /** The moment asked about (clock ms); undefined: now, when the step runs. */
  at?: number;
}

export function readOnCall(read: Reading<'on-call'>): OnCallSettings {
  const { getInput, common, mistakes } = read;
  return {
    ...common,
    apiKey: getInput('api-key'),
    schedule: getInput('schedule'),
    at: mistakes.take('at', undefined, () => parseAt(getInput('at'))),
  };
}

/** An RFC 3339 time that names a real moment (`isRfc3339`), or empty or "now" for the time the step runs. */
export function parseAt(raw: string): number | undefined {
  if (raw === '' || raw.toLowerCase() === 'now') return undefined;
  if (!isRfc3339(raw)) {
    throw new InputError(
      `Input "at" is ${JSON.stringify(raw)}; allowed values: an RFC 3339 time with its zone, such as "2026-11-26T03:00:00Z" or ` +
        '"2026-11-26T04:00:00+01:00", or "now" (the default).',
    );
  }
  return Date.parse(raw);
}
