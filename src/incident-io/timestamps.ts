/**
 * Incident timestamps (`GET /v2/incident_timestamps`), set with `incident_timestamp_values` on a
 * create or an edit. Names resolve like every other name. On create, the workspace's "Impact
 * started" timestamp is set to when the first failed job started, unless the user set it (or
 * turned it off with `none`).
 */
import { collectInputErrors } from '../core/errors.js';
import type { IncidentIoClient } from './client.js';
import { findByName, type Named } from './names.js';
import { id, loose, number, object, type Shape } from '../core/shape.js';

export interface IncidentTimestamp extends Named {
  rank?: number;
}

export interface TimestampValue {
  incident_timestamp_id: string;
  /** Left out to unset the timestamp (update with `none`). */
  value?: string;
}

/** A timestamp set, in words, for the log and the summary. */
export interface TimestampSet {
  /** The timestamp's ID, as sent in `incident_timestamp_id`. */
  id: string;
  name: string;
  /** Undefined when it was unset. */
  value?: string;
  /** Set by the action itself ("Impact started" from the failed jobs), not by the input. */
  automatic: boolean;
}

export interface ChosenTimestamps {
  values: TimestampValue[];
  set: TimestampSet[];
}

const IMPACT_STARTED = 'impact started';

const TIMESTAMP: Shape<IncidentTimestamp> = object({ id, name: id, rank: loose(number) });

export function listTimestamps(client: IncidentIoClient): Promise<IncidentTimestamp[]> {
  return client.getList('/v2/incident_timestamps', 'incident_timestamps', undefined, TIMESTAMP);
}

/**
 * The values to send: each name of `given` resolved (every unknown one reported at once), `now`
 * as the clock's time, `none` left out on create and unset on update; and on create, "Impact
 * started" at `impactStarted` when the workspace has it and the input did not name it.
 */
export function chooseTimestamps(
  list: readonly IncidentTimestamp[],
  {
    given,
    purpose,
    impactStarted,
    now,
  }: { given: Map<string, string>; purpose: 'declare' | 'edit'; impactStarted?: string; now: () => number },
): ChosenTimestamps {
  const chosen = collectInputErrors(
    [...given].map(([name, value]) => () => ({
      timestamp: findByName('timestamps', 'timestamp', name, list, { verb: 'names' }),
      value,
    })),
  );
  const values: TimestampValue[] = [];
  const set: TimestampSet[] = [];
  for (const { timestamp, value } of chosen) {
    if (value === 'none') {
      if (purpose === 'edit') {
        values.push({ incident_timestamp_id: timestamp.id });
        set.push({ id: timestamp.id, name: timestamp.name, automatic: false });
      }
      continue;
    }
    const at = value === 'now' ? new Date(now()).toISOString() : value;
    values.push({ incident_timestamp_id: timestamp.id, value: at });
    set.push({ id: timestamp.id, name: timestamp.name, value: at, automatic: false });
  }
  const impact = list.find((t) => t.name.trim().toLowerCase() === IMPACT_STARTED);
  if (purpose === 'declare' && impactStarted && impact && !chosen.some((c) => c.timestamp.id === impact.id)) {
    values.push({ incident_timestamp_id: impact.id, value: impactStarted });
    set.push({ id: impact.id, name: impact.name, value: impactStarted, automatic: true });
  }
  return { values, set };
}
