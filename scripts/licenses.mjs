/**
 * The third-party licences shipped beside the bundle: dist/licenses.txt lists every npm package
 * whose code is in the bundle, with its licence type and the licence text (and NOTICE) it ships.
 *
 * scripts/build.mjs writes it from ncc's webpack stats (`ncc build --stats-out`); nothing runs this
 * file directly. Why not ncc's own `--license licenses.txt`: its licence plugin looks only at the
 * root module of each module webpack concatenated, and webpack concatenates ES modules, so for this
 * bundle it listed 2 of the 17 packages (@octokit/rest and yaml) and left out @actions/core and
 * before-after-hook (Apache-2.0) among others. The stats list the concatenated modules too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const NODE_MODULES = '/node_modules/';

/** The package directory a module file belongs to, or undefined when it is not under node_modules. */
export function packageDir(file) {
  const path = String(file ?? '').replaceAll('\\', '/');
  const at = path.lastIndexOf(NODE_MODULES);
  if (at < 0) return undefined;
  const rest = path.slice(at + NODE_MODULES.length).split('/');
  const name = rest[0]?.startsWith('@') ? rest.slice(0, 2).join('/') : rest[0];
  return name ? path.slice(0, at + NODE_MODULES.length) + name : undefined;
}

/**
 * The directories of the packages whose modules webpack put in a chunk of the bundle, including
 * the modules it concatenated into another one (they are listed under that module's `modules`).
 * @param {{ modules?: { nameForCondition?: string | null, chunks?: unknown[], modules?: { nameForCondition?: string | null }[] }[] }} stats
 * @returns {string[]} sorted, without duplicates
 */
export function bundledPackageDirs(stats) {
  const dirs = new Set();
  for (const module of stats.modules ?? []) {
    if (!module.chunks?.length) continue; // tree-shaken away or only concatenated elsewhere
    for (const part of [module, ...(module.modules ?? [])]) {
      const dir = packageDir(part.nameForCondition);
      if (dir) dirs.add(dir);
    }
  }
  return [...dirs].sort();
}

/** A package.json `license` in its old or new forms, as one string. */
function licenseType(pkg) {
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license && typeof pkg.license.type === 'string') return pkg.license.type;
  if (Array.isArray(pkg.licenses)) return pkg.licenses.map((l) => l.type ?? l).join(' OR ');
  return 'UNKNOWN';
}

/**
 * One package's entry: its name, licence type and the text of its LICENSE/LICENCE/COPYING and
 * NOTICE files (all of them, in name order).
 * @param {string} dir
 * @returns {{ name: string, license: string, text: string }}
 */
export function licenseEntry(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const files = readdirSync(dir).sort();
  const licenseFiles = files.filter((f) => /^(licen[cs]e|copying)([.-].*)?$/i.test(f));
  const noticeFiles = files.filter((f) => /^notice(\.(md|txt))?$/i.test(f));
  const texts = [...licenseFiles, ...noticeFiles].map((f) => readFileSync(join(dir, f), 'utf8').trim());
  const license = licenseType(pkg);
  return {
    name: pkg.name,
    license,
    text: texts.length > 0 ? texts.join('\n\n') : `(the package ships no licence file; its package.json says "${license}")`,
  };
}

/** licenses.txt: per package its name, licence type and text, the layout ncc's --license writes. */
export function renderLicenses(entries) {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted.map((e) => `${e.name}\n${e.license}\n${e.text}\n`).join('\n\n');
}
