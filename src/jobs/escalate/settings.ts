/**
 * The escalate job's inputs: what to page (an escalation path or users, exactly one), the
 * escalation's text and incident, and whether to page or to cancel what an `escalation-key`
 * paged. The checks every job shares (the key, `api-url`, `dry-run`, `fail-on-error`, a secret in
 * another input) are read.ts's; every mistake here is collected with them.
 */
import { InputError, quoteList } from '../../core/errors.js';
import { assigneeKind } from '../../settings/changes.js';
import type { Mistakes } from '../../settings/mistakes.js';
import type { Common, Reading } from '../../settings/read.js';
import { parseChoice, parseIncidentId, type GetInput } from '../../settings/values.js';

export const ESCALATION_STATUSES = ['triggered', 'cancelled'] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];

/** Inputs that say what to page: a cancel takes none of them. */
const PAGE_INPUTS = ['escalation-path', 'users', 'title', 'description', 'incident-id'] as const;

export interface EscalateSettings extends Common<'escalate'> {
  apiKey: string;
  /** A path's name (any case) or ID; empty when `users` is the target. */
  escalationPath: string;
  /** Emails, incident.io user IDs or Slack user IDs, as given (each once); empty when a path is the target. */
  users: string[];
  /** Empty: the declare job's default incident name for this run. */
  title: string;
  /** Empty: what failed, with the run's link. */
  description: string;
  /** The incident ID, or the number of a reference (INC-123 → "123"); empty for none. */
  incidentId: string;
  escalationStatus: EscalationStatus;
  /** Empty: the key is derived from the run and the target alone, and nothing can cancel by it. */
  escalationKey: string;
}

export function readEscalate(read: Reading<'escalate'>): EscalateSettings {
  const { getInput, common, mistakes } = read;
  const status = mistakes.take('escalation-status', 'triggered', () =>
    parseChoice(getInput, 'escalation-status', ESCALATION_STATUSES, 'triggered'),
  );
  const cancel = status === 'cancelled' && !mistakes.any('escalation-status');
  const settings: EscalateSettings = {
    ...common,
    apiKey: getInput('api-key'),
    escalationPath: getInput('escalation-path'),
    users: mistakes.take('users', [] as string[], () => parseUsers(getInput('users'))),
    title: getInput('title'),
    description: getInput('description'),
    incidentId: mistakes.take('incident-id', '', () => parseIncidentId(getInput('incident-id'))),
    escalationStatus: status,
    escalationKey: getInput('escalation-key'),
  };
  if (cancel) checkCancel(getInput, mistakes);
  else if (!mistakes.any('escalation-status')) checkTarget(getInput, mistakes);
  return settings;
}

/** Exactly one target: the API takes a path or users, never both. */
function checkTarget(getInput: GetInput<'escalation-path' | 'users'>, mistakes: Mistakes): void {
  const byPath = getInput('escalation-path') !== '';
  const byUsers = getInput('users') !== '';
  if (byPath && byUsers) {
    mistakes.add(
      'escalation-path',
      'Inputs "escalation-path" and "users" are both set; an escalation pages one or the other (incident.io takes one): ' +
        '"escalation-path" follows that path\'s levels, "users" pages those people directly. Remove one.',
    );
  } else if (!byPath && !byUsers) {
    mistakes.add(
      'escalation-path',
      'The escalate job needs "escalation-path" (a path\'s name or ID, as in incident.io: On-call → Escalation paths) or ' +
        '"users" (emails or incident.io user IDs, one per line or comma-separated), but both are empty. ' +
        'To cancel what an earlier step paged, set "escalation-status: cancelled" with its "escalation-key".',
    );
  }
}

/** A cancel needs the key it cancels by, and takes nothing that says what to page. */
function checkCancel(getInput: GetInput<(typeof PAGE_INPUTS)[number] | 'escalation-key'>, mistakes: Mistakes): void {
  if (getInput('escalation-key') === '') {
    mistakes.add(
      'escalation-key',
      'Input "escalation-status" is "cancelled", which cancels the escalations that steps of this repository made with the same ' +
        '"escalation-key", but "escalation-key" is empty. Set it to the key the paging step used (for example "escalation-key: deploy" on both steps).',
    );
  }
  const set = PAGE_INPUTS.filter((input) => getInput(input) !== '');
  if (set.length > 0) {
    mistakes.add(
      set[0] as string,
      `Input ${quoteList(set)} is set, but "escalation-status" is "cancelled": a cancel pages no one, and cancels every escalation ` +
        'of this repository\'s "escalation-key" that still pages, whatever it paged. Remove ' +
        `${set.length > 1 ? 'them' : 'it'} from the cancelling step.`,
    );
  }
}

/**
 * `users`: one per line or comma-separated, each an email, an incident.io user ID or a Slack user
 * ID (as the roles take them). The same value twice is kept once. Every malformed value is named
 * in one message.
 */
export function parseUsers(raw: string): string[] {
  if (raw === '') return [];
  const values = raw
    .split(/[\r\n,]+/)
    .map((value) => value.trim())
    .filter((value) => value !== '');
  if (values.length === 0) {
    throw new InputError(
      `Input "users" is ${JSON.stringify(raw)}, which names no one; allowed values: emails or incident.io user IDs, one per line or comma-separated.`,
    );
  }
  const bad = values.filter((value) => assigneeKind(value) === 'invalid');
  if (bad.length > 0) {
    throw new InputError(
      `Input "users" names ${quoteList(bad)}; allowed values: an email such as "alice@example.com", an incident.io user ID such as ` +
        '"01G0J1EXE7AXZ2C93K61WBPYEH" or a Slack user ID such as "U0123ABC", one per line or comma-separated.',
    );
  }
  const seen = new Set<string>();
  return values.filter((value) => {
    const normal = assigneeKind(value) === 'email' ? value.toLowerCase() : value;
    if (seen.has(normal)) return false;
    seen.add(normal);
    return true;
  });
}
