#!/usr/bin/env node
/**
 * Writes what the docs and the code must not hand-copy, between marker comments, so it cannot
 * drift: `npm run docs` rewrites it, `npm run docs -- --check` fails when anything is stale.
 *
 * - The README's inputs and outputs tables from action.yml, and its workflow examples from
 *   examples/. Each description in action.yml starts with the operations that use the input or
 *   output, in parentheses: `(create, update) A severity name or ID…`, or `(all) …`. That prefix
 *   becomes the table's "operations" column; a test checks it against the code.
 * - The request → scope table, in the README and as src/incident-io/scopes.ts, from the pruned
 *   spec (scripts/scopes.mjs).
 * - Troubleshooting entries that quote the action's messages word for word, from
 *   src/incident-io/refusals.ts, in every page with a `<!-- begin troubleshooting: id … -->` marker
 *   (the README, and any `<folder>/README.md`).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, posix, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { readScopeEntries, SCOPES_MODULE, scopesModule, scopesTable } from './scopes.mjs';

export const OPERATION_NAMES = ['create', 'update', 'resolve', 'alert', 'heartbeat'];
const MARK = (table, end) => `<!-- ${end ? 'end' : 'begin'} ${table} table: generated from action.yml by \`npm run docs\` -->`;

/**
 * Splits a description into its operations prefix and its text.
 * @param {string} name @param {unknown} description
 * @returns {{ operations: string[] | 'all', text: string }}
 */
export function splitDescription(name, description) {
  const match = /^\((all|[a-z]+(?:, [a-z]+)*)\)\s+(\S[\s\S]*)$/.exec(String(description ?? '').trim());
  if (!match)
    throw new Error(
      `action.yml: the description of "${name}" must start with its operations in parentheses, e.g. "(create, update) …" or "(all) …".`,
    );
  const [, list, text] = /** @type {[string, string, string]} */ (match);
  if (list === 'all') return { operations: 'all', text };
  const operations = list.split(', ');
  const unknown = operations.filter((op) => !OPERATION_NAMES.includes(op));
  if (unknown.length)
    throw new Error(`action.yml: "${name}" names unknown operation(s) ${unknown.join(', ')}; allowed: all, ${OPERATION_NAMES.join(', ')}.`);
  return { operations, text };
}

/** One table cell: a single line, with pipes escaped. @param {string} text */
const cell = (text) =>
  text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
/** @param {string} name @param {unknown} description */
function describe(name, description) {
  const { operations, text } = splitDescription(name, description);
  return [operations === 'all' ? 'all' : operations.join(', '), cell(text)];
}

/** @typedef {{ inputs: Record<string, { description?: string, default?: string }>, outputs: Record<string, { description?: string }> }} ActionMetadata */

/** @param {ActionMetadata} action */
export function inputsTable(action) {
  const rows = Object.entries(action.inputs).map(([name, input]) => {
    const [operations, text] = describe(name, input.description);
    const fallback = input.default ? ` \`${cell(String(input.default))}\` ` : ' ';
    return `| \`${name}\` | ${operations} |${fallback}| ${text} |`;
  });
  return ['| input | operations | default | description |', '|---|---|---|---|', ...rows].join('\n');
}

/** @param {ActionMetadata} action */
export function outputsTable(action) {
  const rows = Object.entries(action.outputs).map(([name, output]) => {
    const [operations, text] = describe(name, output.description);
    return `| \`${name}\` | ${operations} | ${text} |`;
  });
  return ['| output | operations | description |', '|---|---|---|', ...rows].join('\n');
}

const FILE_BLOCK = /(<!-- begin file: (\S+) [^\n]*-->\n)[\s\S]*?(<!-- end file: \2 -->)/g;

/**
 * The README with its tables regenerated and each `begin file:` block refilled with that file,
 * as a fenced block; throws when a table's markers are missing or out of order. `scopes` is the
 * request → scope list (scripts/scopes.mjs); without it, the scope table is left as it is.
 * @param {string} readme @param {ActionMetadata} action @param {(path: string) => string} readFile
 * @param {[string, string[]][]} [scopes]
 */
export function renderReadme(readme, action, readFile, scopes) {
  let out = readme.replace(FILE_BLOCK, (_, begin, path, end) => `${begin}\`\`\`yaml\n${readFile(path).trimEnd()}\n\`\`\`\n${end}`);
  /** @type {[string, string, string][]} */
  const tables = [
    ['inputs', inputsTable(action), 'action.yml'],
    ['outputs', outputsTable(action), 'action.yml'],
  ];
  if (scopes) tables.push(['scopes', scopesTable(scopes), 'the pruned spec']);
  for (const [table, body, source] of tables) {
    const mark = (end) => MARK(table, end).replace('action.yml', source);
    const begin = out.indexOf(mark(false));
    const end = out.indexOf(mark(true));
    if (begin < 0 || end < begin)
      throw new Error(`README.md needs the lines\n${mark(false)}\n${mark(true)}\nwhere the ${table} table goes.`);
    out = `${out.slice(0, begin + mark(false).length)}\n${body}\n${out.slice(end)}`;
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

/** The README and every `<folder>/README.md` (the job pages): the pages that may quote troubleshooting entries. @param {URL} root */
export function pages(root) {
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !['node_modules', 'dist', 'coverage'].includes(d.name))
    .map((d) => `${d.name}/README.md`)
    .filter((page) => existsSync(new URL(page, root)));
  return ['README.md', ...folders.sort()];
}

/**
 * Every generated file as it should be now: path → text.
 * @param {URL} root @returns {Promise<Map<string, string>>}
 */
export async function generate(root) {
  const read = (/** @type {string} */ path) => readFileSync(new URL(path, root), 'utf8');
  const scopes = readScopeEntries(root);
  const entries = await loadTroubleshooting(root);
  const files = new Map([[SCOPES_MODULE, scopesModule(scopes)]]);
  for (const page of pages(root)) {
    let text = read(page);
    if (page === 'README.md') text = renderReadme(text, readAction(root), read, scopes);
    files.set(page, renderTroubleshooting(text, page, entries));
  }
  return files;
}

/** @param {URL} root */
export function readAction(root) {
  return /** @type {ActionMetadata} */ (parse(readFileSync(new URL('action.yml', root), 'utf8')));
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
    const sources = 'action.yml, examples/, the pruned spec and src/incident-io/refusals.ts';
    if (stale.length === 0) console.log(`${[...files.keys()].join(', ')} match ${sources}.`);
    else if (check)
      throw new Error(
        `${stale.map(([path]) => path).join(', ')} ${stale.length === 1 ? 'is' : 'are'} stale (generated parts differ from ${sources}): ` +
          'run `npm run docs` and commit the result.',
      );
    else {
      for (const [path, text] of stale) writeFileSync(fileURLToPath(new URL(path, root)), text);
      console.log(`Regenerated ${stale.map(([path]) => path).join(', ')} from ${sources}.`);
    }
  } catch (error) {
    console.error(`docs: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
