/**
 * The house without knots (issue 18): every import in src/ points down a layer or stays in its own
 * folder, and no files import each other, directly or round a ring. Static, dynamic (`import()`),
 * type-only (`import type`) and re-exporting (`export … from`) imports all count: a type-only
 * import is erased from the bundle, but it still ties the two files' meanings together.
 *
 * The imports are read with TypeScript's own pre-processor (`ts.preProcessFile`), which skips
 * comments and strings, so a commented-out import does not count and an import split over lines
 * does.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';

/**
 * The layers of src/, bottom to top. A unit is a folder of src/ or a file at its top (without
 * `.ts`). A file may import files of its own unit and of units on a lower line; never a unit on
 * its own line (the units of one line stay independent of each other) or above it. A new folder
 * or top-level file must be placed here before the test passes: deciding where it sits is the
 * point.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['core'], // primitives every floor may use: guards, errors, redaction, Markdown, clock and fetch types
  ['runner', 'net', 'settings', 'github'], // the runner interface, fetch and proxies, inputs, GitHub's API
  ['incident-io'], // the one HTTP client and incident.io's resources
  ['output'], // the one door to the runner: log lines, annotations, outputs, summary
  ['jobs'], // the registry and each job's story
  ['main'], // orchestration
  ['index', 'local'], // the bundle's entries and the local-action entry
];

interface Graph {
  /** Every file, as a path under src/ (`jobs/registry.ts`). */
  readonly files: readonly string[];
  /** For each file, the files of src/ it imports (resolved, `.js` → `.ts`). */
  readonly imports: ReadonlyMap<string, readonly string[]>;
  /** Relative imports that name no file: the test cannot check what it cannot resolve. */
  readonly unresolved: readonly string[];
}

/** Reads the import graph of the files given as `path → source text` (paths relative to src/). */
function importGraph(sources: ReadonlyMap<string, string>): Graph {
  const imports = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const [file, text] of sources) {
    const targets: string[] = [];
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue; // a package
      const joined = posix.normalize(posix.join(posix.dirname(file), fileName));
      if (joined.startsWith('../')) {
        // Outside src/: only data (package.json for the version) may be read from there.
        if (!joined.endsWith('.json')) unresolved.push(`src/${file} imports ${fileName}, outside src/`);
        continue;
      }
      const target = joined.replace(/\.js$/, '.ts');
      if (sources.has(target)) targets.push(target);
      else if (!joined.endsWith('.json')) unresolved.push(`src/${file} imports ${fileName}, which is no file of src/`);
    }
    imports.set(file, [...new Set(targets)]);
  }
  return { files: [...sources.keys()].sort(), imports, unresolved };
}

/** The unit a file belongs to: its folder under src/, or its own name for a file at the top. */
function unitOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file.replace(/\.ts$/, '') : file.slice(0, slash);
}

/** Imports that point up a layer or sideways to another unit of the same layer, one line each. */
function layerViolations(graph: Graph, layers: readonly (readonly string[])[] = LAYERS): string[] {
  const level = new Map<string, number>();
  layers.forEach((units, i) => units.forEach((unit) => level.set(unit, i)));
  const problems: string[] = [];
  const unplaced = [...new Set(graph.files.map(unitOf))].filter((unit) => !level.has(unit)).sort();
  for (const unit of unplaced) problems.push(`src/${unit} is in no layer: add it to LAYERS in __tests__/project/architecture.test.ts`);
  for (const file of graph.files) {
    const from = unitOf(file);
    const fromLevel = level.get(from);
    for (const target of graph.imports.get(file) ?? []) {
      const to = unitOf(target);
      const toLevel = level.get(to);
      if (from === to || fromLevel === undefined || toLevel === undefined || toLevel < fromLevel) continue;
      const way = toLevel === fromLevel ? 'sideways, within one layer' : 'up a layer';
      problems.push(`src/${file} (${from}) imports src/${target} (${to}): ${way}`);
    }
  }
  return problems;
}

/**
 * Every ring of files that import each other, each as one concrete path (`a.ts → b.ts → a.ts`).
 * Tarjan's strongly connected components find the rings; a breadth-first walk inside each one
 * names a shortest ring through its first file.
 */
function importCycles(graph: Graph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.imports.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfImport = (graph.imports.get(file) ?? []).includes(file);
      if (component.length > 1 || selfImport) components.push(component.sort());
    }
  };
  for (const file of graph.files) if (!index.has(file)) visit(file);
  return components.map((component) => {
    const inRing = new Set(component);
    const start = component[0]!;
    const cameFrom = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const file = queue.shift()!;
      const target = (graph.imports.get(file) ?? []).find((t) => t === start);
      if (target !== undefined) {
        const ring = [start];
        for (let at = file; at !== start; at = cameFrom.get(at)!) ring.splice(1, 0, at);
        return [...ring, start].map((f) => `src/${f}`).join(' → ');
      }
      for (const t of graph.imports.get(file) ?? []) {
        if (inRing.has(t) && !cameFrom.has(t) && t !== start) {
          cameFrom.set(t, file);
          queue.push(t);
        }
      }
    }
    return component.map((f) => `src/${f}`).join(', ');
  });
}

function readSources(): Map<string, string> {
  const src = new URL('../../src/', import.meta.url);
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split('\\').join('/'))
    .filter((f) => f.endsWith('.ts'));
  return new Map(files.sort().map((f) => [f, readFileSync(new URL(f, src), 'utf8')]));
}

describe('the house without knots: src/ as it is', () => {
  const graph = importGraph(readSources());

  it('reads a fair number of files and imports (a reader that found nothing would pass everything)', () => {
    expect(graph.files.length).toBeGreaterThan(50);
    expect(graph.files).toEqual(expect.arrayContaining(['main.ts', 'jobs/registry.ts', 'core/errors.ts']));
    expect([...graph.imports.values()].flat().length).toBeGreaterThan(200);
    // The registry loads each job with a dynamic import(); those count.
    expect(graph.imports.get('jobs/registry.ts')).toEqual(expect.arrayContaining(['jobs/declare/index.ts']));
    expect(existsSync(new URL('../../src/jobs/declare/index.ts', import.meta.url))).toBe(true);
  });

  it('resolves every relative import to a file of src/', () => {
    expect(graph.unresolved).toEqual([]);
  });

  it('places every folder and top-level file of src/ in a layer, and no import points up a layer or sideways', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('has no ring of files that import each other (static, dynamic and type-only imports alike)', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});

describe('the checks themselves, on made-up files', () => {
  const graphOf = (files: Record<string, string>) => importGraph(new Map(Object.entries(files)));

  it('finds a ring made by a dynamic import and a type-only import, and names its files in order', () => {
    const graph = graphOf({
      'jobs/a.ts': "export const load = () => import('./b.js');",
      'jobs/b.ts': "import type { C } from './c.js';\nexport type B = C;",
      'jobs/c.ts': "export type { A } from './a.js';\nexport type C = 1;",
      'jobs/d.ts': "import { load } from './a.js';",
    });
    expect(importCycles(graph)).toEqual(['src/jobs/a.ts → src/jobs/b.ts → src/jobs/c.ts → src/jobs/a.ts']);
  });

  it('finds two files that import each other, and a file that imports itself', () => {
    const graph = graphOf({
      'net/fetch.ts': "import {\n  agent,\n} from './undici.js';",
      'net/undici.ts': "import { fetch } from './fetch.js';",
      'core/self.ts': "export * from './self.js';",
    });
    expect(importCycles(graph).sort()).toEqual([
      'src/core/self.ts → src/core/self.ts',
      'src/net/fetch.ts → src/net/undici.ts → src/net/fetch.ts',
    ]);
  });

  it('refuses an import up a layer, or sideways within one, however it is written, and lets one down pass', () => {
    const graph = graphOf({
      'core/errors.ts': "export type { Output } from '../output/output.js';",
      'github/api.ts': "const load = () => import('../net/fetch.js');",
      'net/fetch.ts': "import type { Redactor } from '../core/redact.js';",
      'core/redact.ts': '// import { x } from "../main.js";\nconst s = "import(\'../main.js\')";',
      'output/output.ts': "import type { Redactor } from '../core/redact.js';",
      'main.ts': "import { run } from './output/output.js';",
    });
    expect(graph.unresolved).toEqual([]);
    expect(layerViolations(graph)).toEqual([
      'src/core/errors.ts (core) imports src/output/output.ts (output): up a layer',
      'src/github/api.ts (github) imports src/net/fetch.ts (net): sideways, within one layer',
    ]);
  });

  it('names a folder that is in no layer, and an import it cannot resolve', () => {
    const graph = graphOf({ 'paging/page.ts': "import { x } from '../core/gone.js';\nimport y from '../../scripts/x.mjs';" });
    expect(layerViolations(graph)).toEqual(['src/paging is in no layer: add it to LAYERS in __tests__/project/architecture.test.ts']);
    expect(graph.unresolved).toEqual([
      'src/paging/page.ts imports ../core/gone.js, which is no file of src/',
      'src/paging/page.ts imports ../../scripts/x.mjs, outside src/',
    ]);
  });
});
