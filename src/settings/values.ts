/**
 * Parsers for single input values. Each error names the input, the bad value (never a secret's)
 * and the values allowed.
 */
import { InputError, quoteList } from '../core/errors.js';
import { shortenKey } from '../core/keys.js';
import { isLoopback, redactUrl } from '../core/urls.js';

/** Reads one input, trimmed; `core.getInput` has this shape. `I` names the inputs it may read. */
export type GetInput<I extends string = string> = (name: I) => string;

/** The modes of an incident: the declare job's `mode`, and the one resolve looks for by `incident-key`. */
export const MODES = ['standard', 'retrospective', 'test', 'tutorial'] as const;
export type Mode = (typeof MODES)[number];

/** One of a fixed set of values, in any case; empty means the default. */
export function parseChoice<I extends string, T extends string>(getInput: GetInput<I>, input: I, allowed: readonly T[], fallback: T): T {
  const raw = getInput(input);
  if (raw === '') return fallback;
  const value = raw.toLowerCase();
  const match = allowed.find((a) => a === value);
  if (match === undefined) {
    throw new InputError(`Input "${input}" is ${JSON.stringify(raw)}; allowed values: ${quoteList(allowed)}.`);
  }
  return match;
}

/** `true` or `false` in any case; empty means the default. */
export function parseBoolean<I extends string>(getInput: GetInput<I>, input: I, fallback: boolean): boolean {
  const raw = getInput(input);
  if (raw === '') return fallback;
  const value = raw.toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(`Input "${input}" is ${JSON.stringify(raw)}; allowed values: "true", "false".`);
}

/**
 * A secret goes into an HTTP header, which cannot carry a line break, a control character or a
 * character outside Latin-1. Such a value is an input error now, not "network failure, retrying"
 * later. The message says what and where, never the value.
 */
export function checkHeaderSafe(input: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    let what: string | undefined;
    if (code === 0x0a || code === 0x0d) what = 'a line break';
    else if (code < 0x20 || code === 0x7f) what = `a control character (U+${hex(code)})`;
    else if (code > 0xff) what = `a character outside Latin-1 (U+${hex(code)})`;
    if (what) {
      throw new InputError(
        `Input "${input}" contains ${what} at position ${i + 1} of ${value.length}, which an HTTP header cannot carry, so it cannot be a valid token. ` +
          'Check the secret: it may have been pasted with an extra line or a stray character.',
      );
    }
  }
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * The API base URL. Only https is allowed, so the key never travels in the clear; plain http is
 * accepted for loopback hosts (a local sandbox or proxy). A path prefix (a gateway) is kept; a
 * query, a fragment, credentials or dot-segments are refused, and no message repeats them.
 */
export function parseApiUrl(raw: string): string {
  const allowed =
    'an https:// URL such as "https://api.incident.io", optionally with a path prefix (http:// only for a loopback host: localhost, 127.0.0.0/8 or [::1])';
  const shown = JSON.stringify(redactUrl(raw));
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(`Input "api-url" is ${shown}, which is not a URL; allowed values: ${allowed}.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new InputError(`Input "api-url" is ${shown}: the API key must not travel unencrypted; allowed values: ${allowed}.`);
  }
  const refused = [
    (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(raw)) && 'credentials',
    /[?]/.test(raw) && 'a query',
    /#/.test(raw) && 'a fragment',
    hasDotSegment(raw) && 'a "." or ".." path segment',
  ].filter((r): r is string => typeof r === 'string');
  if (refused.length > 0) {
    throw new InputError(`Input "api-url" is ${shown}: it must not carry ${refused.join(', ')}; allowed values: ${allowed}.`);
  }
  return url.href.replace(/\/+$/, '');
}

/** `.` or `..` as a path segment, plain or percent-encoded, which a URL parser would resolve away. */
function hasDotSegment(raw: string): boolean {
  const path = raw.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  return path.split(/[/\\]/).some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
}

/**
 * An opaque ID as a URL path segment: incident.io may change the format and length of its IDs,
 * so any URL-safe token is passed on verbatim, but nothing that a URL would treat as a path.
 */
export const OPAQUE_ID = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/;

export function parseOpaqueId(input: string, raw: string, example: string): string {
  if (raw === '' || OPAQUE_ID.test(raw)) return raw;
  throw new InputError(
    `Input "${input}" is ${JSON.stringify(raw)}; allowed values: an ID made of letters, digits, "-", "_", "." and "~" (not starting with "."), such as ${JSON.stringify(example)}.`,
  );
}

/**
 * An incident ID, a reference (INC-123) or a bare number, as the path segment
 * `GET /v2/incidents/{id}` takes: the ID verbatim, or the digits of the reference (as text, so
 * no number is ever rounded).
 */
export function parseIncidentId(raw: string): string {
  if (raw === '') return '';
  const reference = /^(?:INC-)?(\d+)$/i.exec(raw);
  if (reference) return reference[1] as string;
  if (OPAQUE_ID.test(raw)) return raw;
  throw new InputError(
    `Input "incident-id" is ${JSON.stringify(raw)}; allowed values: an incident ID such as "01FDAG4SAP5TYPT98WGR2N7W91", ` +
      'a reference such as "INC-123", or its number such as "123".',
  );
}

/** An https URL (or, where `httpAllowed`, http), without credentials. */
export function parseUrl<I extends string>(getInput: GetInput<I>, input: I, { httpAllowed = false } = {}): string {
  const raw = getInput(input);
  if (raw === '') return '';
  if (!isLinkUrl(raw, httpAllowed)) {
    throw new InputError(
      `Input "${input}" is ${JSON.stringify(redactUrl(raw))}; allowed values: an ${httpAllowed ? 'http:// or ' : ''}https:// URL without credentials, such as "https://docs.example.com/postmortems/checkout".`,
    );
  }
  return raw;
}

/** An https URL (or http, where allowed) without credentials or spaces: what a link may be. */
export function isLinkUrl(raw: string, httpAllowed: boolean): boolean {
  try {
    const url = new URL(raw);
    return (
      (url.protocol === 'https:' || (httpAllowed && url.protocol === 'http:')) &&
      url.username === '' &&
      url.password === '' &&
      !/\s/.test(raw)
    );
  } catch {
    return false;
  }
}

/** An alert source's ID (`alert-source-id`, alert and heartbeat): an opaque ID. */
export function parseSourceId(raw: string): string {
  return parseOpaqueId('alert-source-id', raw, '01GW2G3V0S59R238FAHPDS1R66');
}

/** An incident key is hashed into a marker, so any text works; a longer one is shortened (`shortenKey`) to keep the marker line short. */
export const MAX_INCIDENT_KEY = 200;

/**
 * `incident-key`. A key is often built from event data (a branch name, a workflow name) that the
 * workflow's author does not control and the action cannot tell from typed text, so no key is
 * refused for what it holds: a long one is shortened with a hash (`shortenKey`), and a line break
 * is kept (it is hashed like any character; the marker shows it as a space).
 */
export function parseIncidentKey(getInput: GetInput<'incident-key' | 'mode'>): string {
  const key = shortenKey(getInput('incident-key'), MAX_INCIDENT_KEY);
  if (key !== '' && getInput('mode').toLowerCase() === 'retrospective') {
    throw new InputError(
      'Input "incident-key" finds open incidents, but "mode" is "retrospective", whose incidents are filed after the fact; remove one of them.',
    );
  }
  return key;
}

/** The longest `wait-for-slack-channel`, in seconds: the wait has its own time after the write, but a step must end. */
export const MAX_SLACK_CHANNEL_WAIT_S = 30;

/** `wait-for-slack-channel`: whole seconds, 0 (the default: no wait) to MAX_SLACK_CHANNEL_WAIT_S, as milliseconds. */
export function parseSlackChannelWait(getInput: GetInput<'wait-for-slack-channel'>): number {
  const raw = getInput('wait-for-slack-channel');
  if (raw === '') return 0;
  if (!/^\d{1,2}$/.test(raw) || Number(raw) > MAX_SLACK_CHANNEL_WAIT_S) {
    throw new InputError(
      `Input "wait-for-slack-channel" is ${JSON.stringify(raw)}; allowed values: a whole number of seconds from 0 (do not wait, the default) ` +
        `to ${MAX_SLACK_CHANNEL_WAIT_S}, such as "10".`,
    );
  }
  return Number(raw) * 1000;
}
