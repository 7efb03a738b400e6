/**
 * Entry point for `npm run local-action` (@github/local-action), which swaps `@actions/core`
 * for its own stub: so this file hands the full `@actions/core` and `@actions/github` in.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { systemClock } from './incident-io/client.js';
import { run as runAction } from './main.js';
import { networkFetch } from './net/fetch.js';

export async function run(): Promise<void> {
  const fetch = networkFetch(globalThis.fetch, process.env);
  await runAction({ core, fetch, env: process.env, clock: systemClock, context: () => github.context });
}
