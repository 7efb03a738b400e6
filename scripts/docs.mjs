#!/usr/bin/env node
/**
 * Writes the README's inputs and outputs tables from action.yml, and its workflow examples from
 * examples/, between marker comments, so they cannot drift: `npm run docs` rewrites them,
 * `npm run docs -- --check` fails when the README is stale.
 *
 * action.yml is the one source. Each description starts with the operations that use the
 * input or output, in parentheses: `(create, update) A severity name or ID…`, or `(all) …`.
 * That prefix becomes the table's "operations" column; a test checks it against the code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

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
 * The README with both tables regenerated and each `begin file:` block refilled with that file,
 * as a fenced block; throws when a table's markers are missing or out of order.
 * @param {string} readme @param {ActionMetadata} action @param {(path: string) => string} readFile
 */
export function renderReadme(readme, action, readFile) {
  let out = readme.replace(FILE_BLOCK, (_, begin, path, end) => `${begin}\`\`\`yaml\n${readFile(path).trimEnd()}\n\`\`\`\n${end}`);
  for (const [table, body] of /** @type {const} */ ([
    ['inputs', inputsTable(action)],
    ['outputs', outputsTable(action)],
  ])) {
    const begin = out.indexOf(MARK(table, false));
    const end = out.indexOf(MARK(table, true));
    if (begin < 0 || end < begin)
      throw new Error(`README.md needs the lines\n${MARK(table, false)}\n${MARK(table, true)}\nwhere the ${table} table goes.`);
    out = `${out.slice(0, begin + MARK(table, false).length)}\n${body}\n${out.slice(end)}`;
  }
  return out;
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
    const readmePath = fileURLToPath(new URL('README.md', root));
    const readme = readFileSync(readmePath, 'utf8');
    const fresh = renderReadme(readme, readAction(root), (path) => readFileSync(new URL(path, root), 'utf8'));
    if (fresh === readme) console.log('README.md matches action.yml and examples/.');
    else if (check)
      throw new Error(
        'README.md is stale (its tables or examples differ from action.yml and examples/): run `npm run docs` and commit the result.',
      );
    else {
      writeFileSync(readmePath, fresh);
      console.log('README.md regenerated from action.yml and examples/.');
    }
  } catch (error) {
    console.error(`docs: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
