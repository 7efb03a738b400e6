/**
 * Entry point for `npm run local-action` (@github/local-action), which swaps `@actions/core`
 * for its own stub: so this file hands the full `@actions/core` and `@actions/github` in.
 *
 * The stub fills an empty input with action.yml's default, as the runner does; but outside a
 * runner a default that is an expression (`github-token`'s `${{ github.token }}`) cannot be
 * evaluated, and the stub hands it over as that text. This entry reads such a value as empty,
 * as scripts/run-action.mjs does, so an input left empty in `.env` is empty: no GitHub token,
 * no GitHub lookups. local-action prints the outputs after `run` returns, so this entry closes
 * its connections but does not exit the process (src/index.ts does, on a runner).
 *
 * It runs the declare job, or the job `INCIDENT_IO_JOB` names (`resolve`), whose action.yml to
 * give local-action too: `npx local-action ./resolve src/local.ts .env`.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { systemClock } from './core/time.js';
import { run as runAction } from './main.js';
import { networkFetch } from './net/fetch.js';
import type { Core } from './runner/core.js';
import { isJob } from './settings/inputs.js';

export async function run(): Promise<void> {
  const job = process.env['INCIDENT_IO_JOB'] || 'declare';
  if (!isJob(job)) throw new Error(`INCIDENT_IO_JOB is "${job}", which is not a job of this action`);
  const network = networkFetch(globalThis.fetch, process.env);
  try {
    await runAction(
      {
        core: withoutExpressions(core),
        fetch: network.fetch,
        env: process.env,
        clock: systemClock,
        context: () => github.context,
      },
      job,
    );
  } finally {
    await network.close();
  }
}

/** `core` whose getInput reads an unevaluated `${{ … }}` (a default only a runner can fill in) as empty. */
export function withoutExpressions(base: Core): Core {
  return { ...base, getInput: (name) => unevaluated(base.getInput(name)) };
}

function unevaluated(value: string): string {
  return /^\$\{\{[\s\S]*\}\}$/.test(value.trim()) ? '' : value;
}
