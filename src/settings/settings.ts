// src/settings/: the inputs, read and validated once into typed settings, before any request.
/**
 * Reads and validates every input once, into a typed Settings object, before any request.
 * Each error names the input, the bad value and the values allowed.
 */
import { InputError, quoteList } from '../errors.js';
import { parseMapping, type MappingValue } from './mapping.js';

export const OPERATIONS = ['create', 'update', 'resolve', 'alert'] as const;
export const VISIBILITIES = ['public', 'private'] as const;
export const MODES = ['standard', 'retrospective', 'test', 'tutorial'] as const;
export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type Operation = (typeof OPERATIONS)[number];
export type Visibility = (typeof VISIBILITIES)[number];
export type Mode = (typeof MODES)[number];
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface Settings {
  operation: Operation;
  apiKey: string;
  /** Base URL without a trailing slash. */
  apiUrl: string;
  /** Severity name or ID as given; empty means "lowest-ranked" on create and "unchanged" on update. */
  severity: string;
  visibility: Visibility;
  mode: Mode;
  /** Empty means the default name (create) or "unchanged" (update). */
  name: string;
  summary: string;
  /** Empty means "derive it from the repository and run ID". */
  idempotencyKey: string;
  incidentType: string;
  status: string;
  customFields: Map<string, MappingValue>;
  roles: Map<string, MappingValue>;
  slackChannelName: string;
  githubToken: string;
  /** Incident ID, reference (INC-123) or number, for update and resolve. */
  incidentId: string;
  notifyIncidentChannel: boolean;
  alertSourceId: string;
  alertToken: string;
  alertStatus: AlertStatus;
  deduplicationKey: string;
  dryRun: boolean;
  failOnError: boolean;
}

/** Reads one input, trimmed; `core.getInput` has this shape. */
export type GetInput = (name: string) => string;

/** Which inputs each operation uses beyond the common ones; any other set input is refused. */
const COMMON = ['operation', 'api-url', 'dry-run', 'fail-on-error', 'github-token', 'notify-incident-channel'];
const USES: Record<Operation, string[]> = {
  create: [
    'api-key',
    'severity',
    'visibility',
    'mode',
    'name',
    'summary',
    'idempotency-key',
    'incident-type',
    'status',
    'custom-fields',
    'roles',
    'slack-channel-name',
  ],
  update: ['api-key', 'incident-id', 'severity', 'name', 'summary', 'status', 'custom-fields', 'roles'],
  resolve: ['api-key', 'incident-id', 'status'],
  alert: ['alert-source-id', 'alert-token', 'alert-status', 'deduplication-key', 'name', 'summary'],
};
const REQUIRED: Record<Operation, string[]> = {
  create: ['api-key'],
  update: ['api-key', 'incident-id'],
  resolve: ['api-key', 'incident-id'],
  alert: ['alert-source-id', 'alert-token'],
};
export const ALL_INPUTS = [...new Set([...COMMON, ...Object.values(USES).flat()])];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function readSettings(getInput: GetInput): Promise<Settings> {
  const operation = parseChoice(getInput, 'operation', OPERATIONS, 'create');
  checkInputsFit(getInput, operation);
  const settings: Settings = {
    operation,
    apiKey: getInput('api-key'),
    apiUrl: parseApiUrl(getInput('api-url') || 'https://api.incident.io'),
    severity: getInput('severity'),
    visibility: parseChoice(getInput, 'visibility', VISIBILITIES, 'public'),
    mode: parseChoice(getInput, 'mode', MODES, 'standard'),
    name: getInput('name'),
    summary: getInput('summary'),
    idempotencyKey: getInput('idempotency-key'),
    incidentType: getInput('incident-type'),
    status: getInput('status'),
    customFields: await parseMapping('custom-fields', getInput('custom-fields')),
    roles: await parseMapping('roles', getInput('roles')),
    slackChannelName: getInput('slack-channel-name'),
    githubToken: getInput('github-token'),
    incidentId: parseIncidentId(getInput('incident-id')),
    notifyIncidentChannel: parseBoolean(getInput, 'notify-incident-channel', true),
    alertSourceId: getInput('alert-source-id'),
    alertToken: getInput('alert-token'),
    alertStatus: parseChoice(getInput, 'alert-status', ALERT_STATUSES, 'firing'),
    deduplicationKey: getInput('deduplication-key'),
    dryRun: parseBoolean(getInput, 'dry-run', false),
    failOnError: parseBoolean(getInput, 'fail-on-error', true),
  };
  const changes = USES.update.filter((input) => !REQUIRED.update.includes(input));
  if (settings.operation === 'update' && !changes.some((input) => getInput(input))) {
    throw new InputError(`Operation "update" needs something to change: set at least one of ${quoteList(changes)}.`);
  }
  for (const [key, value] of settings.roles) {
    if (typeof value !== 'string') {
      throw new InputError(
        `Input "roles" gives ${JSON.stringify(key)} a list; each role takes one assignee (an email, a user ID or a Slack user ID).`,
      );
    }
  }
  return settings;
}

/** Required inputs are present, and no input is set that the operation would ignore. */
function checkInputsFit(getInput: GetInput, operation: Operation): void {
  for (const input of REQUIRED[operation]) {
    if (getInput(input) !== '') continue;
    if (input === 'api-key') {
      throw new InputError(
        'Input "api-key" is empty: it must be an incident.io API key' +
          (operation === 'create' ? ' that may create incidents. ' : ' that may update incidents. ') +
          'If you pass it as `${{ secrets.INCIDENT_IO_API_KEY }}`, the secret may be missing: ' +
          'secrets are not given to workflows triggered from forks or by Dependabot, and a typo in the secret name also yields an empty value.',
      );
    }
    const hint =
      input === 'incident-id'
        ? ' Pass the incident ID, its reference (INC-123) or its number, e.g. from the `incident-id` output of the step that declared it.'
        : input === 'alert-token'
          ? " Pass the alert source's token from a secret; if it is empty, the secret may be missing (forks and Dependabot get no secrets)."
          : ' Pass the ID of an HTTP alert source from incident.io (Alerts → Sources).';
    throw new InputError(`Input "${input}" is required when "operation" is "${operation}", but it is empty.${hint}`);
  }
  const allowed = new Set([...COMMON, ...USES[operation]]);
  for (const input of ALL_INPUTS) {
    if (allowed.has(input) || getInput(input) === '') continue;
    const users = OPERATIONS.filter((op) => USES[op].includes(input));
    throw new InputError(
      `Input "${input}" is set, but operation "${operation}" does not use it (it is used by ${users.map((u) => `"${u}"`).join(', ')}). ` +
        `Remove it, or set "operation" to the operation you meant. Inputs used by "${operation}": ${quoteList(USES[operation])}.`,
    );
  }
}

/**
 * An incident ID (a ULID), a reference (INC-123) or a bare number, as the path segment
 * `GET /v2/incidents/{id}` takes: the ULID, or the number of the reference.
 */
export function parseIncidentId(raw: string): string {
  if (raw === '') return '';
  const reference = /^(?:INC-)?(\d+)$/i.exec(raw);
  if (reference) return String(Number(reference[1]));
  if (/^[0-9A-Z]{26}$/i.test(raw)) return raw.toUpperCase();
  throw new InputError(
    `Input "incident-id" is ${JSON.stringify(raw)}; allowed values: an incident ID such as "01FDAG4SAP5TYPT98WGR2N7W91", ` +
      'a reference such as "INC-123", or its number such as "123".',
  );
}

/** One of a fixed set of values, in any case; empty means the default. */
export function parseChoice<T extends string>(getInput: GetInput, input: string, allowed: readonly T[], fallback: T): T {
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
    throw new InputError(`Input "api-url" is ${JSON.stringify(raw)}: the API key must not travel unencrypted; allowed values: ${allowed}.`);
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
