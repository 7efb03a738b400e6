/**
 * The maintenance job's inputs: `window: start` or `end`, the alerts the window holds (`alerts`,
 * or the raw `conditions`), and what only a start reads (`duration`, `lead`, `name`, `on-end`,
 * `incident-id`). Pure: nothing is looked up here (see ./index.ts for the lookups). What every job
 * checks (the key, `api-url`, `dry-run`, `fail-on-error`, a required input left empty) is read.ts's.
 */
import { InputError, quoteList } from '../../core/errors.js';
import { shortenKey } from '../../core/keys.js';
import { assigneeKind, EMPTY_HINT } from '../../settings/changes.js';
import { parseConditionGroups, type ConditionGroupPayload } from '../../settings/conditions.js';
import { parseMapping } from '../../settings/mapping.js';
import type { Common, Reading } from '../../settings/read.js';
import { parseChoice, parseIncidentId } from '../../settings/values.js';

export const WINDOW_ACTIONS = ['start', 'end'] as const;
export type WindowAction = (typeof WINDOW_ACTIONS)[number];
/** What happens to alerts still firing when the window ends: sent to their routes, resolved, or left as they are. */
export const ON_END = ['reroute', 'resolve', 'none'] as const;
export type OnEnd = (typeof ON_END)[number];

export const DEFAULT_DURATION = '30m';
const DEFAULT_DURATION_MS = 30 * 60_000;
export const MAX_DURATION_MS = 12 * 3_600_000;
/** A maintenance key is hashed into the window's marker, so any text works; a longer one is shortened to keep it readable. */
export const MAX_MAINTENANCE_KEY = 200;

/** Inputs that only `window: start` reads. */
const START_ONLY = ['duration', 'lead', 'name', 'on-end', 'incident-id'] as const;

export interface MaintenanceSettings extends Common<'maintenance'> {
  apiKey: string;
  window: WindowAction;
  /** `alerts`: alert attribute (as written) → its values (each non-empty, each once); empty when not given. */
  alerts: Map<string, string[]>;
  /** `conditions`: the raw condition groups, when given instead of `alerts`. */
  conditions?: ConditionGroupPayload[];
  /** How long the window lasts if nothing ends it, in ms. */
  durationMs: number;
  /** An email or an incident.io user ID (a Slack user ID works too); empty on end. */
  lead: string;
  /** Empty means the default name from the run. */
  name: string;
  onEnd: OnEnd;
  /** Empty means the key is derived from the conditions. */
  maintenanceKey: string;
  /** Incident ID, or the number of a reference (INC-123 → "123"); empty for none. */
  incidentId: string;
  /** What the user should know that does not stop the step (inputs this `window` does not read), said first. */
  notices: string[];
}

export async function readMaintenance({ getInput, common, mistakes }: Reading<'maintenance'>): Promise<MaintenanceSettings> {
  // An empty "window" is read.ts's mistake (it is required); here only its value is checked.
  const window = mistakes.take('window', 'start', () => parseChoice(getInput, 'window', WINDOW_ACTIONS, 'start'));
  const windowKnown = getInput('window') !== '' && !mistakes.any('window');
  const start = window === 'start';
  const notices: string[] = [];

  const rawAlerts = getInput('alerts');
  const rawConditions = getInput('conditions');
  const maintenanceKey = shortenKey(getInput('maintenance-key'), MAX_MAINTENANCE_KEY);
  const alerts = await mistakes.takeAsync('alerts', new Map<string, string[]>(), () => readAlerts(rawAlerts));
  let conditions: ConditionGroupPayload[] | undefined;
  if (rawAlerts !== '' && rawConditions !== '') {
    mistakes.add(
      'conditions',
      'Inputs "alerts" and "conditions" are both set; a window holds the alerts of one of them. ' +
        'Use "alerts" (`Service: checkout`), or "conditions" for what it cannot say.',
    );
  } else if (rawConditions !== '') {
    conditions = mistakes.take('conditions', undefined, () => parseConditionGroups(rawConditions));
  }
  const noConditions = rawAlerts === '' && rawConditions === '';
  if (windowKnown && start && noConditions) {
    mistakes.add(
      'alerts',
      'Input "alerts" is empty, and so is "conditions": "window: start" must say which alerts the window holds, ' +
        'one line per alert attribute, such as `Service: checkout` or `Service: [checkout, payments]` (or the raw condition groups in "conditions").',
    );
  }
  if (windowKnown && !start && noConditions && maintenanceKey === '') {
    mistakes.add(
      'alerts',
      'Inputs "alerts", "conditions" and "maintenance-key" are all empty: "window: end" finds the window that "window: start" opened by its key, ' +
        'so give it the same "alerts" (or "conditions") as the start step, or the same "maintenance-key".',
    );
  }

  // What only a start reads is checked only for a start (or when "window" itself is unknown): see the notice below.
  const reads = start || !windowKnown;
  const durationMs = reads
    ? mistakes.take('duration', DEFAULT_DURATION_MS, () => parseDuration(getInput('duration') || DEFAULT_DURATION))
    : DEFAULT_DURATION_MS;
  const lead = reads ? mistakes.take('lead', '', () => readLead(getInput('lead'), windowKnown)) : '';
  const onEnd = reads ? mistakes.take('on-end', 'reroute', () => parseChoice(getInput, 'on-end', ON_END, 'reroute')) : 'reroute';
  const incidentId = reads ? mistakes.take('incident-id', '', () => parseIncidentId(getInput('incident-id'))) : '';

  if (windowKnown && !start) {
    // The end step is often the start step copied with `window: end`: what it does not read is said, not refused,
    // since refusing it would leave open the window the start step opened.
    const unread = START_ONLY.filter((input) => getInput(input) !== '');
    if (unread.length > 0) {
      const many = unread.length > 1;
      notices.push(
        `${inputList(unread)} ${many ? 'are' : 'is'} only read by "window: start", so this end step does not use ${many ? 'them' : 'it'}.`,
      );
    }
    if (maintenanceKey !== '' && !noConditions) {
      notices.push(
        `"maintenance-key" finds the window, so ${rawAlerts !== '' ? '"alerts"' : '"conditions"'} is not needed by this end step; it was not looked up.`,
      );
    }
  }

  return {
    ...common,
    apiKey: getInput('api-key'),
    window,
    alerts,
    conditions,
    durationMs,
    lead,
    name: reads ? getInput('name') : '',
    onEnd,
    maintenanceKey,
    incidentId,
    notices,
  };
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i;
const DURATION_ALLOWED =
  'a whole number of hours, minutes and seconds, in that order, such as "90s", "45m", "2h" or "1h30m", from 1s up to 12h';

/** `90s`, `45m`, `2h`, `1h30m` → ms; at most 12 h, more than 0. */
export function parseDuration(raw: string): number {
  const text = raw.trim();
  const match = DURATION.exec(text);
  if (!match || text === '') {
    const bare = /^\d+$/.test(text) ? ` A number needs its unit: "${text}m" for minutes, "${text}s" for seconds.` : '';
    throw new InputError(`Input "duration" is ${JSON.stringify(raw)}; allowed values: ${DURATION_ALLOWED}.${bare}`);
  }
  const [hours = 0, minutes = 0, seconds = 0] = match.slice(1).map((part) => Number(part ?? 0));
  const ms = ((hours * 60 + minutes) * 60 + seconds) * 1000;
  if (ms <= 0)
    throw new InputError(`Input "duration" is ${JSON.stringify(raw)}, which is no time at all; allowed values: ${DURATION_ALLOWED}.`);
  if (ms > MAX_DURATION_MS) {
    throw new InputError(
      `Input "duration" is ${JSON.stringify(raw)}, longer than the 12h a window may last here (a window that outlives a stuck run keeps alerts silent); allowed values: ${DURATION_ALLOWED}.`,
    );
  }
  return ms;
}

/** 5_400_000 → "1h30m": how a duration is shown. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || total === 0 ? `${s}s` : ''}`;
}

/** `alerts`: each attribute's values, as a list of non-empty texts, each once. */
async function readAlerts(raw: string): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  if (raw.trim() === '') return result;
  const mapping = await parseMapping('alerts', raw);
  if (mapping.size === 0) {
    throw new InputError(
      'Input "alerts" names no alert attribute, and a window without conditions would hold every alert. ' +
        'Write one line per attribute, such as `Service: checkout` or `Service: [checkout, payments]`.',
    );
  }
  const problems: string[] = [];
  for (const [attribute, value] of mapping) {
    const values = (Array.isArray(value) ? value : [value]).map((v) => v.trim());
    if (values.length === 0) {
      problems.push(
        `Input "alerts" gives ${JSON.stringify(attribute)} no values, so that line would hold no alert; give at least one, or remove the line.`,
      );
    } else if (values.some((v) => v === '')) {
      problems.push(`Input "alerts" gives ${JSON.stringify(attribute)} an empty value. ${EMPTY_HINT}`);
    } else result.set(attribute.trim(), [...new Set(values)]);
  }
  if (problems.length > 0) throw new InputError(problems.join(' '));
  return result;
}

/** `lead`: required on start; an email, an incident.io user ID or a Slack user ID. */
function readLead(raw: string, required: boolean): string {
  if (raw === '') {
    if (!required) return '';
    throw new InputError(
      'Input "lead" is required when "window" is "start": the maintenance window\'s lead, as the email of their incident.io account or their incident.io user ID. ' +
        EMPTY_HINT,
    );
  }
  if (assigneeKind(raw) === 'invalid') {
    throw new InputError(
      `Input "lead" is ${JSON.stringify(raw)}; allowed values: an email such as "alice@example.com", or an incident.io user ID such as "01G0J1EXE7AXZ2C93K61WBPYEH".`,
    );
  }
  return raw;
}

/** `Input "a"`, or `Inputs "a" and "b"`. */
function inputList(inputs: readonly string[]): string {
  if (inputs.length === 1) return `Input "${inputs[0]}"`;
  return `Inputs ${quoteList(inputs.slice(0, -1))} and "${inputs[inputs.length - 1]}"`;
}
