/**
 * The inputs that describe an incident's changes, which the declare and update jobs share:
 * `severity`, `name`, `summary`, `status`, and the mappings `custom-fields`, `roles`, `links` and
 * `timestamps`, each entry checked on its own so that one bad entry leaves the others to be
 * looked up.
 */
import { InputError } from '../core/errors.js';
import { parseMapping, type MappingValue } from './mapping.js';
import type { Mistakes } from './mistakes.js';
import type { Reading } from './read.js';
import { redactUrl } from '../core/urls.js';
import { isLinkUrl, type GetInput } from './values.js';

/** What a declaration or an update asks to set; empty values and maps mean "leave as is". */
export interface IncidentChanges {
  /** Severity name or ID; empty means "lowest-ranked" on create and "unchanged" on update. */
  severity: string;
  /** Empty means the default name (create) or "unchanged" (update). */
  name: string;
  summary: string;
  status: string;
  customFields: Map<string, MappingValue>;
  /** Role name or shortform → assignee (an email, a Slack user ID, an incident.io user ID, or `on-call:<schedule>`). */
  roles: Map<string, string>;
  /** Title → https URL, attached to the incident. */
  links: Map<string, string>;
  /** Timestamp name → an RFC 3339 time, `now`, or `none` (create: do not set; update: unset). */
  timestamps: Map<string, string>;
}

/** The inputs of an update that change something (all but the required ones). */
export const CHANGE_INPUTS = ['severity', 'name', 'summary', 'status', 'custom-fields', 'roles', 'message', 'links', 'timestamps'];

/** What a mapping input's names are checked for in the workspace, when it cannot be read at all. */
const LOOKED_UP: Record<string, string> = {
  'custom-fields': 'its fields and their values',
  roles: 'its roles and their assignees',
  timestamps: 'its timestamps',
};

/**
 * A mapping input, or an empty one when it cannot be read (the mistake is recorded). A mapping
 * whose names are looked up says that none of them could be.
 */
async function readMapping<I extends string>(getInput: GetInput<I>, mistakes: Mistakes, input: I): Promise<Map<string, MappingValue>> {
  return mistakes.takeAsync(input, new Map<string, MappingValue>(), () =>
    parseMapping(input, getInput(input)).catch((error: unknown) => {
      const what = LOOKED_UP[input];
      if (!(error instanceof InputError) || !what) throw error;
      throw new InputError(`${error.message} Until it reads as a mapping, ${what} cannot be checked against the workspace.`);
    }),
  );
}

/** The changes the declare and update jobs read alike; `[]` and `none` unset only on update. */
export async function readChanges(read: Reading<'declare' | 'update'>): Promise<IncidentChanges> {
  const { getInput, mistakes, namesOnly } = read;
  const job = read.common.job;
  // One after another, so the mistakes are listed in a steady order.
  const customFields = await readMapping(getInput, mistakes, 'custom-fields');
  const roles = await readMapping(getInput, mistakes, 'roles');
  const links = await readMapping(getInput, mistakes, 'links');
  const timestamps = await readMapping(getInput, mistakes, 'timestamps');
  return {
    severity: getInput('severity'),
    name: getInput('name'),
    summary: getInput('summary'),
    status: getInput('status'),
    customFields: checkFieldValues(withoutRepeats('custom-fields', customFields, mistakes), job, mistakes, namesOnly.customFields),
    roles: checkAssignees(withoutRepeats('roles', roles, mistakes), mistakes, namesOnly.roles),
    links: checkLinks(withoutRepeats('links', links, mistakes), mistakes),
    timestamps: checkTimestamps(withoutRepeats('timestamps', timestamps, mistakes), job, mistakes, namesOnly.timestamps),
  };
}

/** Each entry well-formed, or a mistake; the well-formed ones are kept. */
function checkLinks(links: Map<string, MappingValue>, mistakes: Mistakes): Map<string, string> {
  const result = new Map<string, string>();
  const add = (message: string) => mistakes.add('links', message);
  for (const [title, value] of links) {
    if (typeof value !== 'string') add(`Input "links" gives ${JSON.stringify(title)} a list; each title takes one URL.`);
    else if (value.trim() === '') add(`Input "links" gives ${JSON.stringify(title)} an empty URL. ${EMPTY_HINT}`);
    else if (!isLinkUrl(value.trim(), false)) {
      add(
        `Input "links" gives ${JSON.stringify(title)} the URL ${JSON.stringify(redactUrl(value))}; allowed values: an https:// URL without credentials.`,
      );
    } else result.set(title.trim(), value.trim());
  }
  return result;
}

/** RFC 3339, as incident.io takes it: a date, a time and a zone. */
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * An RFC 3339 time that names a real moment. `Date.parse` rolls "2026-02-30" over to March 2 and
 * "24:00" to the next day; this refuses both, as incident.io would, before anything is written.
 */
export function isRfc3339(text: string): boolean {
  const m = RFC_3339.exec(text);
  if (!m) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, , zoneHour = 0, zoneMinute = 0] = m
    .slice(1)
    .map((part) => Number(part ?? 0));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const inRange = (value: number, low: number, high: number) => value >= low && value <= high;
  return (
    inRange(month, 1, 12) &&
    inRange(day, 1, daysInMonth) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    zoneHour <= 23 &&
    zoneMinute <= 59
  );
}

/** Each timestamp's value well-formed, or a mistake (its name can still be looked up). */
function checkTimestamps(
  timestamps: Map<string, MappingValue>,
  job: 'declare' | 'update',
  mistakes: Mistakes,
  namesOnly: string[],
): Map<string, string> {
  const result = new Map<string, string>();
  const refuse = (name: string, message: string) => {
    mistakes.add('timestamps', message);
    namesOnly.push(name);
  };
  for (const [name, value] of timestamps) {
    const text = typeof value === 'string' ? value.trim() : undefined;
    const none = job === 'declare' ? '"none" (do not set it)' : '"none" (unset it)';
    if (text === undefined) refuse(name, `Input "timestamps" gives ${JSON.stringify(name)} a list; each timestamp takes one time.`);
    else if (text === '') refuse(name, `Input "timestamps" gives ${JSON.stringify(name)} an empty value. ${EMPTY_HINT}`);
    else if (!['now', 'none'].includes(text.toLowerCase()) && !isRfc3339(text)) {
      refuse(
        name,
        `Input "timestamps" gives ${JSON.stringify(name)} the value ${JSON.stringify(text)}; allowed values: an RFC 3339 time such as "2026-11-26T10:04:00Z", "now", or ${none}.`,
      );
    } else result.set(name, ['now', 'none'].includes(text.toLowerCase()) ? text.toLowerCase() : text);
  }
  return result;
}

/** What an unset `${{ vars.X }}` or `${{ secrets.X }}` gives: a hint for every empty value. */
export const EMPTY_HINT =
  'If it comes from `${{ vars.… }}` or `${{ secrets.… }}`, check that the variable or secret is set for this repository and environment.';

/** Each field's value well-formed, or a mistake (the field's name can still be looked up). */
function checkFieldValues(
  fields: Map<string, MappingValue>,
  job: 'declare' | 'update',
  mistakes: Mistakes,
  namesOnly: string[],
): Map<string, MappingValue> {
  const result = new Map<string, MappingValue>();
  const refuse = (name: string, message: string) => {
    mistakes.add('custom-fields', message);
    namesOnly.push(name);
  };
  for (const [name, value] of fields) {
    const values = Array.isArray(value) ? value : [value];
    if (Array.isArray(value) && value.length === 0 && job === 'declare') {
      refuse(
        name,
        `Input "custom-fields" sets ${JSON.stringify(name)} to [], which unsets a field on update; to declare, leave the field out.`,
      );
    } else if (values.some((v) => v.trim() === '')) {
      refuse(
        name,
        `Input "custom-fields" sets ${JSON.stringify(name)} to an empty value. ${EMPTY_HINT}` +
          (job === 'update' ? ` To unset the field, write ${JSON.stringify(name)}: [].` : ''),
      );
    } else result.set(name, value);
  }
  return result;
}

/** Each role's assignee well-formed, or a mistake (the role's name can still be looked up). */
function checkAssignees(roles: Map<string, MappingValue>, mistakes: Mistakes, namesOnly: string[]): Map<string, string> {
  const result = new Map<string, string>();
  const refuse = (role: string, message: string) => {
    mistakes.add('roles', message);
    namesOnly.push(role);
  };
  for (const [role, value] of roles) {
    if (typeof value !== 'string') {
      refuse(
        role,
        `Input "roles" gives ${JSON.stringify(role)} a list; each role takes one assignee (an email, a user ID or a Slack user ID).`,
      );
    } else if (value.trim() === '') {
      refuse(role, `Input "roles" assigns ${JSON.stringify(role)} to an empty value. ${EMPTY_HINT}`);
    } else if (/^\s*on-call\s*:/i.test(value)) {
      // `on-call:<schedule>`: the person on call on that schedule when the step runs (src/incident-io/on-call.ts).
      try {
        parseOnCallAssignee(role, value);
        result.set(role, value.trim());
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        refuse(role, error.message);
      }
    } else if (assigneeKind(value.trim()) === 'invalid') {
      refuse(
        role,
        `Input "roles" assigns ${JSON.stringify(role)} to ${JSON.stringify(value)}; allowed values: an email such as "alice@example.com", ` +
          'a Slack user ID such as "U0123ABC", or an incident.io user ID such as "01G0J1EXE7AXZ2C93K61WBPYEH".',
      );
    } else {
      result.set(role, value.trim());
    }
  }
  return result;
}

/**
 * The same key twice, in any case or spacing (YAML itself refuses only exact repeats): a mistake
 * each, and only the first is kept.
 */
function withoutRepeats<T>(input: string, mapping: Map<string, T>, mistakes: Mistakes): Map<string, T> {
  const seen = new Map<string, string>();
  const result = new Map<string, T>();
  for (const [key, value] of mapping) {
    const normal = key.trim().replace(/\s+/g, ' ').toLowerCase();
    const earlier = seen.get(normal);
    if (earlier !== undefined) {
      mistakes.add(
        input,
        `Input "${input}" names ${JSON.stringify(earlier)} and ${JSON.stringify(key)}, which are the same; name each once.`,
      );
      continue;
    }
    seen.set(normal, key);
    result.set(key, value);
  }
  return result;
}

/**
 * `on-call:<schedule>` as a role's assignee (`Incident Lead: on-call:Platform Primary`): the
 * schedule's name or ID, or undefined when the value is not of this form. The prefix is matched
 * in any case, with or without spaces after the colon; nothing after it is an input error.
 */
export function parseOnCallAssignee(role: string, value: string): string | undefined {
  const match = /^\s*on-call\s*:\s*(.*)$/is.exec(value);
  if (!match) return undefined;
  const schedule = (match[1] ?? '').trim();
  if (schedule === '') {
    throw new InputError(
      `Input "roles" assigns ${JSON.stringify(role)} to ${JSON.stringify(value)}, which names no schedule; ` +
        'write the schedule\'s name or ID after "on-call:", as in "on-call:Platform Primary".',
    );
  }
  return schedule;
}

/** How an assignee is looked up: by email, by Slack user ID, or as an incident.io user ID. */
export function assigneeKind(assignee: string): 'email' | 'slack_user_id' | 'id' | 'invalid' {
  if (/^[^\s@/?#]+@[^\s@/?#]+\.[^\s@/?#]+$/.test(assignee)) return 'email';
  if (/^[UW][A-Z0-9]{2,}$/.test(assignee)) return 'slack_user_id';
  return /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/.test(assignee) ? 'id' : 'invalid';
}
