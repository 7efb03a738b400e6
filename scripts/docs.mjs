#!/usr/bin/env node
/**
 * Writes what the docs and the code must not hand-copy, between marker comments, so it cannot
 * drift: `npm run docs` rewrites it, `npm run docs -- --check` fails when anything is stale.
 *
 * - Each job's inputs and outputs tables, from its own action.yml (scripts/jobs.mjs finds them),
 *   into its page: docs/declare.md for the root job, `<job>/README.md` for the others. Every job's
 *   page must hold its two tables; any page may show a job's table too, by naming its action.yml
 *   in the markers (`<!-- begin inputs table: generated from resolve/action.yml by \`npm run docs\` -->`).
 * - src/settings/declared.ts, each job's inputs and outputs for the code, from the same files.
 * - The workflow examples from examples/, in every page with a `<!-- begin file: examples/… -->` block.
 * - The table of jobs (each job's page, its `uses:` and the first sentence of its action.yml's
 *   description), wherever a page asks for it: the README's map, so a new job's folder appears in
 *   it without a hand edit.
 * - The request → scope table, wherever a page asks for it, and as src/incident-io/scopes.ts, from
 *   the pruned spec (scripts/scopes.mjs).
 * - Troubleshooting entries that quote the action's messages word for word, from
 *   src/incident-io/refusals.ts, in every page with a `<!-- begin troubleshooting: id … -->` marker.
 *
 * The pages: README.md, every Markdown file under docs/, and every job's page.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, posix, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DECLARED_MODULE, declaredModule, PUBLISHED, readJobs } from './jobs.mjs';
import { readScopeEntries, SCOPES_MODULE, scopesModule, scopesTable } from './scopes.mjs';

/** @typedef {import('./jobs.mjs').ActionMetadata} ActionMetadata @typedef {import('./jobs.mjs').Job} Job */

/** A table's marker line: `source` is the action.yml it is generated from, or "the pruned spec". */
export const MARK = (/** @type {string} */ table, /** @type {string} */ source, /** @type {boolean} */ end) =>
  `<!-- ${end ? 'end' : 'begin'} ${table} table: generated from ${source} by \`npm run docs\` -->`;

/** One table cell: a single line, with pipes escaped. @param {string} text */
const cell = (text) =>
  text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();

/**
 * A job's inputs: whether each must be given, the default the runner passes when it is left out,
 * and its description (which states a default the action computes).
 * @param {Pick<ActionMetadata, 'inputs'>} action
 */
export function inputsTable(action) {
  const rows = Object.entries(action.inputs ?? {}).map(([name, input]) => {
    const fallback = input.default !== undefined && input.default !== '' ? ` \`${cell(String(input.default))}\` ` : ' ';
    return `| \`${name}\` | ${input.required === true ? 'yes' : 'no'} |${fallback}| ${cell(String(input.description ?? ''))} |`;
  });
  return ['| input | required | default | description |', '|---|---|---|---|', ...rows].join('\n');
}

/** @param {Pick<ActionMetadata, 'outputs'>} action */
export function outputsTable(action) {
  const rows = Object.entries(action.outputs ?? {}).map(([name, output]) => `| \`${name}\` | ${cell(String(output.description ?? ''))} |`);
  return ['| output | description |', '|---|---|', ...rows].join('\n');
}

/** What a workflow writes in `uses:` to run `job`. @param {Pick<Job, 'folder'>} job */
export const usesOf = (job) => `${PUBLISHED}${job.folder ? `/${job.folder}` : ''}@v1`;

/** The first sentence of a description (a full stop followed by a space, or the end). @param {string} text */
export function firstSentence(text) {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = /\.(?=\s|$)/.exec(flat);
  return end ? flat.slice(0, end.index + 1) : flat;
}

/**
 * The table of jobs as seen from `page`: each job linked to its page (a folder's job to its
 * folder, whose README.md GitHub shows), its `uses:`, and the first sentence of its action.yml's
 * description.
 * @param {readonly Job[]} jobs @param {string} page the page's path from the repository root
 */
export function jobsTable(jobs, page) {
  const from = (/** @type {string} */ target) => posix.relative(posix.dirname(page), target) || '.';
  const rows = jobs.map((job) => {
    const link = job.folder ? `${from(job.folder)}/` : from(job.page);
    return `| [${job.name}](${link}) | \`${usesOf(job)}\` | ${cell(firstSentence(String(job.action.description ?? '')))} |`;
  });
  return ['| job | `uses:` | what it does |', '|---|---|---|', ...rows].join('\n');
}

const FILE_BLOCK = /(<!-- begin file: (\S+) [^\n]*-->\n)[\s\S]*?(<!-- end file: \2 -->)/g;

const TABLE_BLOCK =
  /(<!-- begin (inputs|outputs|scopes|jobs) table: generated from (.+?) by `npm run docs` -->)\n[\s\S]*?(<!-- end \2 table: generated from \3 by `npm run docs` -->)/g;

/** The source the jobs table's markers name. */
export const JOBS_SOURCE = "each job's action.yml";

/**
 * A page with each `begin file:` block refilled with that file, as a fenced block, and each table
 * regenerated: a job's inputs or outputs from the action.yml its markers name, the jobs from
 * `jobs` (`MARK('jobs', JOBS_SOURCE, …)`), the scopes from
 * `scopes` (scripts/scopes.mjs; without it, that table is left as it is). Throws when a marker
 * names an action.yml that is no job's, and when `job` is given and the page lacks its tables.
 * @param {string} text @param {string} page the page's path from the repository root
 * @param {{ jobs: readonly Job[], readFile: (path: string) => string, scopes?: [string, string[]][], job?: Job }} sources
 */
export function renderPage(text, page, { jobs, readFile, scopes, job }) {
  let out = text.replace(FILE_BLOCK, (_, begin, path, end) => `${begin}\`\`\`yaml\n${readFile(path).trimEnd()}\n\`\`\`\n${end}`);
  out = out.replace(TABLE_BLOCK, (whole, begin, table, source, end) => {
    if (table === 'scopes') return scopes ? `${begin}\n${scopesTable(scopes)}\n${end}` : whole;
    if (table === 'jobs') {
      if (source !== JOBS_SOURCE)
        throw new Error(`${page}: the jobs table is "generated from ${source}"; write "generated from ${JOBS_SOURCE}".`);
      return `${begin}\n${jobsTable(jobs, page)}\n${end}`;
    }
    const named = jobs.find((j) => j.metadataPath === source);
    if (!named)
      throw new Error(
        `${page}: the ${table} table is "generated from ${source}", which is no job's action.yml; the jobs' are ${jobs.map((j) => j.metadataPath).join(', ')}.`,
      );
    return `${begin}\n${table === 'inputs' ? inputsTable(named.action) : outputsTable(named.action)}\n${end}`;
  });
  if (job) {
    for (const table of ['inputs', 'outputs']) {
      if (!out.includes(MARK(table, job.metadataPath, false)) || !out.includes(MARK(table, job.metadataPath, true)))
        throw new Error(
          `${page}, the ${job.name} job's page, needs the lines\n${MARK(table, job.metadataPath, false)}\n${MARK(table, job.metadataPath, true)}\nwhere its ${table} table goes.`,
        );
    }
  }
  return out;
}

const TROUBLESHOOTING_BLOCK = /(<!-- begin troubleshooting: ([^()\n]*?) \(generated[^\n]*-->\n)[\s\S]*?(<!-- end troubleshooting -->)/g;

/**
 * A page with each troubleshooting block refilled: a table of the entries its marker names, in
 * that order (`<!-- begin troubleshooting: api-key-refused scope-needed (generated … by \`npm run docs\`) -->`).
 * An entry's link to `README.md#…` is made relative to the page (`#…` on the README itself).
 * @param {string} text @param {string} page the page's path from the repository root
 * @param {readonly { id: string, says: string, fix: string }[]} entries
 */
export function renderTroubleshooting(text, page, entries) {
  return text.replace(TROUBLESHOOTING_BLOCK, (_, begin, ids, end) => {
    const rows = ids.split(/\s+/).map((id) => {
      const entry = entries.find((e) => e.id === id);
      if (!entry) throw new Error(`${page}: no troubleshooting entry "${id}"; known: ${entries.map((e) => e.id).join(', ')}.`);
      if (entry.says.includes('`') || entry.says.includes('|'))
        throw new Error(`troubleshooting entry "${id}" quotes a backtick or a pipe`);
      return `| \`${entry.says}\` | ${linksFrom(page, entry.fix).replace(/\|/g, '\\|')} |`;
    });
    return `${begin}| the step says | what to do |\n|---|---|\n${rows.join('\n')}\n${end}`;
  });
}

/** Links to `README.md#…` (from the repository root) as seen from `page`. @param {string} page @param {string} text */
function linksFrom(page, text) {
  return text.replace(/\]\((README\.md)(#[^)]*)\)/g, (_, target, anchor) => {
    if (target === page) return `](${anchor})`;
    return `](${posix.join(relative(dirname(page), '.').split('\\').join('/') || '.', target)}${anchor})`;
  });
}

/**
 * The troubleshooting entries of src/incident-io/refusals.ts. That module imports nothing, so it
 * is transpiled on its own (TypeScript's transpileModule, types dropped) and loaded as a data: URL:
 * the messages and the docs share one source without a build step.
 * @param {URL} root @returns {Promise<readonly { id: string, says: string, fix: string }[]>}
 */
export async function loadTroubleshooting(root) {
  const { default: ts } = await import('typescript');
  const source = readFileSync(new URL(REFUSALS_MODULE, root), 'utf8');
  if (/^import\s(?!type\b)/m.test(source)) throw new Error(`${REFUSALS_MODULE} must import nothing (npm run docs loads it on its own).`);
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const module = await import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
  return module.TROUBLESHOOTING;
}

export const REFUSALS_MODULE = 'src/incident-io/refusals.ts';

/**
 * The pages that may hold generated parts: README.md, every Markdown file under docs/, and every
 * job's page (which must exist).
 * @param {URL} root @param {readonly Job[]} jobs @returns {string[]}
 */
export function pages(root, jobs) {
  const docs = existsSync(new URL('docs/', root))
    ? readdirSync(new URL('docs/', root), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f.split('\\').join('/')}`)
    : [];
  for (const job of jobs) {
    if (!existsSync(new URL(job.page, root)))
      throw new Error(`${job.page}, the ${job.name} job's page, is missing: create it with a title and its tables' markers.`);
  }
  return [...new Set(['README.md', ...docs, ...jobs.map((j) => j.page)])].sort((a, b) =>
    a === 'README.md' ? -1 : b === 'README.md' ? 1 : a < b ? -1 : 1,
  );
}

/**
 * Every generated file as it should be now: path → text.
 * @param {URL} root @returns {Promise<Map<string, string>>}
 */
export async function generate(root) {
  const readFile = (/** @type {string} */ path) => readFileSync(new URL(path, root), 'utf8');
  const jobs = readJobs(root);
  const scopes = readScopeEntries(root);
  const entries = await loadTroubleshooting(root);
  const files = new Map([
    [DECLARED_MODULE, declaredModule(jobs)],
    [SCOPES_MODULE, scopesModule(scopes)],
  ]);
  for (const page of pages(root, jobs)) {
    const text = renderPage(readFile(page), page, { jobs, readFile, scopes, job: jobs.find((j) => j.page === page) });
    files.set(page, renderTroubleshooting(text, page, entries));
  }
  return files;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = new URL('..', import.meta.url);
  const check = process.argv.includes('--check');
  const unknown = process.argv.slice(2).filter((arg) => arg !== '--check');
  try {
    if (unknown.length) throw new Error(`unknown argument ${unknown.join(' ')}; the only flag is --check.`);
    const files = await generate(root);
    const stale = [...files].filter(
      ([path, text]) => !existsSync(new URL(path, root)) || readFileSync(new URL(path, root), 'utf8') !== text,
    );
    const sources = "the jobs' action.yml files, examples/, the pruned spec and src/incident-io/refusals.ts";
    if (stale.length === 0) console.log(`${[...files.keys()].join(', ')} match ${sources}.`);
    else if (check)
      throw new Error(
        `${stale.map(([path]) => path).join(', ')} ${stale.length === 1 ? 'is' : 'are'} stale (generated parts differ from ${sources}): ` +
          'run `npm run docs` and commit the result.',
      );
    else {
      for (const [path, text] of stale) {
        mkdirSync(dirname(fileURLToPath(new URL(path, root))), { recursive: true });
        writeFileSync(fileURLToPath(new URL(path, root)), text);
      }
      console.log(`Regenerated ${stale.map(([path]) => path).join(', ')} from ${sources}.`);
    }
  } catch (error) {
    console.error(`docs: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
