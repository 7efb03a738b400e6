/**
 * Orchestration only: mask the secrets, read the job's settings, hand them to the job, and apply
 * the failure policy. Every dependency (core, fetch, env, clock, the GitHub context) is passed in;
 * the job is the one whose action.yml started the step (src/index.ts).
 */
import { ApiError, InputError, RunnerSetupError } from './core/errors.js';
import { readRunContext, type GitHubContext } from './github/context.js';
import type { Fetch } from './core/fetch.js';
import { WRITE_DEADLINE_MS, type Clock, type Deadline } from './core/time.js';
import { hasProxyVariable } from './net/proxy-env.js';
import { JOBS } from './jobs/registry.js';
import { recordingFetch } from './jobs/job.js';
import { Output, OutputError } from './output/output.js';
import { Redactor } from './core/redact.js';
import type { Core } from './runner/core.js';
import { isRecord } from './core/shape.js';
import { outputsOf, SECRET_INPUTS, type JobName } from './settings/inputs.js';
import { readInputs, secretOf } from './settings/read.js';
import { parseBoolean } from './settings/values.js';

export interface Deps {
  core: Core;
  fetch: Fetch;
  env: Record<string, string | undefined>;
  clock: Clock;
  /** Reads the GitHub context (the event payload file among it); called once, inside the failure policy. */
  context: () => GitHubContext;
}

export async function run<J extends JobName>(deps: Deps, job: J): Promise<void> {
  const { core, env } = deps;
  // The proxy code is loaded only when a proxy variable is set.
  const proxy = hasProxyVariable(env) ? await import('./net/proxy.js') : undefined;
  const out = new Output(core, maskSecrets(core, proxy?.proxySecrets(env) ?? []), env, outputsOf(job));
  let failOnError = true;
  try {
    // A typo in it is reported with the other inputs' mistakes; until then the step fails on errors.
    failOnError = readFailOnError(core);
    const context = loadContext(deps.context, env);
    const secretless = secretlessRun(context, env);
    // The job's module: its reader, its story, its lookups; a run loads only its own job's.
    const jobModule = await JOBS[job].load();
    const read = await readInputs(job, core.getInput, jobModule.read, { allowMissingSecret: secretless !== undefined, env });
    const { settings } = read;
    const secret = secretOf(job);
    // A mistake in the step is reported on every run, a fork's included: it is the workflow's, not the run's.
    if (secretless && core.getInput(secret) === '' && read.mistakes.length === 0) {
      // GitHub gave this run no secrets: not a failure of the deploy, so not a red check either.
      out.notice(
        `Skipped: "${secret}" is empty because ${secretless}, and GitHub gives such runs no secrets. Nothing was sent. ` +
          "To skip the step yourself, guard it with `if: github.event.pull_request.head.repo.fork != true && github.actor != 'dependabot[bot]'`.",
        'incident.io step skipped',
      );
      out.setOutput('skipped', 'true');
      if (out.declares('created')) out.setOutput('created', 'false');
      return;
    }
    const run = readRunContext(context, env);
    // The fetch reads the proxy variables on its first request; a malformed one is an input error here first.
    proxy?.readProxyConfig(env);
    // A dry run's last line says what it looked up: the requests that were answered.
    const requests: string[] = [];
    const fetch = settings.dryRun ? recordingFetch(deps.fetch, requests) : deps.fetch;
    const base = {
      out,
      redactor: out.redactor,
      env,
      clock: deps.clock,
      fetch,
      run,
      deadline: writeDeadline(deps),
      requests,
      noSecrets: secretless,
    };
    // Nothing is sent for inputs with a mistake; the names in the others are still looked up, so every mistake shows at once.
    if (read.mistakes.length > 0)
      await (await import('./jobs/check.js')).refuseInputs({ ...base, settings }, read, jobModule.lookups(read));
    else await jobModule.run({ ...base, settings });
  } catch (error) {
    reportFailure(out, error, failOnError);
  }
  if (!out.written.has('skipped')) {
    try {
      out.setOutput('skipped', 'false');
    } catch {
      // Reported already: the outputs cannot be written at all.
    }
  }
}

/**
 * Why GitHub gave this run no secrets, or undefined when it did: a pull request from a fork
 * (`pull_request*` events whose head repository is not the base), or a run that Dependabot
 * triggered. `pull_request_target` and `workflow_run` runs get secrets, so they are not such runs.
 */
export function secretlessRun(context: GitHubContext, env: Record<string, string | undefined>): string | undefined {
  const event = context.eventName ?? '';
  if (event === 'pull_request_target' || event === 'workflow_run') return undefined;
  const pull = context.payload['pull_request'];
  if (event.startsWith('pull_request') && isRecord(pull)) {
    const head = isRecord(pull['head']) && isRecord(pull['head']['repo']) ? pull['head']['repo']['full_name'] : undefined;
    const base = isRecord(pull['base']) && isRecord(pull['base']['repo']) ? pull['base']['repo']['full_name'] : undefined;
    if (typeof head === 'string' && typeof base === 'string' && head !== base) return 'this run is for a pull request from a fork';
  }
  const actors = [context.actor, env['GITHUB_TRIGGERING_ACTOR']];
  if (actors.includes('dependabot[bot]')) return 'Dependabot triggered this run';
  return undefined;
}

/**
 * Masks every secret input before anything can print it: the whole value and each line of a
 * multi-line one (as the runner does for `secrets.*`), and the credentials in a proxy variable
 * (the runner masks only `secrets.*`, and a runner's proxy variables come from its host).
 * Returns the redactor built from them.
 */
function maskSecrets(core: Core, proxySecrets: readonly string[]): Redactor {
  const inputs = SECRET_INPUTS.map((name) => core.getInput(name));
  const values = [...inputs, ...proxySecrets].filter((value) => value !== '');
  const lines = values.flatMap((value) => value.split(/\r\n|\r|\n/).map((line) => line.trim()));
  const all = [...new Set([...values, ...lines])].filter((value) => value !== '');
  const redactor = new Redactor(all);
  // The runner masks exact values only: tell it every form the Redactor knows (URL-encoded,
  // JSON-escaped, base64 …), and the short values too, which the Redactor leaves to it.
  for (const secret of new Set([...all, ...redactor.masks()])) core.setSecret(secret);
  return redactor;
}

/** `fail-on-error`, or true (the default) when it is malformed: that mistake is reported with the others. */
function readFailOnError(core: Core): boolean {
  try {
    return parseBoolean(core.getInput, 'fail-on-error', true);
  } catch {
    return true;
  }
}

/** One deadline for every request up to the write; `INCIDENT_IO_DEADLINE_MS` replaces it (tests lower it). */
function writeDeadline({ clock, env }: Deps): Deadline {
  const override = Number(env['INCIDENT_IO_DEADLINE_MS']);
  const ms = Number.isInteger(override) && override > 0 ? override : WRITE_DEADLINE_MS;
  return { at: clock.now() + ms, name: `the ${ms / 1000} s deadline for reaching incident.io` };
}

function loadContext(load: () => GitHubContext, env: Record<string, string | undefined>): GitHubContext {
  try {
    return load();
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new Error(
      `Could not read the workflow's event payload from GITHUB_EVENT_PATH (${JSON.stringify(env['GITHUB_EVENT_PATH'] ?? '')}): ${reason}. ` +
        'The runner writes this file; if a step before this one changed or removed it, restore it.',
      { cause: error },
    );
  }
}

/**
 * The failure policy: one clear message, as an error (the step fails) or, with
 * `fail-on-error: false`, as a warning (the step succeeds) unless the inputs are at fault. Outputs already written stay as
 * they are: an incident that was created is never reported as `created=false`.
 */
function reportFailure(out: Output, error: unknown, failOnError: boolean): void {
  const message = error instanceof Error ? error.message : String(error);
  // A stack helps only with the unexpected: a bad input, an API error or an unwritable output says all in its message.
  const expected = error instanceof InputError || error instanceof ApiError || error instanceof OutputError;
  if (!expected && error instanceof Error && error.stack) out.debug(error.stack);
  if (out.declares('created') && !out.written.has('created')) {
    try {
      out.setOutput('created', 'false');
    } catch {
      // The outputs cannot be written at all; the message below says why.
    }
  }
  // A mistake in the step's inputs fails it whatever fail-on-error says: as a warning it would
  // leave the incident path broken, green, until the outage it was written for.
  if (failOnError) out.fail(message);
  else if (error instanceof InputError && !(error instanceof RunnerSetupError)) {
    out.fail(`${message} (fail-on-error: false covers faults of incident.io, GitHub and the network, not a mistake in the step's inputs.)`);
  } else out.warning(`${message} (fail-on-error is false, so this step succeeds.)`, 'incident.io');
}
