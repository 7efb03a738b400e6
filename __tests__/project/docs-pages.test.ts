/**
 * The pages a user reads: the README is a map (short, with a table of contents and a link to each
 * job's page), every relative link and `#anchor` in every page leads somewhere, and every
 * troubleshooting table quotes words the action's source really says.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { jobOfUses, readJobs } from '../../scripts/jobs.mjs';
import { SCOPES } from '../../src/incident-io/scopes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const jobs = readJobs(new URL('../..', import.meta.url));

/** README.md, CONTRIBUTING.md, SECURITY.md, CHANGELOG.md, every Markdown file under docs/, and every top-level folder's README.md. */
function allPages(): string[] {
  const top = ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md'].filter((p) => existsSync(join(root, p)));
  const docs = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f.split('\\').join('/')}`);
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules')
    .map((d) => `${d.name}/README.md`)
    .filter((p) => existsSync(join(root, p)));
  return [...top, ...docs.sort(), ...folders.sort()];
}

/** The page without its fenced code blocks (a YAML comment there is not a heading, a `](` not a link). */
export function prose(markdown: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && opening) fence = opening[0]!.repeat(opening.length);
    else if (fence !== undefined && line.trim().startsWith(fence)) fence = undefined;
    else if (fence === undefined) out.push(line);
    else out.push('');
  }
  return out.join('\n');
}

/** GitHub's anchor for a heading: its text as rendered, lower-cased, punctuation dropped, spaces as hyphens; repeats get -1, -2, …. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    const ids = [...line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)].map((m) => m[1]!);
    for (const id of ids) result.add(id);
    if (heading === undefined) continue;
    const text = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[`*]/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** Every relative link of a page (inline code and fenced blocks left out) that leads nowhere: a missing file, or a missing heading. */
export function brokenLinks(
  page: string,
  markdown: string,
  readPage: (path: string) => string | undefined,
  isDir: (path: string) => boolean,
): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, '');
  const broken: string[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [path = '', anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = path === '' ? page : posix.normalize(posix.join(posix.dirname(page), path)).replace(/\/$/, '');
    let file = resolved;
    if (path !== '' && (path.endsWith('/') || isDir(resolved))) {
      if (!isDir(resolved)) {
        broken.push(`${page}: ${target} (no folder ${resolved})`);
        continue;
      }
      if (anchor === undefined) continue;
      file = posix.join(resolved, 'README.md');
    }
    const body = readPage(file);
    if (body === undefined) {
      broken.push(`${page}: ${target} (no file ${file})`);
      continue;
    }
    if (anchor !== undefined && file.endsWith('.md') && !anchors(body).has(anchor))
      broken.push(`${page}: ${target} (no heading #${anchor} in ${file})`);
  }
  return broken;
}

/**
 * The action's source as the words it can print: string pieces joined where the code concatenates
 * them, escapes undone, and each `${…}` of a template as one NUL, which a quoted `"…"` may stand for.
 */
export function sourceWords(source: string): string {
  const joined = source.replace(/(['"`])\s*\+\s*(?:\/\/[^\n]*\n\s*)*(['"`])/g, '').replace(/\\(['"`])/g, '$1');
  let out = '';
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '$' && joined[i + 1] === '{') {
      let depth = 0;
      let j = i + 1;
      for (; j < joined.length; j++) {
        if (joined[j] === '{') depth++;
        else if (joined[j] === '}' && --depth === 0) break;
      }
      out += '\u0000';
      i = j;
    } else out += joined[i];
  }
  // The text inside each `${…}` stays findable too ('could not reach' in `${lost ? … : 'could not reach'}`).
  return `${out}\n${joined}`;
}

/**
 * The quoted words of a troubleshooting row that the source does not say. The quote is split at
 * each `…` (what the message fills in); each piece must be in the source, where a `"value"` in
 * the piece may be any quoted value or a `${…}`. Pieces of fewer than 6 characters, and Node's
 * error codes (`ENOTFOUND`), are not looked for.
 */
export function unsaid(quote: string, words: string): string[] {
  const pieces = quote
    .split('…')
    .map((p) => p.trim())
    .filter((p) => p.length >= 6 && !/^[(;,\s]*[A-Z][A-Z0-9_]+[);,\s]*$/.test(p));
  return pieces.filter((piece) => {
    const pattern = piece
      .split(/("[^"]*")/)
      .map((part, i) => (i % 2 === 1 ? '(?:"[^"\\n]*"|\\u0000)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return !new RegExp(pattern).test(words);
  });
}

/** The quotes of every troubleshooting table (a table whose first column is "the step says"): page, row, quote. */
export function troubleshootingQuotes(page: string, markdown: string): { page: string; row: string; quote: string }[] {
  const quotes: { page: string; row: string; quote: string }[] = [];
  let inTable = false;
  for (const line of prose(markdown).split('\n')) {
    if (/^\|\s*the step says\s*\|/.test(line)) {
      inTable = true;
      continue;
    }
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    if (!inTable || /^\|[-\s|]+\|$/.test(line)) continue;
    const cell = line.slice(1).split(/(?<!\\)\|/)[0]!;
    const spans = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\\\|/g, '|'));
    if (spans.length === 0) quotes.push({ page, row: line, quote: '' });
    for (const quote of spans) quotes.push({ page, row: line, quote });
  }
  return quotes;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

const pages = allPages();
const readme = read('README.md');

describe('the README', () => {
  it('is a map: at most about 300 lines (320 at most), a table of contents naming every section, and the two commands', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(320);
    const sections = prose(readme)
      .split('\n')
      .filter((l) => l.startsWith('## '))
      .map((l) => l.slice(3));
    expect(sections[0]).toBe('Contents');
    const contents = readme.slice(readme.indexOf('## Contents'), readme.indexOf('\n## ', readme.indexOf('## Contents') + 1));
    const slugs = anchors(readme);
    for (const section of sections.slice(1)) {
      const anchor = [...anchors(`## ${section}`)][0]!;
      expect({ section, listed: contents.includes(`](#${anchor})`) }).toEqual({ section, listed: true });
      expect(slugs.has(anchor)).toBe(true);
    }
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toMatch(/^npm test\b/m);
  });

  it("links every job's page from its table of jobs, and security and development", () => {
    const start = readme.indexOf('## Jobs');
    const table = readme.slice(start, readme.indexOf('\n## ', start + 1));
    for (const job of jobs) {
      const link = job.folder ? `${job.folder}/` : job.page;
      expect({ job: job.name, linked: table.includes(`](${link})`) }).toEqual({ job: job.name, linked: true });
    }
    expect(readme).toContain('](SECURITY.md)');
    expect(readme).toContain('](CONTRIBUTING.md)');
  });

  it('says, for every job, the incident.io scopes and the GitHub permissions it needs, naming only scopes the spec has', () => {
    const section = readme.slice(readme.indexOf('\n## Permissions'), readme.indexOf('\n## ', readme.indexOf('\n## Permissions') + 1));
    const keyTable = section.slice(section.indexOf('| job | scopes'), section.indexOf('\n\n', section.indexOf('| job | scopes')));
    const githubTable = section.slice(section.indexOf('| job | GitHub'), section.indexOf('\n\n', section.indexOf('| job | GitHub')));
    for (const job of jobs) {
      expect({ job: job.name, key: keyTable.includes(`\n| ${job.name} |`) }).toEqual({ job: job.name, key: true });
      expect({ job: job.name, github: githubTable.includes(`\n| ${job.name} |`) }).toEqual({ job: job.name, github: true });
    }
    // Every `word.word` the key's table names is a scope of the spec (a typo would send a reader to the key page for nothing).
    const known = new Set(Object.values(SCOPES).flat());
    const named = [...keyTable.matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((scope) => !known.has(scope))).toEqual([]);
    // What the spec publishes about the key page, and no more: the identity request, and "not published" where it lists no scope.
    expect(section).toContain('GET /v1/identity');
    expect(section).toContain('not published');
  });

  it('keeps contributor material out: no layout of src/, no sandbox internals, no list of npm scripts', () => {
    expect(readme).not.toMatch(/src\/(main|settings|operations|incident-io)/);
    expect(readme).not.toContain('npm run check-dist');
    expect(readme).not.toContain('npm run prune-spec');
  });
});

describe('the examples', () => {
  /** The inputs whose values are names of a workspace's objects. */
  /** Inputs whose values are names of the user's own workspace (every job's), so an example copied as it is fails on them. */
  const NAMED = [
    'severity',
    'incident-type',
    'status',
    'custom-fields',
    'roles',
    'timestamps',
    'escalation-path',
    'users',
    'schedule',
    'alerts',
    'lead',
  ];
  const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yml'));

  /** Each line of the example that gives a workspace name as written (not from an expression) and does not mark it `# your …`. */
  function unmarked(text: string): string[] {
    const lines = text.split('\n');
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const input = /^(\s*)([a-z-]+):\s*(.*)$/.exec(lines[i]!);
      if (!input || !NAMED.includes(input[2]!)) continue;
      const indent = input[1]!.length;
      const value = input[3]!.replace(/\s+#.*$/, '').trim();
      const wholly = (text: string) => /^\$\{\{[^}]*\}\}$/.test(text.replace(/\s+#.*$/, '').trim());
      let literal: string[];
      if (value === '|') {
        // A block's lines are its names (a mapping's keys); they may share one mark on the first line.
        literal = [];
        for (let j = i + 1; j < lines.length && (lines[j]!.trim() === '' || /^\s*/.exec(lines[j]!)![0].length > indent); j++) {
          if (lines[j]!.trim() !== '' && !wholly(lines[j]!)) literal.push(lines[j]!);
        }
      } else literal = value === '' || wholly(value) ? [] : [lines[i]!];
      if (literal.length > 0 && ![lines[i]!, ...literal].some((l) => /#\s*your\b/.test(l))) out.push(lines[i]!.trim());
    }
    return out;
  }

  it('mark every workspace name they give as one to replace', () => {
    for (const file of examples) expect({ file, unmarked: unmarked(read(`examples/${file}`)) }).toEqual({ file, unmarked: [] });
  });

  it('check the names first: a step of this action that names workspace objects can run as a dry run', () => {
    type Step = { uses?: string; with?: Record<string, unknown> };
    let checked = 0;
    for (const file of examples) {
      const workflow = parse(read(`examples/${file}`)) as { jobs: Record<string, { steps?: Step[] }> };
      for (const step of Object.values(workflow.jobs).flatMap((j) => j.steps ?? [])) {
        const job = jobOfUses(step.uses ?? '', jobs)?.job;
        if (!job) continue;
        // Only a job that declares `dry-run` can be asked for one. A job without it (on-call/) only
        // reads: running it as it is checks its names and writes nothing, so it is its own check.
        // A job that writes and drops its `dry-run` input still fails here, through its examples.
        if (!Object.hasOwn(job.action.inputs ?? {}, 'dry-run')) continue;
        const names = Object.entries(step.with ?? {}).filter(([k, v]) => NAMED.includes(k) && !/^\$\{\{[^}]*\}\}$/.test(String(v).trim()));
        if (names.length === 0) continue;
        checked++;
        expect({ file, uses: step.uses, dryRun: step.with?.['dry-run'] !== undefined }).toEqual({ file, uses: step.uses, dryRun: true });
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('find an unmarked name, in a line or in a block', () => {
    expect(unmarked('      severity: Major\n')).toEqual(['severity: Major']);
    expect(unmarked('      severity: Major # your severity\n')).toEqual([]);
    expect(unmarked('      severity: ${{ inputs.severity }}\n')).toEqual([]);
    expect(unmarked('      custom-fields: |\n        Team: Payments\n      links: |\n')).toEqual(['custom-fields: |']);
    expect(unmarked('      custom-fields: |\n        Team: Payments # your field\n')).toEqual([]);
    expect(unmarked('      timestamps: |\n        Impact started: ${{ inputs.at }}\n')).toEqual(['timestamps: |']);
    expect(unmarked('      roles: ${{ inputs.roles }}\n')).toEqual([]);
  });
});

describe('every page', () => {
  it('has only relative links and anchors that resolve', () => {
    const readPage = (path: string) => (existsSync(join(root, path)) && statSync(join(root, path)).isFile() ? read(path) : undefined);
    const isDir = (path: string) => existsSync(join(root, path)) && statSync(join(root, path)).isDirectory();
    expect(pages.length).toBeGreaterThanOrEqual(10);
    expect(pages.flatMap((page) => brokenLinks(page, read(page), readPage, isDir))).toEqual([]);
  });

  it('quotes in its troubleshooting tables only words the action says', () => {
    const words = sourceWords(sourceFiles('src').map(read).join('\n'));
    const quotes = pages.flatMap((page) => troubleshootingQuotes(page, read(page)));
    expect(quotes.length).toBeGreaterThan(40);
    const wrong = quotes.filter((q) => q.quote === '' || unsaid(q.quote, words).length > 0);
    expect(wrong.map((q) => ({ page: q.page, quote: q.quote, unsaid: unsaid(q.quote, words) }))).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it("make GitHub's anchors, and skip code blocks", () => {
    const page =
      '# A title\n## One incident per outage (`incident-key`)\n```yaml\n# not a heading\n```\n## A title\n### What *it* does, and [why](x.md)\n';
    expect([...anchors(page)]).toEqual(['a-title', 'one-incident-per-outage-incident-key', 'a-title-1', 'what-it-does-and-why']);
  });

  it('find a missing file, a missing folder and a missing heading, but not a link in code', () => {
    const page =
      '[ok](a.md#alpha) [bad](a.md#beta) [gone](b.md) [up](../README.md#here) [dir](../update/) [self](#nope) `[code](x.md)`\n```\n[fenced](y.md)\n```\n[web](https://example.com/#x)';
    const files: Record<string, string> = { 'docs/a.md': '# Alpha\n', 'README.md': '## Here\n', 'docs/x.md': page };
    expect(
      brokenLinks(
        'docs/x.md',
        page,
        (p) => files[p],
        (p) => p === 'update',
      ),
    ).toEqual([
      'docs/x.md: a.md#beta (no heading #beta in docs/a.md)',
      'docs/x.md: b.md (no file docs/b.md)',
      'docs/x.md: #nope (no heading #nope in docs/x.md)',
    ]);
  });

  it('find a quote the source does not say, with any value in quotes and a split at each …', () => {
    const words = sourceWords(
      "throw new InputError(`Input \"${name}\" is ${JSON.stringify(raw)}; allowed values: ` +\n  'a, b.');\nconst s = `${lost ? 'lost' : 'could not reach'} ${host}`;",
    );
    expect(unsaid('Input "severity" is "Majr"; allowed values: a, b.', words)).toEqual([]);
    expect(unsaid('could not reach … (ENOTFOUND)', words)).toEqual([]);
    expect(unsaid('Input "severity" is "Majr"; allowed names: a', words)).toEqual(['Input "severity" is "Majr"; allowed names: a']);
    expect(
      troubleshootingQuotes('p.md', '| the step says | what to do |\n|---|---|\n| `a \\| b`, or `c` | d |\n| no quote | e |\n\n| x |\n'),
    ).toEqual([
      { page: 'p.md', row: '| `a \\| b`, or `c` | d |', quote: 'a | b' },
      { page: 'p.md', row: '| `a \\| b`, or `c` | d |', quote: 'c' },
      { page: 'p.md', row: '| no quote | e |', quote: '' },
    ]);
  });
});
