/**
 * The bundle's entry point: run the action with the real runner environment. Only light
 * modules are loaded here (see runner.ts); anything heavier is imported when a run needs it.
 */
import { Context } from '#actions-github/context.js';
import { systemClock } from './incident-io/client.js';
import { run } from './main.js';
import { runner } from './runner/runner.js';

await run({ core: runner, fetch: globalThis.fetch, env: process.env, clock: systemClock, context: new Context() });
