// src/settings/: the inputs, read and validated once into typed settings, before any request.
/**
 * Reads a job's inputs once, into that job's settings, before any request: the checks every job
 * shares (an `operation` input, the secrets, `api-url`, an input the job does not declare, a
 * required input left empty, `dry-run`, `fail-on-error`) here, and each job's own inputs through
 * the reader its module gives (src/jobs/<job>/settings.ts). Each error names the input, the bad
 * value and the values allowed. Only the job's own inputs are read, and a reader can name no
 * other: its `getInput` takes the names its action.yml declares (a type error otherwise).
 */
import { InputError, quoteList } from '../core/errors.js';
import { FRAGMENT, Redactor } from '../core/redact.js';
import { closest } from '../core/suggest.js';
import {
  actionName,
  inputsOf,
  isJob,
  JOB_NAMES,
  jobsDeclaring,
  requiredInputs,
  SECRET_INPUTS,
  usesFor,
  type InputOf,
  type JobName,
} from './inputs.js';
import { Mistakes } from './mistakes.js';
import { checkHeaderSafe, parseApiUrl, parseBoolean, type GetInput } from './values.js';

/** What every job's settings hold. */
export interface Common<J extends JobName = JobName> {
  job: J;
  /** Base URL without a trailing slash. */
  apiUrl: string;
  dryRun: boolean;
}

/** Names in a mapping input whose value was refused: the name itself can still be looked up. */
export interface NamesOnly {
  customFields: string[];
  roles: string[];
  timestamps: string[];
}

/** What a job's reader is given: its inputs (and only those), the settings every job shares, and where to record a mistake. */
export interface Reading<J extends JobName> {
  getInput: GetInput<InputOf<J>>;
  common: Common<J>;
  mistakes: Mistakes;
  namesOnly: NamesOnly;
  /**
   * GitHub gives this run no secrets (a fork's pull request, Dependabot): an empty secret is no
   * mistake of the step's (the step skips, or does without what that secret was for).
   */
  secretless: boolean;
}

/** Reads a job's own inputs into its settings, recording each mistake (src/jobs/<job>/settings.ts). */
export type Reader<J extends JobName, S extends Common> = (reading: Reading<J>) => S | Promise<S>;

/** What reading the inputs found: the settings, and every mistake in them. */
export interface SettingsRead<S extends Common = Common> {
  /**
   * The job's settings. Where an input has a mistake, its value here is only a stand-in (the
   * default, or the well-formed entries of a mapping): good for looking up the other inputs'
   * names, never for sending anything.
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
  /** The environment, whose INPUT_ variables show an input the job does not declare. */
  env?: Record<string, string | undefined>;
}

/**
 * Reads every input of `job`, its own through `reader`. The checks that guard the requests
 * themselves come first and throw at once: an `operation` input, the characters of a secret, a
 * secret in another input, and `api-url`. Every other mistake is collected, so one run reports
 * them all, and the inputs that are well-formed can still be looked up in the workspace. Only the
 * job's own inputs are read: a value the step gives under another name is refused, never used.
 */
export async function readInputs<J extends JobName, S extends Common>(
  job: J,
  getInput: GetInput,
  reader: Reader<J, S>,
  { allowMissingSecret = false, env = {} }: ReadOptions = {},
): Promise<SettingsRead<S>> {
  checkNoOperation(env, job);
  const declared = new Set<string>(inputsOf(job));
  // A value given under a name the job does not declare reads as empty: it is refused below, never used.
  const own: GetInput = (name) => (declared.has(name) ? getInput(name) : '');
  for (const input of SECRET_INPUTS) checkHeaderSafe(input, own(input));
  checkNoSecretElsewhere(own, job);
  const apiUrl = parseApiUrl(own('api-url') || 'https://api.incident.io');

  const mistakes = new Mistakes();
  mistakes.take('', undefined, () => checkDeclaredInputs(env, job));
  checkRequired(own, job, allowMissingSecret, mistakes);
  const common: Common<J> = { job, apiUrl, dryRun: mistakes.take('dry-run', false, () => parseBoolean(own, 'dry-run', false)) };
  // main.ts reads it for the failure policy; a malformed one is a mistake like any other.
  mistakes.take('fail-on-error', true, () => parseBoolean(own, 'fail-on-error', true));
  const namesOnly: NamesOnly = { customFields: [], roles: [], timestamps: [] };
  const settings = await reader({ getInput: own, common, mistakes, namesOnly, secretless: allowMissingSecret });
  return { settings, mistakes: mistakes.messages, faulty: mistakes.inputs, namesOnly };
}

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

/** What a job's API key must be allowed to do, for the message about an empty one (default: update incidents). */
const KEY_MAY: Partial<Record<JobName, string>> = {
  declare: 'create incidents',
  escalate: 'page (escalations.create) or, to cancel, list and cancel escalations (escalations.view, escalations.cancel)',
  maintenance: 'create and update maintenance windows',
  'on-call': 'view schedules (schedules.view)',
};

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
        `Input "api-key" is empty: it must be an incident.io API key that may ${KEY_MAY[job] ?? 'update incidents'}. ` +
          'If you pass it as `${{ secrets.INCIDENT_IO_API_KEY }}`, the secret may be missing: ' +
          'secrets are not given to workflows triggered from forks or by Dependabot, and a typo in the secret name also yields an empty value.',
      );
      continue;
    }
    const source = job === 'heartbeat' ? 'heartbeat' : 'HTTP alert';
    const hint =
      {
        schedule: ' Set it to the name or ID of an incident.io schedule (On-call → Schedules), such as "Platform Primary".',
        'incident-id':
          ' Pass the incident ID, its reference (INC-123) or its number, e.g. from the `incident-id` output of the step that declared it.',
        'alert-token': ` Pass the ${source} source's token from a secret; if it is empty, the secret may be missing (forks and Dependabot get no secrets).`,
        window: ' Allowed values: "start" (opens a maintenance window before the deploy), "end" (ends it afterwards).',
        'alert-source-id': ` Pass the ID of the ${source} source from incident.io (Alerts → Sources).`,
      }[input] ?? '';
    mistakes.add(input, `Input "${input}" is required by the ${job} job, but it is empty.${hint}`);
  }
}
