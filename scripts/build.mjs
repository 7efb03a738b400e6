/**
 * Builds the action's bundle from src/: the one build, used by everything that needs a bundle,
 * so dist/ and the bundle the tests run cannot be built two different ways.
 *
 *   node scripts/build.mjs                 # into dist/ (this is `npm run package`)
 *   node scripts/build.mjs --out <dir>     # anywhere else (the tests' global setup, `npm run check-dist`)
 *   node scripts/build.mjs --quiet         # print nothing but errors
 *
 * Steps: `ncc build src/index.ts --minify --target es2022` (ESM: index.js, one chunk per dynamic
 * import, package.json), then terser on the chunks ncc leaves unminified, every file printed
 * ASCII-only (scripts/minify-chunks.mjs), then each module factory put back in the parentheses
 * minifying removed, so V8 compiles it on parse instead of parsing it twice
 * (scripts/eager-factories.mjs), then licenses.txt, the licences of every bundled package, from
 * ncc's webpack stats (scripts/licenses.mjs says why not ncc's own --license), then one small
 * entry per job (`dist/declare.js`, `dist/resolve.js`, …), the file each job's action.yml runs:
 * it imports the engine, index.js, and starts its job (`entrySource`). A JavaScript action
 * cannot tell which action.yml started it, so each needs its own; the jobs are those of
 * scripts/jobs.mjs.
 * The output directory is emptied first; a directory that holds anything but bundle files is
 * refused rather than emptied.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { eagerFactories } from './eager-factories.mjs';
import { readJobs } from './jobs.mjs';
import { bundledPackageDirs, licenseEntry, renderLicenses } from './licenses.mjs';
import { minifyChunks } from './minify-chunks.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The ncc flags of every build. */
export const NCC_FLAGS = ['--minify', '--target', 'es2022'];

/** What a bundle directory may hold; anything else means --out points somewhere it should not. */
const BUNDLE_FILE = /^(index\.js|\d+\.index\.js|[a-z][a-z-]*\.js|package\.json|licenses\.txt|[\w.-]+\.map)$/;

function nccCli() {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@vercel/ncc/package.json');
  const { bin } = JSON.parse(readFileSync(pkgPath, 'utf8'));
  return join(dirname(pkgPath), typeof bin === 'string' ? bin : bin.ncc);
}

/**
 * The entry of one job: the engine, started with the job's name. (A top-level await: the step
 * runs until the job is done, and the engine exits the process itself.)
 * @param {string} job
 */
export function entrySource(job) {
  return `// The ${job} job's entry, written by scripts/build.mjs: its action.yml runs this file.\nimport { start } from './index.js';\nawait start(${JSON.stringify(job)});\n`;
}

/** Empties out, or refuses if it holds anything a build would not have written. */
function clearOutDir(out) {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new Error(`build: --out ${out} is a file, not a directory`);
  const foreign = readdirSync(out).filter((name) => !BUNDLE_FILE.test(name));
  if (foreign.length > 0) {
    throw new Error(`build: refusing to empty ${out}: it holds ${foreign.slice(0, 5).join(', ')}, which a build does not write`);
  }
  rmSync(out, { recursive: true, force: true });
}

/** Runs the ncc CLI in cwd; resolves with its output, rejects with it when ncc fails. */
export function ncc(args, cwd = root) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [nccCli(), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolveRun(output);
      else reject(new Error(`ncc ${args.join(' ')} failed (exit ${code}):\n${output}`));
    });
  });
}

/**
 * Builds src/index.ts into out (default dist/). Returns the output directory.
 * source: the project to build (default this repository; a test builds a small fixture project).
 * @param {{ out?: string, source?: string, log?: (line: string) => void }} [options]
 */
export async function build({ out = join(root, 'dist'), source = root, log = () => {} } = {}) {
  const dir = resolve(out);
  clearOutDir(dir);
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'incident-io-action-build-'));
  try {
    const statsFile = join(work, 'stats.json');
    const output = await ncc(['build', 'src/index.ts', '-o', dir, ...NCC_FLAGS, '--stats-out', statsFile], source);
    for (const line of output.trimEnd().split('\n')) if (line) log(line);
    await minifyChunks(dir, log);
    eagerFactories(dir, log);
    const packages = bundledPackageDirs(JSON.parse(readFileSync(statsFile, 'utf8')));
    writeFileSync(join(dir, 'licenses.txt'), renderLicenses(packages.map(licenseEntry)));
    log(`licenses.txt: ${packages.length} bundled packages`);
    // A project without an action.yml (a test's fixture) has no jobs: index.js alone.
    const jobs = existsSync(join(source, 'action.yml')) ? readJobs(pathToFileURL(`${resolve(source)}/`)) : [];
    for (const job of jobs) writeFileSync(join(dir, job.entry), entrySource(job.name));
    if (jobs.length > 0) log(`entries: ${jobs.map((job) => job.entry).join(', ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`built ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  let out;
  let quiet = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1] && !args[i + 1].startsWith('-')) out = args[++i];
    else if (args[i] === '--quiet') quiet = true;
    else {
      console.error(`build: unknown argument ${args[i]}\nusage: node scripts/build.mjs [--out <dir>] [--quiet]`);
      process.exit(2);
    }
  }
  try {
    await build({ out: out === undefined ? undefined : resolve(out), log: quiet ? undefined : console.log });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
