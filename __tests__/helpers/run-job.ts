/**
 * Runs one job on the source, through `run` (src/main.ts) with the test doubles: the step's
 * inputs, scripted answers, a push to acme/shop's main by default, and a fake clock. It returns
 * what the job said (the fake core's record) and every request it sent, so a test pins exactly
 * what goes out before any bundle is built.
 */
import { run } from '../../src/main.js';
import { FakeClock, fakeCore, pushContext, scriptedFetch, stepOf, type Reply, type Step } from './fakes.js';

/** The environment of a step in acme/shop on main. */
export const STEP_ENV = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_ACTION: 'rollback' };

/** Runs `step` (its `job`, declare by default, and its inputs) against `replies`, in order. */
export async function runJob(step: Step, replies: Reply[]) {
  const { job, inputs } = stepOf(step);
  const core = fakeCore(inputs);
  const fetch = scriptedFetch(replies);
  await run({ core: core.core, fetch, env: STEP_ENV, clock: new FakeClock(), context: () => pushContext }, job);
  const calls = fetch.calls.map((c) => ({
    method: c.init.method,
    path: new URL(c.url).pathname + new URL(c.url).search,
    body: c.init.body ? (JSON.parse(c.init.body as string) as Record<string, unknown>) : undefined,
    headers: c.init.headers as Record<string, string>,
  }));
  return { ...core, calls };
}
