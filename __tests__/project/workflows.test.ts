/**
 * The repository's GitHub workflows: the lint that guards them (actionlint plus pinning,
 * permissions and inputs), Dependabot's config, and ci.yml's job that runs the action itself,
 * replayed here step by step against the sandbox.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { policyFindings } from '../../scripts/lint-workflows.mjs';
import { githubEnv, root, runAction } from '../../scripts/run-action.mjs';
import { useSandbox } from '../helpers/sandbox.js';

const read = (path: string) => readFileSync(join(root, path), 'utf8');
const lint = (...files: string[]) =>
  spawnSync(process.execPath, [join(root, 'scripts/lint-workflows.mjs'), ...files], { cwd: root, encoding: 'utf8' });

describe('lint-workflows', () => {
  /** Two jobs, as scripts/jobs.mjs reads them from their action.yml files. */
  const jobs = [
    { name: 'declare', folder: '', metadataPath: 'action.yml', action: { inputs: { 'api-key': {}, visibility: {} } } },
    { name: 'resolve', folder: 'resolve', metadataPath: 'resolve/action.yml', action: { inputs: { 'api-key': {}, 'incident-id': {} } } },
  ] as unknown as Parameters<typeof policyFindings>[2];
  const step = (uses: string, inputs: Record<string, string>) =>
    `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${uses}\n        with:\n${Object.entries(
      inputs,
    )
      .map(([k, v]) => `          ${k}: ${v}\n`)
      .join('')}`;

  it('passes the committed workflows and examples, and lints at least one of each', () => {
    const result = lint();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const count = Number(/(\d+) workflow file\(s\) pass/.exec(result.stdout)?.[1]);
    expect(count).toBeGreaterThanOrEqual(7);
  });

  it('fails on what actionlint finds and on what it cannot see', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lint-workflows-'));
    try {
      const file = join(dir, 'bad.yml');
      writeFileSync(
        file,
        [
          'on: push',
          'jobs:',
          '  a:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - run: echo ${{ github.nonexistent }}',
          '      - uses: ./',
          '        with:',
          '          apikey: x',
          '',
        ].join('\n'),
      );
      const result = lint(file);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/bad\.yml:7:\d+ property "nonexistent" is not defined .*\[expression\]/);
      expect(result.stderr).toMatch(/bad\.yml:1:1 sets no top-level "permissions:"/);
      expect(result.stderr).toMatch(/bad\.yml:6:1 "actions\/checkout@v4" must be pinned by full commit SHA/);
      expect(result.stderr).toMatch(/job "a" passes "apikey" to \.\/, which action\.yml does not declare; declared inputs: api-key, /);
      expect(result.stderr).toMatch(/job "a" interpolates \$\{\{ github\.nonexistent \}\} into a run: script/);
      expect(result.stderr).toMatch(/5 finding\(s\) in 1 file\(s\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails when there is nothing to lint', () => {
    const result = spawnSync(
      process.execPath,
      ['-e', `import(${JSON.stringify(join(root, 'scripts/lint-workflows.mjs'))}).then((m) => m.lintWorkflows([]))`],
      { encoding: 'utf8' },
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('no workflow files to lint');
  });

  it('reports a file that is not YAML instead of crashing', () => {
    expect(policyFindings('on: push\njobs:\n  a: [\n', 'w.yml', jobs)).toEqual([expect.stringMatching(/^w\.yml: is not valid YAML: /)]);
  });

  it.each([
    ['echo "$URL"', 0],
    ['echo ${{ github.run_id }} ${{ github.run_number }} ${{github.run_attempt}} ${{ github.sha }}', 0],
    ['echo ${{ runner.temp }} ${{ needs.deploy.result }} ${{ steps.incident.outcome }} ${{ steps.x.conclusion }}', 0],
    ['echo "Opened ${{ steps.incident.outputs.incident-url }}"', 1],
    ['echo "${{ github.event.pull_request.title }}"', 1],
    ['echo "${{ github.head_ref }}" "${{ inputs.name }}"', 2],
    ['echo ${{ github.sha || github.head_ref }}', 1],
    ['echo "${{ toJSON(github) }}"', 1],
    ['|\n          echo one\n          echo ${{ env.X }}', 1],
  ])('template-injection rule: run: %s', (run, findings) => {
    const text = `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${run}\n`;
    const found = policyFindings(text, 'w.yml', jobs);
    expect(found).toHaveLength(findings);
    for (const finding of found) expect(finding).toMatch(/into a run: script, .*pass it through env:/);
  });

  it.each([
    ['actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2', 0],
    ['github/codeql-action/init@5595ccaf912efad79be6eef63a5619ff05969be3 # v4.37.6', 0],
    ['actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd', 1],
    ['actions/checkout@de0fac2e # v6.0.2', 1],
    ['actions/checkout@main # v6', 1],
    ['./', 0],
    ['incident-io-action/incident-io-action@v1', 0],
    ['incident-io-action/incident-io-action/resolve@v1', 0],
    ['someone/else@v1', 1],
  ])('pinning rule: %s', (uses, findings) => {
    const text = `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${uses}\n`;
    expect(policyFindings(text, 'w.yml', jobs)).toHaveLength(findings);
  });

  it.each([
    ['./', { 'api-key': 'x', visibility: 'private' }, []],
    ['./resolve', { 'api-key': 'x', 'incident-id': 'INC-1' }, []],
    ['incident-io-action/incident-io-action/resolve@v1', { 'incident-id': 'INC-1' }, []],
    [
      './resolve',
      { visibility: 'private' },
      [
        'w.yml: job "a" passes "visibility" to ./resolve, which resolve/action.yml does not declare (action.yml does); declared inputs: api-key, incident-id',
      ],
    ],
    [
      'incident-io-action/incident-io-action@v1',
      { 'incident-id': 'INC-1' },
      [
        'w.yml: job "a" passes "incident-id" to incident-io-action/incident-io-action@v1, which action.yml does not declare (resolve/action.yml does); declared inputs: api-key, visibility',
      ],
    ],
    [
      'incident-io-action/incident-io-action@v1',
      { operation: 'resolve', 'incident-id': 'INC-1' },
      [
        'w.yml: job "a" passes "operation" to incident-io-action/incident-io-action@v1; each job is an action of its own now: write "uses: incident-io-action/incident-io-action/resolve@…" and remove "operation"',
        expect.stringMatching(/passes "incident-id" to .*which action\.yml does not declare/),
      ],
    ],
    [
      './escalate',
      { 'api-key': 'x' },
      ['w.yml: job "a" uses ./escalate, but "escalate/" is not a job of this action; the jobs: ., resolve'],
    ],
  ])("inputs rule: uses %s with %j is checked against that job's action.yml", (uses, inputs, findings) => {
    expect(policyFindings(step(uses, inputs), 'w.yml', jobs)).toEqual(findings);
  });
});

describe('dependabot.yml', () => {
  const config = parse(read('.github/dependabot.yml')) as {
    version: number;
    updates: { 'package-ecosystem': string; directory: string; schedule: { interval: string }; groups?: Record<string, unknown> }[];
  };

  it('updates npm packages and the workflows’ actions, grouped', () => {
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const update of config.updates) {
      expect(update.directory).toBe('/');
      expect(['daily', 'weekly', 'monthly']).toContain(update.schedule.interval);
      expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0);
    }
  });

  it('proposes @actions/core alone and pinned exactly, since the light runner is compared with it', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['@actions/core']).toMatch(/^\d+\.\d+\.\d+$/);
    const groups = config.updates.find((u) => u['package-ecosystem'] === 'npm')!.groups as Record<
      string,
      { patterns?: string[]; 'exclude-patterns'?: string[]; 'dependency-type'?: string; 'update-types'?: string[] }
    >;
    const [first, ...others] = Object.entries(groups);
    expect(first![1]).toEqual({ patterns: ['@actions/core'], 'update-types': ['major', 'minor', 'patch'] });
    for (const [name, group] of others) {
      const couldMatch = group.patterns?.some((p) => p === '*' || p.startsWith('@actions/')) ?? group['dependency-type'] !== 'development';
      if (couldMatch) expect([name, group['exclude-patterns']]).toEqual([name, expect.arrayContaining(['@actions/core'])]);
    }
  });
});

describe('ci.yml runs the action itself', () => {
  type Step = {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    with?: Record<string, string>;
    env?: Record<string, string>;
    'continue-on-error'?: boolean;
  };
  const ci = parse(read('.github/workflows/ci.yml')) as { jobs: Record<string, { permissions?: Record<string, string>; steps: Step[] }> };
  const job = ci.jobs['action']!;
  const sandbox = useSandbox();
  const SANDBOX_PORT_URL = 'http://127.0.0.1:8080';

  /** Replays the job: `uses: ./` and `./<job>` through the bundle's entries, `run:` through bash; the sandbox start is this test's. */
  async function replay(steps: Step[], results: Record<string, { outputs: Record<string, string>; outcome: string }> = {}) {
    const expand = (value: string) =>
      value.replace(/\$\{\{\s*steps\.([\w-]+)\.(outputs\.([\w-]+)|outcome)\s*\}\}/g, (_, id: string, what: string, output?: string) => {
        const step = results[id];
        if (!step) throw new Error(`ci.yml refers to step "${id}" before it ran`);
        return output ? (step.outputs[output] ?? '') : step.outcome;
      });
    const runs: { name: string; code: number | null; stdout: string; stderr: string }[] = [];
    for (const step of steps) {
      if (step.uses?.startsWith('actions/')) continue;
      if (step.run?.includes('node sandbox/server.mjs')) continue;
      const job = /^\.\/([\w-]*)$/.exec(step.uses ?? '');
      if (job) {
        const inputs = Object.fromEntries(
          Object.entries(step.with ?? {}).map(([k, v]) => [k, expand(String(v)).replace(SANDBOX_PORT_URL, sandbox.url)]),
        );
        const result = await runAction(inputs, { job: job[1] || 'declare' });
        const outcome = result.code === 0 ? 'success' : 'failure';
        if (outcome === 'failure' && !step['continue-on-error']) throw new Error(`step "${step.name}" failed:\n${result.stdout}`);
        results[step.id ?? String(Object.keys(results).length)] = { outputs: result.outputs, outcome };
      } else if (step.run) {
        const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))]));
        const result = spawnSync('bash', ['-e', '-c', step.run], {
          env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...githubEnv(), ...env },
          encoding: 'utf8',
        });
        runs.push({ name: step.name ?? '', code: result.status, stdout: result.stdout, stderr: result.stderr });
      }
    }
    return { results, runs };
  }

  it('grants only what the action needs, and installs nothing: the action runs from dist/ alone', () => {
    expect(job.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(job.steps.some((s) => s.run?.includes('npm ci'))).toBe(false);
  });

  it('declares one incident, re-declares it, updates, resolves and alerts, and its checks pass', async () => {
    const { runs, results } = await replay(job.steps);
    expect(sandbox.incidents()).toHaveLength(1);
    expect(results['bad']!.outcome).toBe('failure');
    expect(sandbox.alerts()).toHaveLength(1);
    const check = runs.find((r) => r.name === 'Check the outputs')!;
    expect(check.stderr + check.stdout).not.toContain('::error::');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('One incident (INC-1) declared, re-declared, updated and resolved');
  });

  it('has checks that fail when an output is wrong', async () => {
    const { results } = await replay(job.steps.filter((s) => !s.run?.includes('::error::')));
    results['again']!.outputs['created'] = 'true';
    const { runs } = await replay(
      job.steps.filter((s) => s.name === 'Check the outputs'),
      results,
    );
    expect(runs[0]!.code).toBe(1);
    expect(runs[0]!.stdout).toContain("::error::the repeated create should report created=false, got 'true'");
  });
});
