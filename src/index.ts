/**
 * The engine of the bundle: `start(job)` runs one job with the real runner environment. Each
 * job's action.yml runs a small entry of its own (`dist/resolve.js`, written by
 * scripts/build.mjs), which imports this module and starts its job: a JavaScript action cannot
 * tell which action.yml started it. Only light modules are loaded here (see runner.ts); the job's
 * own code, and anything heavier, is imported when a run needs it.
 * `run` applies the failure policy itself; the catch below is the last resort that keeps a bug
 * from reaching stderr as a stack trace with bundle source. The fetch is the runtime's, wrapped
 * once to honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (src/net/); without them it is the runtime's.
 *
 * Then the step ends, whatever is still open: the proxy connections are closed, and the process
 * exits with the outcome's code as soon as stdout and stderr have handed over their last line
 * (src/runner/exit.ts says why it does not wait for Node to find nothing left to do).
 */
import { Context } from '#actions-github/context.js';
import { systemClock } from './core/time.js';
import { run } from './main.js';
import { networkFetch } from './net/fetch.js';
import { inertAnnotation } from './output/commands.js';
import { Redactor } from './core/redact.js';
import { exitWhenFlushed, within } from './runner/exit.js';
import { runner } from './runner/runner.js';
import { isJob, SECRET_INPUTS } from './settings/inputs.js';

/** Closing the proxy connections destroys sockets, which takes a moment; this bounds it all the same. */
const CLOSE_LIMIT_MS = 2_000;

/** Runs `job` (the name its entry passes) to the end, then exits: the step is over. */
export async function start(job: string): Promise<void> {
  const network = networkFetch(globalThis.fetch, process.env);
  try {
    // The entries are generated from the action.yml files; a name that is no job's is a broken build.
    if (!isJob(job)) throw new Error(`the bundle was started for the job "${job}", which it does not have`);
    await run({ core: runner, fetch: network.fetch, env: process.env, clock: systemClock, context: () => new Context() }, job);
  } catch (error) {
    // Even here, no secret and no runner command: the inputs' secrets are redacted, the text made inert.
    const secrets = SECRET_INPUTS.map((name) => runner.getInput(name));
    const raw = new Redactor(secrets).redact(error instanceof Error ? error.message : String(error));
    const message = inertAnnotation(raw).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    process.stdout.write(`::error::The incident.io action failed unexpectedly: ${message}\n`);
    process.exitCode = 1;
  } finally {
    await within(network.close(), CLOSE_LIMIT_MS);
    const code = Number(process.exitCode ?? 0);
    await exitWhenFlushed(Number.isInteger(code) ? code : 1, {
      streams: [process.stdout, process.stderr],
      exit: (code) => process.exit(code),
    });
  }
}
