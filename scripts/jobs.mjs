/**
 * The action's jobs, read from their action.yml files: the one place the scripts (the build, the
 * docs, the workflow lint, run-action, check-dist, the release, the bench) learn which jobs there
 * are, under plain Node.
 *
 * The root action.yml is the `declare` job; every top-level folder that holds an action.yml is
 * the job of its name (`resolve/action.yml` is `resolve`). Each one's `runs.main` names its
 * entry in dist/ (`dist/declare.js`, `../dist/resolve.js`): a small file the build writes, which
 * starts the one engine (dist/index.js) with the job's name. Each job's page is where
 * `npm run docs` writes its inputs and outputs tables: docs/declare.md for the root job (the
 * root's README.md is the map of them all), `<job>/README.md` for the others, which GitHub shows
 * when the folder is opened.
 *
 * The code reads the same declarations from src/settings/declared.ts, which `npm run docs` generates
 * from these files (`declaredModule`), and src/jobs/registry.ts must name every job in it: a
 * folder without a registry entry, or an entry without a folder, does not type-check.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { parse } from 'yaml';

/** The root action's job. */
export const ROOT_JOB = 'declare';
/** Where the action is published: what a workflow writes in `uses:` (`<this>/resolve@v1`). */
export const PUBLISHED = 'incident-io-action/incident-io-action';
/** Top-level folders that are never a job, whatever they hold. */
const NOT_JOBS = new Set(['node_modules', 'dist', 'coverage', 'docs', 'examples', 'sandbox', 'scripts', 'spec', 'src']);
/** The generated module the code reads. */
export const DECLARED_MODULE = 'src/settings/declared.ts';

/**
 * @typedef {{ description?: string, required?: boolean, default?: string }} InputEntry
 * @typedef {{ name?: string, description?: string, author?: string, branding?: { icon?: string, color?: string },
 *   inputs: Record<string, InputEntry>, outputs: Record<string, { description?: string }>, runs: { using: string, main: string } }} ActionMetadata
 * @typedef {{ name: string, folder: string, metadataPath: string, page: string, entry: string, action: ActionMetadata }} Job
 */

/**
 * Every job, the root's first, then the folders' in name order.
 * @param {URL} root the repository, as a directory URL
 * @returns {Job[]}
 */
export function readJobs(root) {
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !NOT_JOBS.has(d.name))
    .map((d) => d.name)
    .filter((name) => existsSync(new URL(`${name}/action.yml`, root)))
    .sort();
  return [jobAt(root, ''), ...folders.map((folder) => jobAt(root, folder))];
}

/**
 * The job whose action.yml is in `folder` ('' for the root).
 * @param {URL} root @param {string} folder @returns {Job}
 */
function jobAt(root, folder) {
  const metadataPath = folder ? `${folder}/action.yml` : 'action.yml';
  const action = /** @type {ActionMetadata} */ (parse(readFileSync(new URL(metadataPath, root), 'utf8')));
  const name = folder || ROOT_JOB;
  if (!/^[a-z][a-z-]*$/.test(name))
    throw new Error(`${metadataPath}: a job's folder is named in lower case, with hyphens: "${name}" is not`);
  const main = String(action?.runs?.main ?? '');
  const entry = posix.normalize(posix.join(folder || '.', main));
  if (entry !== `dist/${name}.js`) {
    throw new Error(
      `${metadataPath}: runs.main must be "${folder ? '../' : ''}dist/${name}.js" (the entry the build writes for ${name}), not ${JSON.stringify(main)}.`,
    );
  }
  return { name, folder, metadataPath, page: folder ? `${folder}/README.md` : `docs/${ROOT_JOB}.md`, entry: `${name}.js`, action };
}

/**
 * The job a workflow step's `uses:` runs, or undefined when it is not this action:
 * `./` and `<published>@ref` run the root's job, `./resolve` and `<published>/resolve@ref` the
 * resolve job. A folder that is no job gives `{ folder }` alone, for the lint to report.
 * @param {string} uses @param {readonly Job[]} jobs
 * @returns {{ job?: Job, folder: string } | undefined}
 */
export function jobOfUses(uses, jobs) {
  const local = /^\.\/?([\w-]*)\/?$/.exec(uses);
  const published = new RegExp(`^${PUBLISHED.replace(/[.]/g, '\\.')}(?:/([\\w-]+))?@.+$`).exec(uses);
  const match = local ?? published;
  if (!match) return undefined;
  const folder = match[1] ?? '';
  return { job: jobs.find((j) => j.folder === folder), folder };
}

/**
 * src/settings/declared.ts: each job's inputs (required, and the default the runner passes) and
 * outputs, as its action.yml declares them, for the code to read without parsing YAML.
 * @param {readonly Job[]} jobs @returns {string}
 */
export function declaredModule(jobs) {
  const quote = (/** @type {string} */ text) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const key = (/** @type {string} */ name) => (/^[a-z]\w*$/i.test(name) ? name : quote(name));
  const lines = [
    `// Generated by \`npm run docs\` (scripts/jobs.mjs) from each job's action.yml. Do not edit.`,
    '/**',
    " * Each job's inputs and outputs as its action.yml declares them: an input's `required`, and the",
    ' * default the runner passes when a step leaves the input out (absent when there is none; an',
    " * expression such as `${{ github.token }}` as written). The runner passes no other input's",
    ' * value unless the step gives it, and a step can give any name: the code refuses what its job',
    ' * does not declare here.',
    ' */',
    'export const DECLARED = {',
  ];
  for (const job of jobs) {
    lines.push(`  ${key(job.name)}: {`, `    folder: ${quote(job.folder)},`, '    inputs: {');
    for (const [name, input] of Object.entries(job.action.inputs ?? {})) {
      const fields = [input.required === true ? 'required: true' : 'required: false'];
      if (input.default !== undefined) fields.push(`default: ${quote(String(input.default))}`);
      lines.push(`      ${key(name)}: { ${fields.join(', ')} },`);
    }
    const outputs = Object.keys(job.action.outputs ?? {}).map(quote);
    const oneLine = `    outputs: [${outputs.join(', ')}],`;
    // As prettier lays it out (printWidth 140), so the generated file passes `npm run format:check`.
    const outputLines = oneLine.length <= 140 ? [oneLine] : ['    outputs: [', ...outputs.map((o) => `      ${o},`), '    ],'];
    lines.push('    },', ...outputLines, '  },');
  }
  lines.push('} as const;', '');
  return lines.join('\n');
}
