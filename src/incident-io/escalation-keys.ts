/**
 * The idempotency keys of the escalations the action creates, and the marker each one carries.
 *
 * Every `POST /v2/escalations` carries an idempotency key, and incident.io answers a repeated key
 * with the escalation that key made: a retry after a lost answer, or a re-run of the run, pages
 * no one twice. The key never holds the run attempt. Its parts are hashed, each to a fixed
 * length, so that no text in them (a slash, a colon, a long branch name) can shift another part:
 *
 *     gha-esc1:<repository>:<escalation-key | "run">:<target>:<run ID>
 *     gha-esc1:incident:<incident ID>:<path>                        (page on declare)
 *
 * With `escalation-key: K`, everything before the run ID is the same for every run of the
 * repository: `keyPrefix` is what a cancel lists by (`idempotency_key[starts_with]`). The hash of
 * `deploy` is not a prefix of the hash of `deploy-api`, so a cancel for one never reaches the
 * other. Without `escalation-key`, the place of K holds "run", which no hash can equal. The
 * target (the path's ID, or the user IDs sorted) is in every key, so two steps of one run that
 * page different targets under the same K each page theirs.
 *
 * incident.io does not return an escalation's idempotency key, and a server may ignore a filter,
 * so each escalation also carries a marker as the last line of its description: fixed words and
 * a token, `ioesc-` and 24 hex digits of SHA-256 over the key's prefix (with K: the same for
 * every run, so another run's cancel knows it) or over the whole key (without K, and on
 * declare). A cancel touches only escalations whose last description line is its token's marker.
 * The same line carries a token of the step's execution (`stepToken`), which tells whether the
 * escalation incident.io returns is the one this step made.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InputError } from '../core/errors.js';

/** The run and repository a key names; a RunContext has these fields. */
export interface KeyRun {
  repository: string;
  runId?: number;
}

/** Who an escalation pages: a path's ID, or users' IDs. */
export type Target = { pathId: string } | { userIds: readonly string[] };

const VERSION = 'gha-esc1';

function hash(value: string, length = 24): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/** The target as one text: "path <id>", or "users <id>,<id>" with the IDs sorted (the order given does not matter). */
function targetText(target: Target): string {
  return 'pathId' in target ? `path\n${target.pathId}` : `users\n${[...new Set(target.userIds)].sort().join('\n')}`;
}

function runOf(run: KeyRun, escalationKey: string): { repository: string; runId: number } {
  if (!run.repository || run.runId === undefined) {
    throw new InputError(
      "The escalation's idempotency key names the repository and the run, but GITHUB_REPOSITORY or GITHUB_RUN_ID is not set " +
        `(is this running outside GitHub Actions?), so it cannot be derived${escalationKey ? '' : ' even with "escalation-key"'}. ` +
        'Run the step in a GitHub Actions workflow.',
    );
  }
  return { repository: run.repository, runId: run.runId };
}

/**
 * The part of a key that is the same for every run of the repository under `escalationKey`: a
 * cancel lists the escalations whose key starts with it. Empty `escalationKey`: the prefix of
 * the keys made without one (never listed by a cancel).
 */
export function keyPrefix(repository: string, escalationKey: string): string {
  const scope = escalationKey === '' ? 'run' : hash(escalationKey);
  return `${VERSION}:${hash(repository.toLowerCase())}:${scope}:`;
}

/** The idempotency key of an escalation `escalate` sends: see the module's comment. */
export function escalationKey(run: KeyRun, target: Target, escalationKeyInput: string): string {
  const { repository, runId } = runOf(run, escalationKeyInput);
  return `${keyPrefix(repository, escalationKeyInput)}${hash(targetText(target))}:${runId}`;
}

/** The idempotency key of the page the declare job sends for its incident: the incident and the path, nothing else. */
export function declareEscalationKey(incidentId: string, pathId: string): string {
  return `${VERSION}:incident:${hash(incidentId)}:${hash(targetText({ pathId }))}`;
}

/** The token of the marker: over the prefix of an `escalation-key` (any run's cancel finds it), else over the whole key. */
export function markerToken(keyOrPrefix: string): string {
  return `ioesc-${hash(keyOrPrefix)}`;
}

/** The token of the escalations `escalate` makes under `escalationKeyInput` in `repository` (empty: none). */
export function tokenFor(repository: string, escalationKeyInput: string, idempotencyKey: string): string {
  return markerToken(escalationKeyInput === '' ? idempotencyKey : keyPrefix(repository, escalationKeyInput));
}

/** The words of the marker line before its token: it is recognised by them, so they never change. */
const MARKER_WORDS = 'Paged by the incident.io GitHub Action, marker';
const WORD = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu;
const TOKEN = /^ioesc-[0-9a-f]{24}$/;
const STEP = /^iostep-[0-9a-f]{16}$/;

/**
 * A token for one execution of a step, new each time (a retry of a request within it sends the
 * same): the marker carries it, so an answer that holds another one is an escalation another step
 * (a re-run, or a job of the same run racing this one) made under the same key. That tells
 * "created" exactly where the escalation's age cannot: two jobs a few milliseconds apart.
 */
export function stepToken(): string {
  return `iostep-${randomBytes(8).toString('hex')}`;
}

/** The last line the action appends to an escalation's description: the words, the key's token, the step's. */
export function markerLine(token: string, step?: string): string {
  return `${MARKER_WORDS} ${token}${step ? ` ${step}` : ''}`;
}

/** `description` with the marker as its last line, after a blank line. */
export function withMarker(description: string, token: string, step?: string): string {
  const text = description.trimEnd();
  return text === '' ? markerLine(token, step) : `${text}\n\n${markerLine(token, step)}`;
}

function words(line: string): string[] {
  const plain = line.replace(/\\/g, '').replace(/<\/?[a-z][^>]*>/gi, ' ');
  return (plain.match(WORD) ?? []).map((w) => w.toLowerCase());
}

const FIXED = words(MARKER_WORDS);

/**
 * The tokens of a description's marker: its last line that holds anything must be exactly the
 * marker's words, the key's token and (optionally) the step's, read by its words (so Markdown that
 * incident.io may add around it, emphasis or escapes, does not hide it). A marker quoted
 * anywhere else does not count.
 */
export function readMarker(description: string | undefined): { token: string; step?: string } | undefined {
  const lines = (description ?? '').trimEnd().split(/\r\n|[\r\n\u2028\u2029]/);
  const all = words(lines[lines.length - 1] ?? '');
  const extra = all.length - FIXED.length;
  if (extra < 1 || extra > 2 || FIXED.some((w, i) => all[i] !== w)) return undefined;
  const [token = '', step] = all.slice(FIXED.length);
  if (!TOKEN.test(token) || (step !== undefined && !STEP.test(step))) return undefined;
  return step === undefined ? { token } : { token, step };
}

/** The key's token of a description's marker (see `readMarker`). */
export function descriptionToken(description: string | undefined): string | undefined {
  return readMarker(description)?.token;
}
