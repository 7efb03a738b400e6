/**
 * The Node this project needs, stated once: package.json's `engines.node` (">=24.18.0": Node 24,
 * the runner's `node24`, and the release Prism, the contract test's mock server, needs), with
 * `.nvmrc` naming the major version for nvm, fnm and `.ci/run`.
 *
 * `nodeProblem()` says what is wrong with the running Node, or undefined when it will do. Jest's
 * global setup and the benchmarks call `requireNode()`, which stops with that message, so an older
 * Node fails at once with the fix rather than later with an error from a dependency. Run alone
 * (`node scripts/node-version.mjs`), it checks the Node it runs on; `.ci/run` does that first. It reads
 * package.json itself, not through a semver package, so it works before `npm ci`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** package.json's engines.node, which must be of the form ">=X.Y.Z". */
export function requiredNode() {
  const range = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines?.node ?? '';
  const match = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  if (!match) throw new Error(`package.json's engines.node is ${JSON.stringify(range)}; scripts/node-version.mjs reads only ">=X.Y.Z".`);
  return { range, version: match.slice(1).map(Number) };
}

/** Why `version` (default: this process's) is too old, or undefined when it satisfies engines.node. */
export function nodeProblem(version = process.version) {
  const { range, version: wanted } = requiredNode();
  const have = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > wanted[i]) return undefined;
    if ((have[i] ?? 0) < wanted[i]) {
      return (
        `This is Node ${version}; this project needs Node ${range.replace(/^>=\s*/, '')} or later (package.json's engines). ` +
        'Run `nvm use` (or `fnm use`) in the repository to switch to the version in .nvmrc, or install Node 24 from nodejs.org.'
      );
    }
  }
  return undefined;
}

/** Stops this process with nodeProblem()'s message when the running Node is too old. */
export function requireNode() {
  const problem = nodeProblem();
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) requireNode();
