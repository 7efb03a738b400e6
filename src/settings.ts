/**
 * Reads and validates every input once, into a typed Settings object, before any request.
 * Each error names the input, the bad value and the values allowed.
 */
import { InputError, quoteList } from './errors.js';

export const VISIBILITIES = ['public', 'private'] as const;
export const MODES = ['standard', 'retrospective', 'test', 'tutorial'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export type Mode = (typeof MODES)[number];

export interface Settings {
  apiKey: string;
  /** Base URL without a trailing slash. */
  apiUrl: string;
  /** Severity name or ID as given; empty means "the lowest-ranked severity". */
  severity: string;
  visibility: Visibility;
  mode: Mode;
  /** Empty means "use the default name built from the run". */
  name: string;
  summary: string;
  /** Empty means "derive it from the repository and run ID". */
  idempotencyKey: string;
  dryRun: boolean;
  failOnError: boolean;
}

/** Reads one input, trimmed; `core.getInput` has this shape. */
export type GetInput = (name: string) => string;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function readSettings(getInput: GetInput): Settings {
  const apiKey = getInput('api-key');
  if (apiKey === '') {
    throw new InputError(
      'Input "api-key" is empty: it must be an incident.io API key that may create incidents. ' +
        'If you pass it as `${{ secrets.INCIDENT_IO_API_KEY }}`, the secret may be missing: ' +
        'secrets are not given to workflows triggered from forks or by Dependabot, and a typo in the secret name also yields an empty value.',
    );
  }
  return {
    apiKey,
    apiUrl: parseApiUrl(getInput('api-url') || 'https://api.incident.io'),
    severity: getInput('severity'),
    visibility: parseChoice(getInput, 'visibility', VISIBILITIES, 'public'),
    mode: parseChoice(getInput, 'mode', MODES, 'standard'),
    name: getInput('name'),
    summary: getInput('summary'),
    idempotencyKey: getInput('idempotency-key'),
    dryRun: parseBoolean(getInput, 'dry-run', false),
    failOnError: parseBoolean(getInput, 'fail-on-error', true),
  };
}

/** One of a fixed set of values, in any case; empty means the default. */
export function parseChoice<T extends string>(
  getInput: GetInput,
  input: string,
  allowed: readonly T[],
  fallback: T,
): T {
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
export function parseBoolean(getInput: GetInput, input: string, fallback: boolean): boolean {
  const raw = getInput(input);
  if (raw === '') return fallback;
  const value = raw.toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(`Input "${input}" is ${JSON.stringify(raw)}; allowed values: "true", "false".`);
}

/**
 * The API base URL. Only https is allowed, so the key never travels in the clear;
 * plain http is accepted for loopback hosts (a local sandbox or proxy).
 */
export function parseApiUrl(raw: string): string {
  const allowed = 'an https:// URL such as "https://api.incident.io" (http:// only for 127.0.0.1, localhost or [::1])';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(`Input "api-url" is ${JSON.stringify(raw)}, which is not a URL; allowed values: ${allowed}.`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InputError(
      `Input "api-url" is ${JSON.stringify(raw)}: the API key must not travel unencrypted; allowed values: ${allowed}.`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new InputError(
      `Input "api-url" is ${JSON.stringify(redactUrl(url))}: it must not carry credentials, a query or a fragment; allowed values: ${allowed}.`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username) copy.username = '***';
  if (copy.password) copy.password = '***';
  if (copy.search) copy.search = '?***';
  return copy.href;
}
