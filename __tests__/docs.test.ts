/** The README is generated from action.yml and examples/, and the examples pass valid inputs. */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import {
  generate,
  inputsTable,
  loadTroubleshooting,
  outputsTable,
  renderReadme,
  renderTroubleshooting,
  splitDescription,
} from '../scripts/docs.mjs';
import { readScopeEntries, SCOPES_MODULE, scopeEntries, scopesModule } from '../scripts/scopes.mjs';
import { SCOPES } from '../src/incident-io/scopes.js';
import { TROUBLESHOOTING } from '../src/incident-io/refusals.js';

const root = new URL('..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const action = parse(read('action.yml'));
const readme = read('README.md');
const examples = readdirSync(new URL('examples/', root)).filter((f) => f.endsWith('.yml'));

describe('npm run docs', () => {
  it('has left the README as it would write it now (run `npm run docs` if this fails)', () => {
    expect(renderReadme(readme, action, read)).toBe(readme);
  });

  it('has left every generated file as it would write it now: the README, the job pages and src/incident-io/scopes.ts', async () => {
    const files = await generate(root);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['README.md', SCOPES_MODULE]));
    for (const [path, text] of files) expect({ path, text }).toEqual({ path, text: read(path) });
  });

  it('exits 0 on --check from the command line, loading the troubleshooting entries from the TypeScript source', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/docs.mjs', '--check'], { cwd: new URL('.', root) });
    expect(stdout).toMatch(/match action\.yml, examples\/, the pruned spec and src\/incident-io\/refusals\.ts/);
    // What the script loads on its own is what the code uses.
    expect(await loadTroubleshooting(root)).toEqual(TROUBLESHOOTING);
  }, 30_000);

  it('puts every input and output, and every example, in the README', () => {
    for (const input of Object.keys(action.inputs)) expect(readme).toMatch(new RegExp(`^\\| \`${input}\` \\|`, 'm'));
    for (const output of Object.keys(action.outputs)) expect(readme).toMatch(new RegExp(`^\\| \`${output}\` \\|`, 'm'));
    for (const example of examples) expect(readme).toContain(`${'```'}yaml\n${read(`examples/${example}`).trimEnd()}\n${'```'}`);
  });

  it('renders a row per input: operations from the description, default, and one-line text with pipes escaped', () => {
    const table = inputsTable({
      inputs: { a: { description: '(create, alert) Text\nover | lines.', default: 'x' }, b: { description: '(all) Any.', default: '' } },
      outputs: {},
    });
    expect(table.split('\n')).toEqual([
      '| input | operations | default | description |',
      '|---|---|---|---|',
      '| `a` | create, alert | `x` | Text over \\| lines. |',
      '| `b` | all | | Any. |',
    ]);
    expect(outputsTable({ inputs: {}, outputs: { o: { description: '(resolve) Its status.' } } })).toContain(
      '| `o` | resolve | Its status. |',
    );
  });

  it('refuses a description without operations, or with an unknown one', () => {
    expect(() => splitDescription('x', 'Just text.')).toThrow('the description of "x" must start with its operations in parentheses');
    expect(() => splitDescription('x', '(create, delete) Text.')).toThrow(
      '"x" names unknown operation(s) delete; allowed: all, create, update, resolve, alert, heartbeat.',
    );
  });

  it('refills a file block and refuses a README without the table markers', () => {
    const mark = (t: string, end: string) => `<!-- ${end} ${t} table: generated from action.yml by \`npm run docs\` -->`;
    const tables = ['inputs', 'outputs'].map((t) => `${mark(t, 'begin')}\nold\n${mark(t, 'end')}`).join('\n');
    const text = `<!-- begin file: examples/a.yml (copied) -->\nold\n<!-- end file: examples/a.yml -->\n${tables}\n`;
    const out = renderReadme(text, { inputs: {}, outputs: {} }, (path: string) => `# ${path}\n`);
    expect(out).toContain(
      '<!-- begin file: examples/a.yml (copied) -->\n```yaml\n# examples/a.yml\n```\n<!-- end file: examples/a.yml -->',
    );
    expect(out).not.toContain('old');
    expect(() => renderReadme('no markers', { inputs: {}, outputs: {} }, read)).toThrow('README.md needs the lines');
  });

  it('generates the scope table from x-rbac-scopes, "not published" where the spec lists none', () => {
    const spec = {
      paths: {
        '/v2/things/{id}': { get: { 'x-rbac-scopes': ['things.view'] }, post: {}, parameters: [] },
        '/v1/a': { delete: { 'x-rbac-scopes': ['a.delete', 'b.admin'] } },
      },
    };
    const entries = scopeEntries(spec);
    expect(entries).toEqual([
      ['DELETE /v1/a', ['a.delete', 'b.admin']],
      ['GET /v2/things/{id}', ['things.view']],
      ['POST /v2/things/{id}', []],
    ]);
    expect(scopesModule(entries)).toContain(
      "  'DELETE /v1/a': ['a.delete', 'b.admin'],\n  'GET /v2/things/{id}': ['things.view'],\n  'POST /v2/things/{id}': [],\n};",
    );
    expect(scopesModule(entries)).toMatch(/^\/\/ Generated by `npm run docs` \(scripts\/scopes\.mjs\)/);
    const mark = (end: string) => `<!-- ${end} scopes table: generated from the pruned spec by \`npm run docs\` -->`;
    const tables = ['inputs', 'outputs'].map(
      (t) =>
        `<!-- begin ${t} table: generated from action.yml by \`npm run docs\` -->\n<!-- end ${t} table: generated from action.yml by \`npm run docs\` -->`,
    );
    const out = renderReadme(`${tables.join('\n')}\n${mark('begin')}\nold\n${mark('end')}\n`, { inputs: {}, outputs: {} }, read, entries);
    expect(out).toContain(
      `${mark('begin')}\n| request | scope incident.io lists for it |\n|---|---|\n| \`DELETE /v1/a\` | \`a.delete\`, \`b.admin\` |\n| \`GET /v2/things/{id}\` | \`things.view\` |\n| \`POST /v2/things/{id}\` | not published |\n${mark('end')}`,
    );
    expect(() => scopeEntries({ paths: { '/x': { get: { 'x-rbac-scopes': 'x.view' } } } })).toThrow('x-rbac-scopes is not a list of names');
  });

  it('has the same scopes in src/incident-io/scopes.ts as the pruned spec, and the hand-written permissions table names only those', () => {
    expect(Object.entries(SCOPES)).toEqual(readScopeEntries(root));
    const permissions = readme.slice(readme.indexOf('## Permissions'), readme.indexOf('## Inputs'));
    const known = new Set(Object.values(SCOPES).flat());
    const named = [...permissions.matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((scope) => !known.has(scope))).toEqual([]);
  });

  it('fills a troubleshooting block with the entries it names, links made relative to the page', () => {
    const entries = [
      { id: 'a', says: 'incident.io said A', fix: 'Do A; see [Permissions](README.md#permissions).' },
      { id: 'b', says: 'incident.io said B', fix: 'Do B | carefully.' },
    ];
    const block = (ids: string) =>
      `<!-- begin troubleshooting: ${ids} (generated from x by \`npm run docs\`) -->\nold\n<!-- end troubleshooting -->`;
    const rows = '| the step says | what to do |\n|---|---|\n';
    expect(renderTroubleshooting(`x\n${block('b a')}\ny`, 'README.md', entries)).toBe(
      `x\n${block('b a').replace('old\n', `${rows}| \`incident.io said B\` | Do B \\| carefully. |\n| \`incident.io said A\` | Do A; see [Permissions](#permissions). |\n`)}\ny`,
    );
    expect(renderTroubleshooting(block('a'), 'update/README.md', entries)).toContain('see [Permissions](../README.md#permissions).');
    expect(() => renderTroubleshooting(block('a c'), 'README.md', entries)).toThrow(
      'README.md: no troubleshooting entry "c"; known: a, b.',
    );
  });

  it('opens the README with what the action does and a quick start, then the two commands, and CI runs its test command', () => {
    const headings = readme.split('\n').filter((line) => line.startsWith('## '));
    expect(headings.slice(0, 3)).toEqual(['## Quick start', '## Try it locally', '## Cookbook']);
    const local = readme.slice(readme.indexOf('## Try it locally'), readme.indexOf('## Cookbook'));
    expect(local).toMatch(/npm ci && npm run demo[^\n]*\nnpm test/);
    // The first screen is for users: no npm command before the quick start.
    expect(readme.slice(0, readme.indexOf('## Quick start'))).not.toMatch(/npm /);
    expect(read('.ci/run')).toMatch(/^npm test$/m);
  });
});

describe('examples/', () => {
  type Step = { uses?: string; with?: Record<string, unknown> };
  const workflows = examples.map((f) => parse(read(`examples/${f}`)) as { jobs: Record<string, { steps?: Step[] }> });
  const steps = workflows
    .flatMap((w) => Object.values(w.jobs).flatMap((job) => job.steps ?? []))
    .filter((s) => s.uses?.startsWith('incident-io-action/'));

  it('cover the documented uses: failed deploy, manual declaration, lifecycle, watcher, incident-key, alerts, heartbeats', () => {
    expect(examples.sort()).toEqual([
      'declare-incident.yml',
      'deploy-failure.yml',
      'deploy-incident-key.yml',
      'deploy-rollback.yml',
      'file-retrospective.yml',
      'nightly-alert.yml',
      'nightly-heartbeat.yml',
      'pull-request-preview.yml',
      'watch-deploys.yml',
    ]);
    // Every input and output is shown in at least one example.
    const used = new Set(steps.flatMap((s) => Object.keys(s.with ?? {})));
    const texts = examples.map((f) => read(`examples/${f}`)).join('\n');
    for (const input of Object.keys(action.inputs)) {
      if (
        ![
          'api-url',
          'dry-run',
          'fail-on-error',
          'idempotency-key',
          'notify-incident-channel',
          'status',
          'deduplication-key',
          'source-url',
          'alert-status',
        ].includes(input)
      ) {
        expect({ input, used: used.has(input) }).toEqual({ input, used: true });
      }
    }
    for (const output of Object.keys(action.outputs)) {
      if (!['incident-reference', 'incident-name', 'status', 'deduplication-key'].includes(output))
        expect(texts).toContain(`outputs.${output}`);
    }
    const operations = new Set(steps.map((s) => (s.with?.['operation'] as string | undefined) ?? 'create'));
    expect([...operations].sort()).toEqual(['alert', 'create', 'heartbeat', 'resolve', 'update']);
  });

  it('pass only inputs their operation uses, with values the settings accept', async () => {
    const { readSettings } = await import('../src/settings/settings.js');
    for (const step of steps) {
      // Expressions stand for runtime values; give each a plausible one and let the settings check the rest.
      const concrete = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([k, v]) => {
          // A plausible runtime value of the input's kind.
          const kinds: Record<string, string> = {
            'incident-id': 'INC-1',
            visibility: 'private',
            timestamps: '2026-11-26T10:04:00Z',
            'postmortem-url': 'https://docs.example.com/pm',
            'slack-channel-id': 'C0123ABC',
            'slack-team-id': 'T0123ABC',
          };
          const value = kinds[k] ?? 'x';
          return [
            k,
            String(v)
              .replace(/\$\{\{[^}]*\}\}/g, value)
              .trim(),
          ];
        }),
      );
      await expect(readSettings((name) => concrete[name] ?? '')).resolves.toBeDefined();
    }
  });
});
