/**
 * Jest global setup (jest.config.js): builds the bundle from the current src/ into a temporary
 * directory, once per test run, with scripts/build.mjs (the build `npm run package` runs), and
 * sets ACTION_BUNDLE to that directory. scripts/run-action.mjs runs its jobs' entries, so the
 * end-to-end, contract and workflow tests run the source as it stands, never the committed dist/
 * (`npm run check-dist` compares the two). Jest starts its workers after this, with this
 * process's environment, so they see ACTION_BUNDLE; global-teardown.mjs removes the directory.
 * Before all that it stops on a Node older than package.json's engines (scripts/node-version.mjs),
 * naming the fix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../scripts/build.mjs';
import { nodeProblem } from '../../scripts/node-version.mjs';

export default async function globalSetup() {
  // The bundle and its undici need the Node package.json states: say so at once, not in 40 failures.
  const problem = nodeProblem();
  if (problem) throw new Error(problem);
  const dir = mkdtempSync(join(tmpdir(), 'incident-io-action-bundle-'));
  const started = performance.now();
  try {
    await build({ out: dir });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `The tests run a bundle built from src/, and building it failed:\n${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  globalThis.__ACTION_BUNDLE_DIR__ = dir;
  process.env.ACTION_BUNDLE = dir;
  console.log(`\nBuilt the bundle from src/ for this run in ${((performance.now() - started) / 1000).toFixed(1)} s: ${dir}`);
}
