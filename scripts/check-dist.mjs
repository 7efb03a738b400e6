/**
 * `npm run check-dist`: fails unless dist/ is exactly the bundle of the working tree's src/.
 *
 * Builds src/ with scripts/build.mjs (the build `npm run package` runs) into a temporary
 * directory and compares every file with dist/ byte for byte, both ways: a file that differs, a
 * file the build makes that dist/ lacks, and a file in dist/ that the build does not make. It
 * compares files on disk, not git, so a dist/ that was rebuilt but not yet committed passes; CI
 * checks out the commit, so there it checks what was committed. It also checks that every job's
 * action.yml finds its entry there (`runs.main`, scripts/jobs.mjs): a job whose entry is missing
 * would fail on every runner. Used by .ci/run and .github/workflows/check-dist.yml.
 *
 *   npm run check-dist
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, root } from './build.mjs';
import { readJobs } from './jobs.mjs';

/** Every file under dir, as sorted paths relative to it ('/'-separated); [] when dir is absent. */
export function listFiles(dir, prefix = '') {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT' && prefix === '') return [];
    throw error;
  }
  return entries.flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`])).sort();
}

/**
 * Compares a fresh build with dist/, file by file.
 * @param {string} built the fresh build
 * @param {string} dist the directory that should equal it
 * @param {readonly string[]} [entries] the files every job's action.yml runs (`declare.js`, …)
 * @returns {{ differ: string[], missing: string[], extra: string[], noEntry: string[], same: number }}
 *   differ: in both, bytes differ; missing: built but not in dist; extra: in dist but not built;
 *   noEntry: a job's entry that dist/ lacks
 */
export function compareDirs(built, dist, entries = []) {
  const want = listFiles(built);
  const have = new Set(listFiles(dist));
  const result = { differ: [], missing: [], extra: [], noEntry: entries.filter((entry) => !have.has(entry)), same: 0 };
  for (const file of want) {
    if (!have.has(file)) result.missing.push(file);
    else if (readFileSync(join(built, file)).equals(readFileSync(join(dist, file)))) result.same++;
    else result.differ.push(file);
    have.delete(file);
  }
  result.extra = [...have].sort();
  return result;
}

/**
 * What to tell the contributor, or undefined when dist/ is fresh.
 * @param {{ differ: string[], missing: string[], extra: string[], noEntry?: string[] }} result from compareDirs
 * @param {string} [label] how to name the directory
 */
export function staleMessage({ differ, missing, extra, noEntry = [] }, label = 'dist/') {
  if (differ.length + missing.length + extra.length + noEntry.length === 0) return undefined;
  const lines = [`${label} is stale: it is not the bundle of src/ as it stands.`];
  for (const file of differ) lines.push(`  differs from the fresh build: ${label}${file}`);
  for (const file of missing) lines.push(`  missing (the build makes it): ${label}${file}`);
  for (const file of extra) lines.push(`  not made by the build:        ${label}${file}`);
  for (const file of noEntry) lines.push(`  a job's action.yml runs it, but it is missing: ${label}${file}`);
  lines.push(`Run \`npm run package\` and commit ${label}.`);
  return lines.join('\n');
}

/** Builds src/ into a temporary directory and compares it with dist/. */
export async function checkDist({ dist = join(root, 'dist') } = {}) {
  const out = mkdtempSync(join(tmpdir(), 'incident-io-action-check-dist-'));
  try {
    await build({ out });
    return compareDirs(
      out,
      dist,
      readJobs(new URL('..', import.meta.url)).map((job) => job.entry),
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log('Building src/ into a temporary directory to compare with dist/ …');
  let result;
  try {
    result = await checkDist();
  } catch (error) {
    console.error(`check-dist: could not build src/: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
  const message = staleMessage(result);
  if (message) {
    console.error(message);
    if (process.env.GITHUB_ACTIONS === 'true') {
      const files = [...result.differ, ...result.missing, ...result.extra, ...result.noEntry].join(' ');
      console.log(
        `::error title=dist/ is stale::These files differ from a fresh build of src/: ${files}. Run npm run package and commit dist/.`,
      );
    }
    process.exit(1);
  }
  console.log(`dist/ is the bundle of src/: all ${result.same} files match a fresh build byte for byte.`);
}
