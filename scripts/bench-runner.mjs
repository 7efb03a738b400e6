/**
 * `npm run bench:runner [-- --runs 31]`: how much src/runner/runner.ts saves by building the
 * runner interface from `@actions/core`'s lib/ modules instead of importing its entry module
 * (which also loads the OIDC client, @actions/http-client and undici). Re-measure it when
 * @actions/core is updated, and put the figure in docs/performance.md.
 *
 * On the Node the project states (Node 24, .nvmrc; it stops on an older one), it times
 * `await import()` in fresh processes, interleaved, for four modules:
 *   - `@actions/core` and the light runner as they sit in node_modules (the runner transpiled from
 *     runner.ts, its `#actions-core/*` imports pointed at node_modules/@actions/core/lib/);
 *   - each bundled by ncc with the action's flags (scripts/build.mjs), which is how the action
 *     runs them: `import * as core from '@actions/core'` against `import { runner }`.
 * It prints the median of each and the differences.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { median } from './bench-stats.mjs';
import { NCC_FLAGS, ncc, root } from './build.mjs';
import { requireNode } from './node-version.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--runs');
const RUNS = Math.max(21, at >= 0 ? Number(args[at + 1]) : 31);

/** runner.ts as an ES module Node can load, as __tests__/runner/runner.test.ts makes it. */
function transpileRunner(dir) {
  const { outputText } = ts.transpileModule(readFileSync(join(root, 'src/runner/runner.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, removeComments: true },
  });
  const lib = join(root, 'node_modules/@actions/core/lib');
  const code = outputText.replace(/(["'])#actions-core\/([^"']+)\1/g, (_, q, file) => q + pathToFileURL(join(lib, file)).href + q);
  writeFileSync(join(dir, 'runner.mjs'), code);
  return pathToFileURL(join(dir, 'runner.mjs')).href;
}

/** Bundles an entry with ncc; the entry lives under node_modules/.cache so that it resolves like src/. */
async function bundle(work, name, source) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'entry.ts'), source);
  await ncc(['build', relative(root, join(dir, 'entry.ts')), '-o', join(dir, 'out'), ...NCC_FLAGS, '--quiet']);
  return pathToFileURL(join(dir, 'out', 'index.js')).href;
}

/** Milliseconds for `await import(specifier)` in a fresh process. */
function importMs(specifier) {
  const code = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`import(${specifier}) failed: ${run.stderr}`);
  return Number(run.stdout);
}

async function bench() {
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
  const work = mkdtempSync(join(root, 'node_modules/.cache/bench-runner-'));
  try {
    console.log('Bundling both with ncc…');
    const variants = {
      'core entry, node_modules': '@actions/core',
      'light runner, node_modules': transpileRunner(work),
      'core entry, bundled': await bundle(
        work,
        'core',
        "import * as core from '@actions/core';\n(globalThis as Record<string, unknown>).core = core;\n",
      ),
      'light runner, bundled': await bundle(
        work,
        'light',
        "import { runner } from '../../../../src/runner/runner.js';\n(globalThis as Record<string, unknown>).runner = runner;\n",
      ),
    };
    const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
    for (const specifier of Object.values(variants)) importMs(specifier); // warm the file cache
    for (let i = 0; i < RUNS; i++) {
      const order = Object.entries(variants);
      if (i % 2) order.reverse();
      for (const [name, specifier] of order) times[name].push(importMs(specifier));
    }
    const m = Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
    console.log(`\nawait import() in a fresh process, Node ${process.version}, median of ${RUNS} runs each (interleaved):`);
    for (const [name, value] of Object.entries(m)) console.log(`  ${name.padEnd(28)} ${value.toFixed(1).padStart(7)} ms`);
    const saved = (kind) => m[`core entry, ${kind}`] - m[`light runner, ${kind}`];
    console.log(
      `\nsaved by the light runner: ${saved('bundled').toFixed(1)} ms bundled, ${saved('node_modules').toFixed(1)} ms from node_modules`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

requireNode();
await bench();
