/**
 * After minifying: wraps each module factory of the bundle in parentheses, `123:(e,t,n)=>{…}`
 * becoming `123:((e,t,n)=>{…})`, so V8 compiles it while it parses the file.
 *
 * Why: V8 compiles a function lazily, on its first call, and before that pre-parses it with the
 * rest of the file. Every factory of ncc's modules object is called, once, at start-up (a chunk's,
 * when the chunk is imported), so each was parsed twice: pre-parsed with the file, then parsed
 * again in full when `__nccwpck_require__` called it; for a factory that holds a whole
 * concatenated module (the settings, the runner) that is kilobytes of source. V8 compiles a
 * parenthesised function eagerly (its heuristic for "called at once"); ncc's unminified output has
 * these parentheses, and the minifier drops them. Putting them back changes nothing a program can
 * observe. What it saves, alone in profiles and with the ASCII-only printing (minify-chunks.mjs) in
 * wall time, is measured in docs/performance.md ("Compiling the module factories on parse").
 *
 * scripts/build.mjs calls eagerFactories(dir) after minifying; on its own:
 *   node scripts/eager-factories.mjs <bundle dir>
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/** The bundle's files whose factories are wrapped: index.js and each `<n>.index.js` chunk. */
const BUNDLE_JS = /^(\d+\.)?index\.js$/;

/**
 * ncc's modules objects in a file: object literals whose every property is `<number>: <function>`
 * (`var t={3916:(e,t,n)=>{…},…}` in index.js, `export const modules={…}` in a chunk).
 * @param {ts.SourceFile} file
 * @returns {ts.Expression[]} the factories
 */
export function moduleFactories(file) {
  const factories = [];
  const visit = (node) => {
    if (ts.isObjectLiteralExpression(node) && node.properties.length > 0) {
      const values = node.properties.map((p) => (ts.isPropertyAssignment(p) && ts.isNumericLiteral(p.name) ? p.initializer : undefined));
      const unwrapped = values.map((v) => (v && ts.isParenthesizedExpression(v) ? v.expression : v));
      if (unwrapped.every((v) => v !== undefined && (ts.isArrowFunction(v) || ts.isFunctionExpression(v)))) {
        factories.push(...values);
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return factories;
}

/**
 * The code with every factory not yet in parentheses wrapped in them.
 * @param {string} code
 * @returns {{ code: string, wrapped: number }}
 */
export function wrapFactories(code) {
  const file = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const edits = moduleFactories(file)
    .filter((factory) => !ts.isParenthesizedExpression(factory))
    .flatMap((factory) => [
      [factory.getStart(file), '('],
      [factory.getEnd(), ')'],
    ])
    .sort((a, b) => b[0] - a[0]);
  let out = code;
  for (const [at, text] of edits) out = out.slice(0, at) + text + out.slice(at);
  return { code: out, wrapped: edits.length / 2 };
}

/**
 * Wraps the factories of index.js and of every chunk in dir, in place.
 * @param {string} dir
 * @param {(line: string) => void} [log]
 */
export function eagerFactories(dir, log = () => {}) {
  let total = 0;
  for (const name of readdirSync(dir).filter((f) => BUNDLE_JS.test(f))) {
    const path = join(dir, name);
    const { code, wrapped } = wrapFactories(readFileSync(path, 'utf8'));
    writeFileSync(path, code);
    total += wrapped;
  }
  // No throw on none: a one-module project bundles without a modules object. The action's bundle
  // has factories, and __tests__/project/eager-factories.test.ts checks that each is wrapped.
  log(`eager-factories: ${total} module factories compiled on parse`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/eager-factories.mjs <bundle dir>');
    process.exit(2);
  }
  eagerFactories(resolve(dir), console.log);
}
