/**
 * Runs one job of the bundled action as a child process, the way the runner does: the job's
 * entry (`<bundle>/resolve.js`, as its action.yml's `runs.main` names it), INPUT_* variables
 * including the defaults of that job's action.yml, GITHUB_* context variables, and GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY files. Used by the demo, the end-to-end tests and the benchmark.
 *
 * Which bundle: the directory ACTION_BUNDLE names when it is set, else dist/. Under jest, the
 * global setup (__tests__/helpers/global-setup.mjs) builds src/ into a temporary directory and
 * sets ACTION_BUNDLE, so the tests run the current source; the demo and anything else outside
 * jest run the committed dist/.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJobs, ROOT_JOB } from './jobs.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @type {Map<string, import('./jobs.mjs').Job> | undefined} */
let jobs;
/** The job of that name, from its action.yml (scripts/jobs.mjs). @param {string} name */
export function jobNamed(name) {
  jobs ??= new Map(readJobs(new URL('..', import.meta.url)).map((job) => [job.name, job]));
  const job = jobs.get(name);
  if (!job) throw new Error(`run-action: no job "${name}"; the jobs are ${[...jobs.keys()].join(', ')}`);
  return job;
}

/**
 * A job's input defaults, as the runner would set them from its action.yml. An expression default
 * such as `${{ github.token }}` has no value outside a runner, so it is left empty here.
 * @param {string} [job]
 */
export function actionDefaults(job = ROOT_JOB) {
  return Object.fromEntries(
    Object.entries(jobNamed(job).action.inputs)
      .filter(([, spec]) => spec.default !== undefined)
      .map(([name, spec]) => {
        const value = String(spec.default);
        return [name, value.includes('${{') ? '' : value];
      }),
  );
}

/** The GitHub context of a push to main whose deploy job failed (run 1001, attempt 1). */
export function githubEnv(overrides = {}) {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_WORKFLOW: 'Deploy',
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: '4f1c2a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_JOB: 'deploy',
    ...overrides,
  };
}

/** INPUT_* names keep hyphens and are upper-cased, as the runner does; with the job's defaults first. */
export function inputEnv(inputs, { withDefaults = true, job = ROOT_JOB } = {}) {
  const all = { ...(withDefaults ? actionDefaults(job) : {}), ...inputs };
  return Object.fromEntries(Object.entries(all).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]));
}

/** Reads a GITHUB_OUTPUT file (`name<<DELIM\nvalue\nDELIM` or `name=value` lines). */
export function parseOutputFile(text) {
  const outputs = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]);
      outputs[name] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=');
      outputs[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return outputs;
}

/** The bundle directory runAction runs: ACTION_BUNDLE when set, else dist/. */
export function bundleDir() {
  return process.env.ACTION_BUNDLE || join(root, 'dist');
}

/** The file the runner starts for `job`: its entry in the bundle directory. @param {string} [job] */
export function bundlePath(job = ROOT_JOB) {
  return join(bundleDir(), jobNamed(job).entry);
}

/** Inputs shown as `***` when a failed test prints its runs (__tests__/helpers/environment.mjs). */
const SECRET_INPUTS = new Set(['api-key', 'alert-token', 'github-token']);
/** A run still going after this long is killed (options.timeoutMs): a step must end, and a test must say so. */
export const RUN_TIMEOUT_MS = 90_000;

/**
 * Runs a job of the bundle (bundlePath(job), or options.bundle) with the given inputs.
 * options: { job (default the root's, declare), env, node (binary path, default: ACTION_NODE or this process's), withDefaults,
 * summaryFile (false to unset), bundle (path to another entry file), timeoutMs (kill the run after this long; default RUN_TIMEOUT_MS),
 * readDelayMs (start reading the run's stdout only after this long, as a slow reader of the pipe would) }
 * A run that is killed resolves with `timedOut: true` and `code: null`.
 * Under jest, each run is also recorded for the test environment, which prints the runs of a failed test.
 * @param {Record<string, string>} inputs
 * @param {{ job?: string, env?: Record<string, string>, node?: string, withDefaults?: boolean, summaryFile?: false, bundle?: string, timeoutMs?: number, readDelayMs?: number }} [options]
 * @returns {Promise<{ code: number | null, timedOut: boolean, stdout: string, stderr: string, ms: number, outputs: Record<string, string>, summary: string }>}
 */
export async function runAction(inputs, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'incident-io-action-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...githubEnv(),
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...inputEnv(inputs, { withDefaults: options.withDefaults ?? true, job: options.job }),
    ...options.env,
  };
  if (options.summaryFile === false) delete env.GITHUB_STEP_SUMMARY;
  const started = performance.now();
  const child = spawn(options.node ?? process.env.ACTION_NODE ?? process.execPath, [options.bundle ?? bundlePath(options.job)], {
    env,
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  if (options.readDelayMs) {
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), options.readDelayMs);
  }
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? RUN_TIMEOUT_MS);
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => clearTimeout(timer));
  const ms = performance.now() - started;
  try {
    const result = {
      code: timedOut ? null : code,
      timedOut,
      stdout,
      stderr,
      ms,
      outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
    };
    record(result, inputs, options.env, options.job);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Keeps the run for the test environment (__tests__/helpers/environment.mjs), when it asked for runs. */
function record(result, inputs, env = {}, job = ROOT_JOB) {
  const runs = globalThis.__actionRuns__;
  if (!Array.isArray(runs)) return;
  const shown = Object.entries(inputs).map(([name, value]) => `${name}=${SECRET_INPUTS.has(name) ? '***' : JSON.stringify(value)}`);
  const names = Object.keys(env);
  runs.push({ ...result, label: `${job}: ${shown.join(', ') || '(none)'}${names.length > 0 ? `; env ${names.join(', ')}` : ''}` });
}
