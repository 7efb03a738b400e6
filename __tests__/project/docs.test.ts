/** The docs are generated from the jobs' action.yml files and examples/, and the examples pass valid inputs. */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import {
  generate,
  firstSentence,
  inputsTable,
  JOBS_SOURCE,
  jobsTable,
  loadTroubleshooting,
  MARK,
  outputsTable,
  pages,
  renderPage,
  renderTroubleshooting,
  usesOf,
} from '../../scripts/docs.mjs';
import { DECLARED_MODULE, declaredModule, jobOfUses, readJobs } from '../../scripts/jobs.mjs';
import { readScopeEntries, SCOPES_MODULE, scopeEntries, scopesModule } from '../../scripts/scopes.mjs';
import { SCOPES } from '../../src/incident-io/scopes.js';
import { TROUBLESHOOTING } from '../../src/incident-io/refusals.js';

const root = new URL('../..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const readme = read('README.md');
const jobs = readJobs(root);
const examples = readdirSync(new URL('examples/', root)).filter((f) => f.endsWith('.yml'));

describe('npm run docs', () => {
  it('has left every generated file as it would write it now: the pages, src/settings/declared.ts and src/incident-io/scopes.ts', async () => {
    const files = await generate(root);
    expect([...files.keys()]).toEqual(
      expect.arrayContaining(['README.md', 'docs/declare.md', 'update/README.md', 'resolve/README.md', DECLARED_MODULE, SCOPES_MODULE]),
    );
    for (const [path, text] of files) expect({ path, text }).toEqual({ path, text: read(path) });
    expect(files.get(DECLARED_MODULE)).toBe(declaredModule(jobs));
  });

  it('exits 0 on --check from the command line, loading the troubleshooting entries from the TypeScript source', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/docs.mjs', '--check'], { cwd: new URL('.', root) });
    expect(stdout).toMatch(/match the jobs' action\.yml files, examples\/, the pruned spec and src\/incident-io\/refusals\.ts/);
    // What the script loads on its own is what the code uses.
    expect(await loadTroubleshooting(root)).toEqual(TROUBLESHOOTING);
  }, 30_000);

  it("puts every job's inputs and outputs in its own page, and every example in a page", () => {
    for (const job of jobs) {
      const page = read(job.page);
      expect(page).toMatch(/^# /);
      for (const input of Object.keys(job.action.inputs)) expect(page).toMatch(new RegExp(`^\\| \`${input}\` \\|`, 'm'));
      for (const output of Object.keys(job.action.outputs)) expect(page).toMatch(new RegExp(`^\\| \`${output}\` \\|`, 'm'));
    }
    const all = pages(root, jobs).map(read).join('\n');
    for (const example of examples) expect(all).toContain(`${'```'}yaml\n${read(`examples/${example}`).trimEnd()}\n${'```'}`);
  });

  it('renders a row per input: required, the default the runner passes, and one-line text with pipes escaped', () => {
    const table = inputsTable({
      inputs: {
        a: { description: 'Text\nover | lines.', required: true },
        b: { description: 'Any.', default: 'x' },
        c: { description: 'C.' },
      },
    });
    expect(table.split('\n')).toEqual([
      '| input | required | default | description |',
      '|---|---|---|---|',
      '| `a` | yes | | Text over \\| lines. |',
      '| `b` | no | `x` | Any. |',
      '| `c` | no | | C. |',
    ]);
    expect(outputsTable({ outputs: { o: { description: 'Its status.' } } })).toContain('| `o` | Its status. |');
  });

  const fake = (folder: string) => ({
    name: folder || 'declare',
    folder,
    metadataPath: folder ? `${folder}/action.yml` : 'action.yml',
    page: folder ? `${folder}/README.md` : 'docs/declare.md',
    entry: `${folder || 'declare'}.js`,
    action: { inputs: { [`${folder || 'root'}-input`]: { description: 'D.' } }, outputs: {}, runs: { using: 'node24', main: '' } },
  });

  it("fills a page's file blocks and each table from the action.yml its markers name", () => {
    const tables = (source: string) =>
      ['inputs', 'outputs'].map((t) => `${MARK(t, source, false)}\nold\n${MARK(t, source, true)}`).join('\n');
    const text = `<!-- begin file: examples/a.yml (copied) -->\nold\n<!-- end file: examples/a.yml -->\n${tables('resolve/action.yml')}\n`;
    const out = renderPage(text, 'README.md', { jobs: [fake(''), fake('resolve')], readFile: (path: string) => `# ${path}\n` });
    expect(out).toContain(
      '<!-- begin file: examples/a.yml (copied) -->\n```yaml\n# examples/a.yml\n```\n<!-- end file: examples/a.yml -->',
    );
    expect(out).toContain('| `resolve-input` | no | | D. |');
    expect(out).not.toContain('old');
  });

  it("refuses a job's page without its tables, and a table of an action.yml that is no job's", () => {
    const jobsOf = [fake(''), fake('resolve')];
    const readFile = () => '';
    expect(() => renderPage('# Resolve\n', 'resolve/README.md', { jobs: jobsOf, readFile, job: jobsOf[1] })).toThrow(
      "resolve/README.md, the resolve job's page, needs the lines",
    );
    const stray = `${MARK('inputs', 'escalate/action.yml', false)}\n${MARK('inputs', 'escalate/action.yml', true)}`;
    expect(() => renderPage(stray, 'README.md', { jobs: jobsOf, readFile })).toThrow(
      'README.md: the inputs table is "generated from escalate/action.yml", which is no job\'s action.yml',
    );
  });

  it('finds the job a uses: runs: the root for ./ and the published name, a folder for ./<job> and <published>/<job>', () => {
    const jobsOf = [fake(''), fake('resolve')];
    expect(jobOfUses('./', jobsOf)?.job?.name).toBe('declare');
    expect(jobOfUses('.', jobsOf)?.job?.name).toBe('declare');
    expect(jobOfUses('incident-io-action/incident-io-action@v1', jobsOf)?.job?.name).toBe('declare');
    expect(jobOfUses('./resolve', jobsOf)?.job?.name).toBe('resolve');
    expect(jobOfUses('incident-io-action/incident-io-action/resolve@0123abc', jobsOf)?.job?.name).toBe('resolve');
    expect(jobOfUses('./escalate', jobsOf)).toEqual({ job: undefined, folder: 'escalate' });
    expect(jobOfUses('actions/checkout@v6', jobsOf)).toBeUndefined();
    expect(jobOfUses('incident-io-action/incident-io-action-fork@v1', jobsOf)).toBeUndefined();
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
    const out = renderPage(`${mark('begin')}\nold\n${mark('end')}\n`, 'README.md', { jobs: [], readFile: read, scopes: entries });
    expect(out).toContain(
      `${mark('begin')}\n| request | scope incident.io lists for it |\n|---|---|\n| \`DELETE /v1/a\` | \`a.delete\`, \`b.admin\` |\n| \`GET /v2/things/{id}\` | \`things.view\` |\n| \`POST /v2/things/{id}\` | not published |\n${mark('end')}`,
    );
    expect(() => scopeEntries({ paths: { '/x': { get: { 'x-rbac-scopes': 'x.view' } } } })).toThrow('x-rbac-scopes is not a list of names');
  });

  it('has the same scopes in src/incident-io/scopes.ts as the pruned spec, and the hand-written permissions table names only those', () => {
    expect(Object.entries(SCOPES)).toEqual(readScopeEntries(root));
    const start = readme.indexOf('## Permissions');
    const permissions = readme.slice(start, readme.indexOf('\n## ', start + 1));
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

  it('opens the README with what the action does, its contents and a quick start, then the two commands, and CI runs its test command', () => {
    const headings = readme.split('\n').filter((line) => line.startsWith('## '));
    expect(headings.slice(0, 3)).toEqual(['## Contents', '## What it does', '## Quick start']);
    const local = readme.slice(readme.indexOf('## Try it locally'), readme.indexOf('\n## ', readme.indexOf('## Try it locally')));
    expect(local).toMatch(/npm ci && npm run demo[^\n]*\nnpm test/);
    // The first screen is for users: no npm command before the quick start.
    expect(readme.slice(0, readme.indexOf('## Quick start'))).not.toMatch(/npm /);
    expect(read('.ci/run')).toMatch(/^npm test$/m);
  });

  it("writes the README's table of jobs from the jobs' action.yml, so a new job's folder appears in it", () => {
    const dir = (folder: string, description: string) => ({ ...fake(folder), action: { ...fake(folder).action, description } });
    const jobsOf = [dir('', 'Declare an incident.io incident. More.'), dir('escalate', 'Page\na team | now.')];
    const begin = MARK('jobs', JOBS_SOURCE, false);
    const end = MARK('jobs', JOBS_SOURCE, true);
    expect(renderPage(`${begin}\nold\n${end}\n`, 'README.md', { jobs: jobsOf, readFile: read }).split('\n')).toEqual([
      begin,
      '| job | `uses:` | what it does |',
      '|---|---|---|',
      '| [declare](docs/declare.md) | `incident-io-action/incident-io-action@v1` | Declare an incident.io incident. |',
      '| [escalate](escalate/) | `incident-io-action/incident-io-action/escalate@v1` | Page a team \\| now. |',
      end,
      '',
    ]);
    // Seen from another page, the links are relative to it.
    expect(jobsTable(jobsOf, 'docs/x.md')).toContain('| [declare](declare.md) |');
    expect(jobsTable(jobsOf, 'docs/x.md')).toContain('| [escalate](../escalate/) |');
    expect(firstSentence('Ping incident.io. Then stop.')).toBe('Ping incident.io.');
    expect(() =>
      renderPage(`${MARK('jobs', 'action.yml', false)}\n${MARK('jobs', 'action.yml', true)}`, 'README.md', {
        jobs: jobsOf,
        readFile: read,
      }),
    ).toThrow(`write "generated from ${JOBS_SOURCE}"`);
    for (const job of jobs) expect(readme).toContain(`\`${usesOf(job)}\``);
  });
});

describe('examples/', () => {
  type Step = { uses?: string; with?: Record<string, unknown> };
  const workflows = examples.map((f) => parse(read(`examples/${f}`)) as { jobs: Record<string, { steps?: Step[] }> });
  const steps = workflows
    .flatMap((w) => Object.values(w.jobs).flatMap((job) => job.steps ?? []))
    .filter((s) => s.uses?.startsWith('incident-io-action/'));
  const jobOf = (step: Step) => jobOfUses(step.uses ?? '', jobs)?.job;

  it('cover the documented uses: failed deploy, manual declaration, lifecycle, watcher, incident-key, alerts, heartbeats', () => {
    expect(examples.sort()).toEqual([
      'alert-incident.yml',
      'declare-and-page.yml',
      'declare-incident.yml',
      'deploy-failure.yml',
      'deploy-incident-key.yml',
      'deploy-maintenance-matrix.yml',
      'deploy-maintenance.yml',
      'deploy-on-call-lead.yml',
      'deploy-rollback.yml',
      'file-retrospective.yml',
      'nightly-alert.yml',
      'nightly-heartbeat.yml',
      'page-on-call.yml',
      'pull-request-preview.yml',
      'watch-deploys.yml',
      'who-is-on-call.yml',
    ]);
    // Every job is shown, and every input of each job (but those a reader rarely sets) in at least one of its steps.
    expect([...new Set(steps.map((s) => jobOf(s)?.name))].sort()).toEqual([
      'alert',
      'declare',
      'escalate',
      'heartbeat',
      'maintenance',
      'on-call',
      'resolve',
      'update',
    ]);
    const rarely = [
      'api-url',
      'dry-run',
      'fail-on-error',
      'idempotency-key',
      'notify-incident-channel',
      'status',
      'deduplication-key',
      'source-url',
      'alert-status',
      'mode',
      'github-token',
      'severity',
      'name',
      'summary',
      'message',
      'incident-id',
      'incident-key',
      'links',
      'timestamps',
      'custom-fields',
      'roles',
      'conditions',
      'on-end',
      'wait-for-slack-channel',
    ];
    for (const job of jobs) {
      const used = new Set(steps.filter((s) => jobOf(s) === job).flatMap((s) => Object.keys(s.with ?? {})));
      for (const input of Object.keys(job.action.inputs)) {
        if (!rarely.includes(input)) expect({ job: job.name, input, used: used.has(input) }).toEqual({ job: job.name, input, used: true });
      }
    }
    const allUsed = new Set(steps.flatMap((s) => Object.keys(s.with ?? {})));
    for (const input of [
      'severity',
      'name',
      'summary',
      'message',
      'incident-id',
      'incident-key',
      'links',
      'timestamps',
      'custom-fields',
      'roles',
    ]) {
      expect({ input, used: allUsed.has(input) }).toEqual({ input, used: true });
    }
    const texts = examples.map((f) => read(`examples/${f}`)).join('\n');
    for (const output of ['incident-id', 'incident-url', 'created', 'skipped']) expect(texts).toContain(`outputs.${output}`);
  });

  it("pass only inputs their job declares, with values the job's settings accept", async () => {
    const { readJobSettings: readSettings } = await import('../../src/jobs/registry.js');
    for (const step of steps) {
      const job = jobOf(step);
      expect({ uses: step.uses, job: job?.name }).toEqual({ uses: step.uses, job: expect.any(String) });
      for (const input of Object.keys(step.with ?? {}))
        expect({ uses: step.uses, input, declared: input in job!.action.inputs }).toEqual({ uses: step.uses, input, declared: true });
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
            'dry-run': 'true',
            'api-key': 'api-key-value', // another secret than alert-token's 'x'
            at: '2026-11-26T03:00:00Z',
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
      await expect(readSettings(job!.name as never, (name) => concrete[name] ?? '')).resolves.toBeDefined();
    }
  });
});
