/**
 * Orchestration only: mask the secrets, read the settings, hand them to the operation, and apply
 * the failure policy. Every dependency (core, fetch, env, clock, the GitHub context) is passed in.
 */
import { alert } from './operations/alert.js';
import { redactSecret, type Clock, type FetchLike } from './incident-io/client.js';
import { readRunContext, type GitHubContext } from './github/context.js';
import type { Core } from './runner/core.js';
import { create } from './operations/create.js';
import { InputError } from './errors.js';
import { resolve } from './operations/resolve.js';
import { update } from './operations/update.js';
import type { OperationContext } from './operations/operation.js';
import { parseBoolean, readSettings, type Settings } from './settings/settings.js';

export interface Deps {
  core: Core;
  fetch: FetchLike;
  env: Record<string, string | undefined>;
  clock: Clock;
  context: GitHubContext;
}

export async function run(deps: Deps): Promise<void> {
  const { core } = deps;
  // Mask the secrets before anything can print them.
  const secrets = ['api-key', 'alert-token', 'github-token'].map((name) => core.getInput(name)).filter((s) => s !== '');
  for (const secret of secrets) core.setSecret(secret);
  const redact = (text: string) => secrets.reduce(redactSecret, text);

  let failOnError = true;
  try {
    failOnError = parseBoolean(core.getInput, 'fail-on-error', true);
    const settings = await readSettings(core.getInput);
    const run = readRunContext(deps.context, deps.env);
    await OPERATIONS[settings.operation]({ core, env: deps.env, clock: deps.clock, fetch: deps.fetch, settings, run });
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error));
    if (!(error instanceof InputError) && error instanceof Error && error.stack) core.debug(redact(error.stack));
    core.setOutput('created', 'false');
    if (failOnError) core.setFailed(message);
    else core.warning(`${message} (fail-on-error is false, so this step succeeds.)`, { title: 'incident.io' });
  }
}

const OPERATIONS: Record<Settings['operation'], (ctx: OperationContext) => Promise<void>> = { create, update, resolve, alert };
