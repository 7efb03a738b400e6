/**
 * Tags a release of the action: `node scripts/release.mjs [--push] [--remote NAME]`.
 * Checks everything first (version, clean tree, CHANGELOG entry, new tag, fresh dist/ holding
 * every job's entry), then
 * creates the annotated tag vX.Y.Z on HEAD and moves the major tag vN to it (not for a
 * prerelease). With --push it pushes both tags; otherwise it prints the commands to do so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readJobs } from './jobs.mjs';

/** @typedef {(cmd: string, args: string[], options: { cwd: string }) => string} Run */

/** SemVer core with an optional prerelease (no build metadata). */
const ID = String.raw`(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER = new RegExp(String.raw`^(0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(-${ID}(?:\.${ID})*)?$`);

/** @type {Run} Runs a command; returns its stdout, or throws with its stderr on a non-zero exit. */
export function run(cmd, args, { cwd }) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (error) {
    const err = /** @type {{ stderr?: string, message: string }} */ (error);
    throw new Error(`\`${[cmd, ...args].join(' ')}\` failed: ${err.stderr?.trim() || err.message}`, { cause: error });
  }
}

/**
 * @param {{ cwd?: string, push?: boolean, remote?: string, run?: Run, log?: (line: string) => void }} [options]
 * @returns {Promise<{ tag: string, major: string | null, pushed: boolean }>}
 */
export async function release({ cwd = process.cwd(), push = false, remote = 'origin', run: exec = run, log = console.log } = {}) {
  /** @param {string[]} args */
  const git = (...args) => exec('git', args, { cwd }).trim();

  const { version } = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
  const match = typeof version === 'string' ? SEMVER.exec(version) : null;
  if (!match)
    throw new Error(`package.json version ${JSON.stringify(version)} is not X.Y.Z or X.Y.Z-prerelease: fix "version" in package.json`);
  const tag = `v${version}`;
  const major = match[2] ? null : `v${match[1]}`;
  log(`✓ version ${version} (tag ${tag})`);

  const dirty = git('status', '--porcelain');
  if (dirty) throw new Error(`work tree is not clean (${dirty.split('\n').length} changed): commit or stash your changes first`);
  log('✓ working tree clean');

  /** @type {string} */
  let changelog;
  try {
    changelog = readFileSync(join(cwd, 'CHANGELOG.md'), 'utf8');
  } catch (error) {
    throw new Error(`CHANGELOG.md not found: add one with a "## [${version}]" heading and commit it`, { cause: error });
  }
  if (!new RegExp(`^## \\[${version.replace(/[.]/g, '\\.')}\\]`, 'm').test(changelog)) {
    throw new Error(`CHANGELOG.md has no "## [${version}]" heading: add one (e.g. "## [${version}] - YYYY-MM-DD") and commit it`);
  }
  log(`✓ CHANGELOG.md has ## [${version}]`);

  if (git('tag', '--list', tag))
    throw new Error(`tag ${tag} already exists: bump "version" in package.json (or delete the tag: git tag -d ${tag})`);
  if (push && git('ls-remote', '--tags', remote, `refs/tags/${tag}`)) {
    throw new Error(`tag ${tag} already exists on ${remote}: bump "version" in package.json`);
  }
  log(`✓ tag ${tag} is new${push ? ` (locally and on ${remote})` : ''}`);

  const committed = git('ls-files', '--', 'dist');
  if (!committed) throw new Error('dist/ is not committed: run `npm run package` and commit the result');
  // Each job's action.yml runs its entry: a tag whose dist/ lacks one would fail that job on every runner.
  const files = new Set(committed.split('\n'));
  const jobs = existsSync(join(cwd, 'action.yml')) ? readJobs(pathToFileURL(`${cwd}/`)) : [];
  const absent = jobs.filter((job) => !files.has(`dist/${job.entry}`));
  if (absent.length > 0) {
    throw new Error(
      `dist/ lacks ${absent.map((job) => `dist/${job.entry} (the ${job.name} job's, ${job.metadataPath})`).join(', ')}: run \`npm run package\` and commit the result`,
    );
  }
  const restoreDist = () => {
    git('checkout', '--', 'dist');
    git('clean', '-fdq', '--', 'dist');
  };
  log('… rebuilding dist/ (npm run package)');
  try {
    exec('npm', ['run', 'package'], { cwd });
  } catch (error) {
    restoreDist();
    throw error;
  }
  if (git('status', '--porcelain', '--', 'dist')) {
    restoreDist();
    throw new Error('dist/ is stale: run `npm run package` and commit the result');
  }
  log('✓ dist/ is fresh');

  git('tag', '-a', tag, '-m', tag);
  log(`✓ tagged ${tag} at ${git('rev-parse', '--short', 'HEAD')}`);
  if (major) {
    git('tag', '-f', '-a', major, '-m', `${major} → ${tag}`);
    log(`✓ moved ${major} to ${tag}`);
  } else {
    log(`• ${version} is a prerelease: the major tag is not moved`);
  }

  const pushes = [['push', remote, `refs/tags/${tag}`], ...(major ? [['push', '--force', remote, `refs/tags/${major}`]] : [])];
  if (push) {
    for (const args of pushes) {
      git(...args);
      log(`✓ git ${args.join(' ')}`);
    }
  } else {
    log(`\nNot pushed. To publish, run:\n${pushes.map((args) => `  git ${args.join(' ')}`).join('\n')}`);
  }
  return { tag, major, pushed: push };
}

const USAGE = 'usage: node scripts/release.mjs [--push] [--remote NAME] [--help]';

/** @param {string[]} argv */
function parseArgs(argv) {
  const options = { push: false, remote: 'origin', help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--push') options.push = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--remote') {
      const name = argv[++i];
      if (!name || name.startsWith('-')) throw new Error(`--remote needs a remote name (${USAGE})`);
      options.remote = name;
    } else throw new Error(`unknown option ${arg}: allowed are --push, --remote NAME, --help`);
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { help, ...options } = parseArgs(process.argv.slice(2));
    if (help) console.log(USAGE);
    else await release({ ...options, cwd: fileURLToPath(new URL('..', import.meta.url)) });
  } catch (error) {
    console.error(`release: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
