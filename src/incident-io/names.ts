/**
 * Resolvers: turn the names people write in a workflow into incident.io IDs. A name matches
 * without regard to case or surrounding spaces, and an ID is accepted wherever a name is.
 * An unknown name is an InputError that lists the choices and suggests the closest one.
 */
import { InputError, quoteList } from '../core/errors.js';
import { closest, normalize } from '../core/suggest.js';
import type { IncidentStatus } from './statuses.js';

export interface Named {
  id: string;
  name: string;
}

export interface Severity extends Named {
  rank: number;
}

export interface FindOptions<T> {
  /** Other names an item answers to, such as a role's shortform. */
  aliases?: (item: T) => string[];
  /** How messages introduce the value: "is" for an input's value, "names" for a mapping's key. */
  verb?: 'is' | 'names';
}

/**
 * Finds the item whose ID equals `value`, or whose name (or one of its aliases) matches it.
 * `what` is the noun for messages ("severity"), `input` the input's name.
 */
export function findByName<T extends Named>(
  input: string,
  what: string,
  value: string,
  items: readonly T[],
  { aliases = () => [], verb = 'is' }: FindOptions<T> = {},
): T {
  const byId = items.find((item) => item.id === value.trim());
  if (byId) return byId;
  const wanted = normalize(value);
  const matches = items.filter((item) => [item.name, ...aliases(item)].some((n) => normalize(n) === wanted));
  if (matches.length === 1) return matches[0] as T;
  const names = items.map((item) => item.name);
  if (matches.length > 1) {
    throw new InputError(
      `Input "${input}" ${verb} ${JSON.stringify(value)}, which matches ${matches.length} ${plural(what)}; use one of their IDs: ` +
        matches.map((m) => `${m.name} = ${m.id}`).join(', ') +
        '.',
    );
  }
  if (items.length === 0) {
    throw new InputError(`Input "${input}" ${verb} ${JSON.stringify(value)}, but this incident.io workspace has no ${plural(what)}.`);
  }
  const suggestion = closest(value, [...names, ...items.flatMap(aliases)]);
  throw new InputError(
    `Input "${input}" ${verb} ${JSON.stringify(value)}, which is not ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what} in this incident.io workspace. ` +
      `Available: ${quoteList(names)}.` +
      (suggestion ? ` Did you mean ${JSON.stringify(suggestion)}?` : ''),
  );
}

function plural(noun: string): string {
  return noun.endsWith('y') ? `${noun.slice(0, -1)}ies` : `${noun}s`;
}

/** The severity named by the input, or the lowest-ranked one when the input is empty. */
export function findSeverity(value: string, severities: readonly Severity[]): { severity: Severity; defaulted: boolean } {
  if (value.trim() !== '') return { severity: findByName('severity', 'severity', value, severities), defaulted: false };
  const lowest = [...severities].sort((a, b) => a.rank - b.rank)[0];
  if (!lowest) throw new InputError('Input "severity" is empty, and this incident.io workspace has no severities to default to.');
  return { severity: lowest, defaulted: true };
}

/** The status named by the input, which must be in one of `categories` for this `purpose`. */
export function findStatus(
  value: string,
  statuses: readonly IncidentStatus[],
  categories: readonly string[],
  purpose: string,
): IncidentStatus {
  const status = findByName('status', 'incident status', value, statuses);
  if (categories.includes(status.category)) return status;
  const fitting = statuses.filter((s) => categories.includes(s.category)).sort((a, b) => a.rank - b.rank);
  throw new InputError(
    `Input "status" is ${JSON.stringify(value)}, a status in the "${status.category}" category; ${purpose} the status must be in ` +
      `the ${categories.map((c) => `"${c}"`).join(' or ')} category. Statuses that fit: ${quoteList(fitting.map((s) => s.name)) || 'none'}.`,
  );
}

export interface Role extends Named {
  shortform?: string;
  role_type?: string;
}

export interface User {
  id: string;
  name?: string;
  email?: string;
  slack_user_id?: string;
}

/** Shows at most `limit` choices, so a field with 2,000 options stays readable. */
export function someOf(values: readonly string[], limit = 20): string {
  const shown = quoteList(values.slice(0, limit));
  return values.length > limit ? `${shown} and ${values.length - limit} more` : shown;
}

/**
 * What an ID in a request stands for, for a dry run's reader: its kind (the action's words), its
 * name in incident.io (text the action does not own, shown quoted), the custom field an option or
 * catalog entry belongs to, a user's email, and a note in the action's words.
 */
export interface IdName {
  kind: string;
  name: string;
  field?: string;
  email?: string;
  note?: string;
}
