// src/settings/: the inputs, read and validated once into typed settings, before any request.
/**
 * Reads and validates every input of a job once, into that job's settings (a discriminated
 * union, so each job sees only its own inputs), before any request. Each error names the input,
 * the bad value and the values allowed.
 */
import { createHash } from 'node:crypto';
import { InputError, quoteList } from '../core/errors.js';
import { FRAGMENT, Redactor } from '../core/redact.js';
import { parseMapping, type MappingValue } from './mapping.js';
import { Mistakes } from './mistakes.js';
import { closest } from '../core/suggest.js';
import { actionName, inputsOf, isJob, JOB_NAMES, jobsDeclaring, requiredInputs, SECRET_INPUTS, usesFor, type JobName } from './inputs.js';
import {
  checkHeaderSafe,
  parseApiUrl,
  parseBoolean,
  parseChoice,
  parseIncidentId,
  parseOpaqueId,
  redactUrl,
  type GetInput,
} from './values.js';

export { parseApiUrl, parseBoolean, parseChoice, parseIncidentId, type GetInput } from './values.js';

export type { JobName } from './inputs.js';
export const VISIBILITIES = ['public', 'private'] as const;
export const MODES = ['standard', 'retrospective', 'test', 'tutorial'] as const;
export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export type Mode = (typeof MODES)[number];
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** A custom field's value: text, a list of texts, or (update only) `[]`, which unsets it. */
export type FieldValue = MappingValue;

interface Common {
  /** Base URL without a trailing slash. */
  apiUrl: string;
  dryRun: boolean;
  failOnError: boolean;
}

/** What a create or an update asks to set; empty values and maps mean "leave as is". */
export interface IncidentChanges {
  /** Severity name or ID; empty means "lowest-ranked" on create and "unchanged" on update. */
  severity: string;
  /** Empty means the default name (create) or "unchanged" (update). */
  name: string;
  summary: string;
  status: string;
  customFields: Map<string, FieldValue>;
  /** Role name or shortform → assignee (an email, a Slack user ID or an incident.io user ID). */
  roles: Map<string, string>;
  /** Title → https URL, attached to the incident. */
  links: Map<string, string>;
  /** Timestamp name → an RFC 3339 time, `now`, or `none` (create: do not set; update: unset). */
  timestamps: Map<string, string>;
}

export interface DeclareSettings extends Common, IncidentChanges {
  job: 'declare';
  apiKey: string;
  githubToken: string;
  visibility: Visibility;
  mode: Mode;
  /** Empty means "derive it from the repository and run ID". */
  idempotencyKey: string;
  incidentType: string;
  slackChannelName: string;
  /** One open incident per key: empty means one incident per run. */
  incidentKey: string;
  slackTeamId: string;
  /** Retrospective mode only: the postmortem document and an existing Slack channel. */
  postmortemUrl: string;
  slackChannelId: string;
}

export interface UpdateSettings extends Common, IncidentChanges {
  job: 'update';
  apiKey: string;
  /** Incident ID, or the number of a reference (INC-123 → "123"). */
  incidentId: string;
  notifyIncidentChannel: boolean;
  /** Markdown for an incident update on the timeline; empty means none. */
  message: string;
}

export interface ResolveSettings extends Common {
  job: 'resolve';
  apiKey: string;
  /** The incident to resolve; empty when `incidentKey` names them instead. */
  incidentId: string;
  /** Resolve every open incident of this key (when `incidentId` is empty). */
  incidentKey: string;
  /** The mode of the incidents `incidentKey` looks for. */
  mode: Mode;
  status: string;
  notifyIncidentChannel: boolean;
  message: string;
}

export interface AlertSettings extends Common {
  job: 'alert';
  alertSourceId: string;
  alertToken: string;
  githubToken: string;
  alertStatus: AlertStatus;
  deduplicationKey: string;
  name: string;
  summary: string;
  /** Merged into the event's metadata beside the action's own keys. */
  metadata: Map<string, MappingValue>;
  /** Empty means the run's URL. */
  sourceUrl: string;
}

export interface HeartbeatSettings extends Common {
  job: 'heartbeat';
  alertSourceId: string;
  alertToken: string;
}

export type Settings = DeclareSettings | UpdateSettings | ResolveSettings | AlertSettings | HeartbeatSettings;
/** The settings of one job. */
export type SettingsOf<J extends JobName> = Extract<Settings, { job: J }>;

/** An incident key is hashed into a marker, so any text works; a longer one is shortened (`shortenKey`) to keep the marker line short. */
export const MAX_INCIDENT_KEY = 200;
export { SECRET_INPUTS } from './inputs.js';

/** The `INPUT_<NAME>` variable the runner sets for a step's `with:` key. */
function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Each job is an action of its own (see ./inputs.ts), so the input that once chose the job is
 * gone: a step that still passes `operation` is refused at once, before any request, with the
 * `uses:` to write instead. Any value of it, empty too: the key itself is what must go.
 */
export function checkNoOperation(env: Record<string, string | undefined>, job: JobName): void {
  const value = env[inputVariable('operation')];
  if (value === undefined) return;
  const old = value.trim().toLowerCase();
  const meant: JobName | undefined = old === 'create' ? 'declare' : isJob(old) ? old : undefined;
  const here = `This is the ${job} job's action (\`uses: ${usesFor(job, env)}\`)`;
  let advice: string;
  if (meant === 'declare' && job === 'declare') advice = 'The root action is the declare job, which this step runs: remove "operation".';
  else if (meant === job) advice = `${here}: remove "operation".`;
  else if (meant === 'declare') {
    advice = `The root action is the declare job: write \`uses: ${usesFor('declare', env)}\` and remove "operation".`;
  } else if (meant) advice = `${here}; to ${meant}, write \`uses: ${usesFor(meant, env)}\` and remove "operation".`;
  else
    advice = `${here}. Each job is its own action: ${JOB_NAMES.map((j) => `\`uses: ${usesFor(j, env)}\``).join(', ')}. Remove "operation".`;
  throw new InputError(
    `Input "operation" is ${JSON.stringify(value)}, but the action no longer takes it: each job is an action of its own. ${advice}`,
  );
}

/**
 * The runner passes every `with:` key as an INPUT_<NAME> variable and only warns about one the
 * job's action.yml does not declare, so `severty: Critical` would quietly declare a Minor
 * incident, and `alert-token` given to resolve/ would be ignored. Any such variable is an input
 * error, before any request: naming the jobs that do declare it, or else the closest input of
 * this job. (`operation` has a check of its own, `checkNoOperation`.)
 */
export function checkDeclaredInputs(env: Record<string, string | undefined>, job: JobName): void {
  const inputs = inputsOf(job);
  const declared = new Set(inputs.map(inputVariable));
  const unknown = Object.keys(env).filter((key) => key.startsWith('INPUT_') && !declared.has(key) && key !== inputVariable('operation'));
  if (unknown.length === 0) return;
  const lines = unknown.map((key) => {
    const name = key.slice('INPUT_'.length).toLowerCase();
    const passes = `the step's \`with:\` passes it as ${key}`;
    const others = jobsDeclaring(name);
    if (others.length > 0) {
      return `Input "${name}" is not an input of the ${job} job (${passes}); it is an input of ${others.map(actionName).join(', ')}.`;
    }
    const suggestion = closest(name, inputs);
    return `Input "${name}" is not an input of the ${job} job (${passes})${suggestion ? `; did you mean "${suggestion}"?` : '.'}`;
  });
  throw new InputError(`${lines.join('\n')}\nRemove or rename it. The inputs of the ${job} job are: ${quoteList(inputs)}.`);
}

/** The secret input a job cannot run without: on a run GitHub gives no secrets, it is empty and the step skips. */
export function secretOf(job: JobName): 'api-key' | 'alert-token' {
  return inputsOf(job).includes('alert-token') ? 'alert-token' : 'api-key';
}

/** Names in a mapping input whose value was refused: the name itself can still be looked up. */
export interface NamesOnly {
  customFields: string[];
  roles: string[];
  timestamps: string[];
}

/** What reading the inputs found: the settings, and every mistake in them. */
export interface SettingsRead<S extends Settings = Settings> {
  /**
   * The settings of the chosen operation. Where an input has a mistake, its value here is only a
   * stand-in (the default, or the well-formed entries of a mapping): good for looking up the
   * other inputs' names, never for sending anything.
   */
  settings: S;
  /** One message per mistake, each naming its input; empty when every input is well-formed. */
  mistakes: readonly string[];
  /** The inputs with a mistake. */
  faulty: ReadonlySet<string>;
  namesOnly: NamesOnly;
}

export interface ReadOptions {
  /**
   * On a run GitHub gives no secrets (a fork's pull request, Dependabot), an empty key or token
   * is not a mistake here; the caller skips the step instead.
   */
  allowMissingSecret?: boolean;
  /** The environment, whose INPUT_ variables show an input the action does not declare. */
  env?: Record<string, string | undefined>;
}

/**
 * Reads every input of `job`. The checks that guard the requests themselves come first and throw
 * at once: an `operation` input, the characters of a secret, a secret in another input, and
 * `api-url`. Every other mistake is collected, so one run reports them all, and the inputs that
 * are well-formed can still be looked up in the workspace. Only the job's own inputs are read: a
 * value the step gives under another name is refused, never used.
 */
export async function readInputs<J extends JobName>(
  job: J,
  getInput: GetInput,
  { allowMissingSecret = false, env = {} }: ReadOptions = {},
): Promise<SettingsRead<SettingsOf<J>>> {
  checkNoOperation(env, job);
  const declared = new Set(inputsOf(job));
  const own: GetInput = (name) => (declared.has(name) ? getInput(name) : '');
  for (const input of SECRET_INPUTS) checkHeaderSafe(input, own(input));
  checkNoSecretElsewhere(own, job);
  const apiUrl = parseApiUrl(own('api-url') || 'https://api.incident.io');

  const mistakes = new Mistakes();
  mistakes.take('', undefined, () => checkDeclaredInputs(env, job));
  checkRequired(own, job, allowMissingSecret, mistakes);
  const common: Common = {
    apiUrl,
    dryRun: mistakes.take('dry-run', false, () => parseBoolean(own, 'dry-run', false)),
    failOnError: mistakes.take('fail-on-error', true, () => parseBoolean(own, 'fail-on-error', true)),
  };
  const namesOnly: NamesOnly = { customFields: [], roles: [], timestamps: [] };
  const read = { getInput: own, common, mistakes, namesOnly };
  const settings = await READERS[job](read);
  return { settings, mistakes: mistakes.messages, faulty: mistakes.inputs, namesOnly };
}

/** `readInputs`, with every mistake thrown as one InputError. */
export async function readSettings<J extends JobName>(job: J, getInput: GetInput, options: ReadOptions = {}): Promise<SettingsOf<J>> {
  const read = await readInputs(job, getInput, options);
  if (read.mistakes.length > 0) throw new InputError(read.mistakes.join('\n'));
  return read.settings;
}

interface Reading {
  getInput: GetInput;
  common: Common;
  mistakes: Mistakes;
  namesOnly: NamesOnly;
}

/** Each job's reader: exactly one per job, or this does not type-check. */
const READERS: { readonly [J in JobName]: (read: Reading) => Promise<SettingsOf<J>> } = {
  declare: readDeclare,
  update: readUpdate,
  resolve: (read) => Promise.resolve(readResolve(read)),
  alert: readAlert,
  heartbeat: ({ getInput, common, mistakes }) =>
    Promise.resolve({ job: 'heartbeat', ...common, alertSourceId: readSourceId(getInput, mistakes), alertToken: getInput('alert-token') }),
};

function readSourceId(getInput: GetInput, mistakes: Mistakes): string {
  return mistakes.take('alert-source-id', '', () =>
    parseOpaqueId('alert-source-id', getInput('alert-source-id'), '01GW2G3V0S59R238FAHPDS1R66'),
  );
}

function readNotify({ getInput, mistakes }: Reading): boolean {
  return mistakes.take('notify-incident-channel', true, () => parseBoolean(getInput, 'notify-incident-channel', true));
}

async function readUpdate(read: Reading): Promise<UpdateSettings> {
  const { getInput, common, mistakes } = read;
  const settings: UpdateSettings = {
    job: 'update',
    ...common,
    ...(await readChanges(read, 'update')),
    apiKey: getInput('api-key'),
    incidentId: mistakes.take('incident-id', '', () => parseIncidentId(getInput('incident-id'))),
    notifyIncidentChannel: readNotify(read),
    message: getInput('message'),
  };
  // A mapping refused above may have been the change: "nothing to change" would mislead then.
  if (!mistakes.any(...CHANGE_INPUTS)) mistakes.take('', undefined, () => checkSomethingToChange(settings));
  return settings;
}

async function readAlert({ getInput, common, mistakes }: Reading): Promise<AlertSettings> {
  return {
    job: 'alert',
    ...common,
    alertSourceId: readSourceId(getInput, mistakes),
    alertToken: getInput('alert-token'),
    githubToken: getInput('github-token'),
    alertStatus: mistakes.take('alert-status', 'firing', () => parseChoice(getInput, 'alert-status', ALERT_STATUSES, 'firing')),
    deduplicationKey: getInput('deduplication-key'),
    name: getInput('name'),
    summary: getInput('summary'),
    metadata: await mistakes.takeAsync('alert-metadata', new Map<string, MappingValue>(), async () =>
      checkAlertMetadata(await parseMapping('alert-metadata', getInput('alert-metadata'))),
    ),
    sourceUrl: mistakes.take('source-url', '', () => parseUrl(getInput, 'source-url', { httpAllowed: true })),
  };
}

async function readDeclare(read: Reading): Promise<DeclareSettings> {
  const { getInput, common, mistakes } = read;
  const changes = await readChanges(read, 'declare');
  const visibility = mistakes.take('visibility', 'public', () => parseChoice(getInput, 'visibility', VISIBILITIES, 'public'));
  const mode = mistakes.take('mode', 'standard', () => parseChoice(getInput, 'mode', MODES, 'standard'));
  // Which inputs fit a retrospective depends on the mode: not checked against a mode that is itself wrong.
  if (!mistakes.any('mode')) mistakes.take('mode', undefined, () => checkRetrospectiveInputs(getInput, mode));
  return {
    job: 'declare',
    ...common,
    ...changes,
    apiKey: getInput('api-key'),
    githubToken: getInput('github-token'),
    visibility,
    mode,
    idempotencyKey: getInput('idempotency-key'),
    incidentType: getInput('incident-type'),
    slackChannelName: getInput('slack-channel-name'),
    incidentKey: mistakes.take('incident-key', '', () => parseIncidentKey(getInput)),
    slackTeamId: mistakes.take('slack-team-id', '', () => parseSlackId(getInput, 'slack-team-id', 'T', 'T02A1B2C3D4')),
    postmortemUrl: mistakes.take('postmortem-url', '', () => parseUrl(getInput, 'postmortem-url')),
    slackChannelId: mistakes.take('slack-channel-id', '', () => parseSlackId(getInput, 'slack-channel-id', 'C', 'C02A1B2C3D4')),
  };
}

function checkRetrospectiveInputs(getInput: GetInput, mode: Mode): void {
  const retrospective = mode === 'retrospective';
  const onlyRetrospective = ['postmortem-url', 'slack-channel-id'].filter((input) => getInput(input) !== '');
  if (!retrospective && onlyRetrospective.length > 0) {
    throw new InputError(
      `Input ${quoteList(onlyRetrospective)} is set, but "mode" is "${mode}": ${onlyRetrospective.length > 1 ? 'they go' : 'it goes'} into a retrospective incident's options. ` +
        'Set "mode: retrospective" to file an incident after the fact, or remove the input.',
    );
  }
  if (retrospective && getInput('slack-channel-name') !== '') {
    throw new InputError(
      'Input "slack-channel-name" is set, but "mode" is "retrospective": a retrospective incident gets no new channel. ' +
        'Use "slack-channel-id" to link an existing channel, or leave it out.',
    );
  }
}

/** A Slack ID: a capital letter (T for a team; C, G or D for a channel), then capitals and digits. */
function parseSlackId(getInput: GetInput, input: string, prefix: 'T' | 'C', example: string): string {
  const raw = getInput(input);
  const prefixes = prefix === 'C' ? 'CGD' : prefix;
  if (raw === '' || new RegExp(`^[${prefixes}][A-Z0-9]{2,}$`).test(raw)) return raw;
  throw new InputError(
    `Input "${input}" is ${JSON.stringify(raw)}; allowed values: a Slack ${prefix === 'T' ? 'team' : 'channel'} ID such as "${example}".`,
  );
}

/** An https URL (or, where `httpAllowed`, http), without credentials. */
function parseUrl(getInput: GetInput, input: string, { httpAllowed = false } = {}): string {
  const raw = getInput(input);
  if (raw === '') return '';
  if (!isLinkUrl(raw, httpAllowed)) {
    throw new InputError(
      `Input "${input}" is ${JSON.stringify(redactUrl(raw))}; allowed values: an ${httpAllowed ? 'http:// or ' : ''}https:// URL without credentials, such as "https://docs.example.com/postmortems/checkout".`,
    );
  }
  return raw;
}

function isLinkUrl(raw: string, httpAllowed: boolean): boolean {
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

/** The keys the action sends in an alert event's metadata itself: a user's key may not replace one. */
export const RESERVED_METADATA = ['repository', 'workflow', 'run_id', 'run_attempt', 'sha', 'ref', 'actor', 'event'];

function checkAlertMetadata(metadata: Map<string, MappingValue>): Map<string, MappingValue> {
  const taken = [...metadata.keys()].filter((key) => RESERVED_METADATA.includes(key));
  if (taken.length > 0) {
    throw new InputError(
      `Input "alert-metadata" sets ${quoteList(taken)}, which the action sends itself; choose other names. Reserved keys: ${quoteList(RESERVED_METADATA)}.`,
    );
  }
  return metadata;
}

/** `resolve` takes one incident by `incident-id`, or every open one of an `incident-key`. */
function readResolve(read: Reading): ResolveSettings {
  const { getInput, common, mistakes } = read;
  const incidentId = mistakes.take('incident-id', '', () => parseIncidentId(getInput('incident-id')));
  const incidentKey = mistakes.take('incident-key', '', () => parseIncidentKey(getInput));
  // Whether each is given, not whether it is well-formed: a malformed one is still the one the user chose.
  const byId = getInput('incident-id') !== '';
  const byKey = getInput('incident-key') !== '';
  if (byId && byKey) {
    mistakes.add(
      'incident-id',
      'Inputs "incident-id" and "incident-key" are both set; the resolve job takes one: "incident-id" resolves that incident, ' +
        '"incident-key" resolves every open incident the action declared under the key.',
    );
  } else if (!byId && !byKey) {
    mistakes.add(
      'incident-id',
      'The resolve job needs "incident-id" (the incident ID, its reference INC-123 or its number, e.g. from the `incident-id` output ' +
        'of the step that declared it) or "incident-key" (to resolve every open incident declared under that key), but both are empty.',
    );
  } else if (byId && getInput('mode') !== '') {
    mistakes.add(
      'mode',
      'Input "mode" is set, but the resolve job uses it only with "incident-key" (to look for incidents of that mode); remove it, or resolve by "incident-key".',
    );
  }
  return {
    job: 'resolve',
    ...common,
    apiKey: getInput('api-key'),
    incidentId,
    incidentKey,
    mode: mistakes.take('mode', 'standard', () => parseChoice(getInput, 'mode', MODES, 'standard')),
    status: getInput('status'),
    notifyIncidentChannel: readNotify(read),
    message: getInput('message'),
  };
}

/**
 * `incident-key`. A key is often built from event data (a branch name, a workflow name) that the
 * workflow's author does not control and the action cannot tell from typed text, so no key is
 * refused for what it holds: a long one is shortened with a hash (`shortenKey`), and a line break
 * is kept (it is hashed like any character; the marker shows it as a space).
 */
function parseIncidentKey(getInput: GetInput): string {
  const key = shortenKey(getInput('incident-key'), MAX_INCIDENT_KEY);
  if (key !== '' && getInput('mode').toLowerCase() === 'retrospective') {
    throw new InputError(
      'Input "incident-key" finds open incidents, but "mode" is "retrospective", whose incidents are filed after the fact; remove one of them.',
    );
  }
  return key;
}

/**
 * A key of at most `max` characters (UTF-16 units), the same for the same input: a longer one
 * keeps its start and ends with `…#` and 16 hex digits of SHA-256 over the whole key, so two long
 * keys that share their start stay apart. A character outside the BMP is never cut in two.
 */
export function shortenKey(key: string, max: number): string {
  if (key.length <= max) return key;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const suffix = `\u2026#${hash}`;
  let head = key.slice(0, max - suffix.length);
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return head + suffix;
}

/** The inputs of an update that change something (all but the required ones). */
const CHANGE_INPUTS = ['severity', 'name', 'summary', 'status', 'custom-fields', 'roles', 'message', 'links', 'timestamps'];

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
async function readMapping(getInput: GetInput, mistakes: Mistakes, input: string): Promise<Map<string, MappingValue>> {
  return mistakes.takeAsync(input, new Map<string, MappingValue>(), () =>
    parseMapping(input, getInput(input)).catch((error: unknown) => {
      const what = LOOKED_UP[input];
      if (!(error instanceof InputError) || !what) throw error;
      throw new InputError(`${error.message} Until it reads as a mapping, ${what} cannot be checked against the workspace.`);
    }),
  );
}

async function readChanges(read: Reading, job: 'declare' | 'update'): Promise<IncidentChanges> {
  const { getInput, mistakes, namesOnly } = read;
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

/** An update must change something: `custom-fields: '{}'` alone would send an empty edit. */
function checkSomethingToChange(settings: UpdateSettings): void {
  const { severity, name, summary, status, customFields, roles, message, links, timestamps } = settings;
  if (
    severity ||
    name ||
    summary ||
    status ||
    message ||
    customFields.size > 0 ||
    roles.size > 0 ||
    links.size > 0 ||
    timestamps.size > 0
  ) {
    return;
  }
  const changes = inputsOf('update').filter((input) => CHANGE_INPUTS.includes(input));
  throw new InputError(
    `The update job needs something to change: set at least one of ${quoteList(changes)} ` +
      '(a mapping input that is empty, such as `custom-fields: {}`, changes nothing).',
  );
}

/** What an unset `${{ vars.X }}` or `${{ secrets.X }}` gives: a hint for every empty value. */
const EMPTY_HINT =
  'If it comes from `${{ vars.… }}` or `${{ secrets.… }}`, check that the variable or secret is set for this repository and environment.';

/** Each field's value well-formed, or a mistake (the field's name can still be looked up). */
function checkFieldValues(
  fields: Map<string, FieldValue>,
  job: 'declare' | 'update',
  mistakes: Mistakes,
  namesOnly: string[],
): Map<string, FieldValue> {
  const result = new Map<string, FieldValue>();
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

/** How an assignee is looked up: by email, by Slack user ID, or as an incident.io user ID. */
export function assigneeKind(assignee: string): 'email' | 'slack_user_id' | 'id' | 'invalid' {
  if (/^[^\s@/?#]+@[^\s@/?#]+\.[^\s@/?#]+$/.test(assignee)) return 'email';
  if (/^[UW][A-Z0-9]{2,}$/.test(assignee)) return 'slack_user_id';
  return /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/.test(assignee) ? 'id' : 'invalid';
}

/**
 * A secret pasted into another input would go into the incident's text, a lookup's URL or the
 * log (redaction would leave `***` there at best): refused before any request, naming the input
 * and the secret, never repeating either value.
 */
function checkNoSecretElsewhere(getInput: GetInput, job: JobName): void {
  const secrets = SECRET_INPUTS.map((name) => ({ name, redactor: new Redactor([getInput(name)]) }));
  const problems = inputsOf(job)
    .filter((input) => !(SECRET_INPUTS as readonly string[]).includes(input))
    .flatMap((input) => {
      const value = getInput(input);
      const found = secrets.find(({ redactor }) => redactor.redact(value) !== value);
      return found ? [`Input "${input}" contains the value of "${found.name}", or ${FRAGMENT} or more characters of it.`] : [];
    });
  if (problems.length > 0) {
    throw new InputError(
      `${problems.join('\n')}\nA secret must not go into incident text, a lookup or the log: pass it only in its own input.`,
    );
  }
}

/**
 * The inputs the job's action.yml declares `required: true` are given: the runner does not
 * enforce it. On a run GitHub gives no secrets, the job's secret may be empty (the step skips).
 */
function checkRequired(getInput: GetInput, job: JobName, allowMissingSecret: boolean, mistakes: Mistakes): void {
  const secret = secretOf(job);
  for (const input of requiredInputs(job)) {
    if (getInput(input) !== '' || (allowMissingSecret && input === secret)) continue;
    if (input === 'api-key') {
      mistakes.add(
        input,
        'Input "api-key" is empty: it must be an incident.io API key' +
          (job === 'declare' ? ' that may create incidents. ' : ' that may update incidents. ') +
          'If you pass it as `${{ secrets.INCIDENT_IO_API_KEY }}`, the secret may be missing: ' +
          'secrets are not given to workflows triggered from forks or by Dependabot, and a typo in the secret name also yields an empty value.',
      );
      continue;
    }
    const source = job === 'heartbeat' ? 'heartbeat' : 'HTTP alert';
    const hint =
      input === 'incident-id'
        ? ' Pass the incident ID, its reference (INC-123) or its number, e.g. from the `incident-id` output of the step that declared it.'
        : input === 'alert-token'
          ? ` Pass the ${source} source's token from a secret; if it is empty, the secret may be missing (forks and Dependabot get no secrets).`
          : ` Pass the ID of the ${source} source from incident.io (Alerts → Sources).`;
    mistakes.add(input, `Input "${input}" is required by the ${job} job, but it is empty.${hint}`);
  }
}
