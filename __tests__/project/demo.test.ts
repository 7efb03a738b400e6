/**
 * `npm run demo` prints a step a user can paste: valid YAML that passes the project's own
 * workflow lint (actionlint and the policy checks), with the lines only the sandbox needs shown
 * apart. The demo runs as a child process on the bundle built from src/ (ACTION_BUNDLE).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEMO_INPUTS, yamlEntry } from '../../scripts/demo-step.mjs';
import { root } from '../../scripts/run-action.mjs';

/** The lines of the section a rule titled `title` starts, up to the next rule, without their 2-space indent. */
function section(stdout: string, title: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`── ${title}`));
  if (start < 0) throw new Error(`no section "${title}" in:\n${stdout}`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('── '));
  return lines
    .slice(start + 1, end)
    .join('\n')
    .trimEnd()
    .replace(/^ {2}/gm, '');
}

const lint = (file: string) =>
  spawnSync(process.execPath, [join(root, 'scripts/lint-workflows.mjs'), file], { cwd: root, encoding: 'utf8' });

describe('npm run demo', () => {
  let demo: SpawnSyncReturns<string>;
  beforeAll(() => {
    demo = spawnSync(process.execPath, [join(root, 'scripts/demo.mjs')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  });

  it('runs', () => {
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
  });

  it('prints a step that is valid YAML, passes the workflow lint, and carries the inputs it ran with', () => {
    const step = section(demo.stdout, 'The step, as a workflow would write it');
    const workflow = [
      'name: Deploy',
      'on: push',
      'permissions:',
      '  contents: read',
      '  actions: read',
      'jobs:',
      '  deploy:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: ./deploy.sh',
      step.replace(/^/gm, '      '),
      '',
    ].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'demo-step-'));
    try {
      const file = join(dir, 'deploy.yml');
      writeFileSync(file, workflow);
      const result = lint(file);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const parsed = parse(workflow) as { jobs: { deploy: { steps: { with?: Record<string, string> }[] } } };
    const given = parsed.jobs.deploy.steps[1]!.with!;
    // A block scalar ends with a line break, which the runner's getInput trims.
    expect(Object.fromEntries(Object.entries(given).map(([k, v]) => [k, v.trimEnd()]))).toEqual({
      'api-key': '${{ secrets.INCIDENT_IO_API_KEY }}',
      ...DEMO_INPUTS,
    });
    for (const input of ['custom-fields', 'roles', 'links']) expect(step).toMatch(new RegExp(`^    ${input}: \\|$`, 'm'));
  });

  it('shows what only the sandbox needs apart from the step, not as if a user would write it', () => {
    const step = section(demo.stdout, 'The step, as a workflow would write it');
    expect(step).not.toMatch(/api-url|github-token|127\.0\.0\.1|sandbox/);
    const apart = section(demo.stdout, 'The demo also passes, for the local sandbox only');
    expect(apart).toMatch(/^api-url: http:\/\/127\.0\.0\.1:\d+ {3}\(the sandbox; the default is https:\/\/api\.incident\.io\)$/m);
    expect(apart).toMatch(/^github-token: the sandbox's token.*\(on a runner the default is github\.token\)$/m);
  });
});

describe('yamlEntry', () => {
  it.each([
    ['summary', 'plain words', 'summary: plain words'],
    ['name', 'Deploy: failed', 'name: "Deploy: failed"'],
    ['name', 'true', 'name: "true"'],
    ['name', '*star', 'name: "*star"'],
    ['name', '# not a comment', 'name: "# not a comment"'],
    ['summary', 'a\nb', 'summary: |\n  a\n  b'],
    ['roles', 'lead: alice@example.com', 'roles: |\n  lead: alice@example.com'],
  ])('writes %s %j as YAML that reads back the same', (key, value, expected) => {
    const entry = yamlEntry(key, value);
    expect(entry).toBe(expected);
    expect(String((parse(entry) as Record<string, string>)[key]).trimEnd()).toBe(value);
  });
});
