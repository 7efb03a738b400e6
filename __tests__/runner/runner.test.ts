/**
 * src/runner/runner.ts restates a few wrappers of `@actions/core`'s entry module on top of its
 * internal lib/ modules (to skip loading the entry; see the file). This test holds it to the real
 * thing: every runner function and the `@actions/core` function of the same name run on the same
 * inputs, hostile ones included, each side in its own child process, and must write exactly the
 * same: stdout (workflow commands), the GITHUB_OUTPUT file (with its random heredoc delimiter
 * normalised), the job summary file and the exit code. An `@actions/core` update (pinned exactly,
 * and Dependabot proposes it alone) is checked here before it ships.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { root } from '../../scripts/run-action.mjs';

type Scenario = { call: string; args: unknown[]; env?: Record<string, string>; outputFile?: boolean };
type Record_ = { returned?: unknown; threw?: string; stdout: string; outputFile: string | null; exitCode: number | null; summary: string };

const hostile = [
  'plain words',
  'two\nlines',
  'CRLF\r\nline',
  '100% done, 50%25 encoded',
  '::error::injected command',
  'title: with, colons and, commas',
  '',
];
const titles = ['Deploy failed', 'a: b, c', 'T\nitle %', '::x::', ''];

const scenarios: Scenario[] = [
  { call: 'getInput', args: ['api-key'], env: { 'INPUT_API-KEY': '  secret-key \n' } },
  { call: 'getInput', args: ['my input'], env: { INPUT_MY_INPUT: 'spaces become underscores' } },
  { call: 'getInput', args: ['Mixed-Case'], env: { 'INPUT_MIXED-CASE': 'upper-cased name' } },
  { call: 'getInput', args: ['custom-fields'], env: { 'INPUT_CUSTOM-FIELDS': '\nTeam: Payments\nNotes: a: b, c %\n\n' } },
  { call: 'getInput', args: ['absent'] },
  { call: 'getInput', args: ['empty'], env: { INPUT_EMPTY: '' } },
  ...hostile.map((value) => ({ call: 'setSecret', args: [value] })),
  ...[
    ['incident-id', '01FDAG4SAP5TYPT98WGR2N7W91'],
    ['summary', 'line one\nline two\r\nline three\n'],
    ['heredoc', 'EOF\nghadelimiter_00000000-0000-0000-0000-000000000000\n<<EOF\nname<<EOF'],
    ['empty', ''],
    ['percent', '100% :: done, %0A'],
    ['name with spaces', 'v'],
  ].flatMap(([name, value]) => [
    { call: 'setOutput', args: [name, value], outputFile: true },
    { call: 'setOutput', args: [name, value], outputFile: false },
  ]),
  ...hostile.flatMap((message) => [
    { call: 'info', args: [message] },
    { call: 'debug', args: [message] },
    { call: 'setFailed', args: [message] },
  ]),
  ...hostile.flatMap((message) =>
    ['notice', 'warning'].flatMap((call) => [{ call, args: [message] }, ...titles.map((title) => ({ call, args: [message, { title }] }))]),
  ),
  { call: 'summary', args: ['### incident.io: Declared INC-1\n\n| Severity | Major |\n|---|---|\n'] },
  { call: 'summary', args: ['<script>x</script>\n::error::not a command here\n'] },
  { call: 'summary', args: ['no trailing newline'] },
];

/** runner.ts as an ES module Node can load: TypeScript stripped, `#actions-core/*` resolved through tsconfig's paths. */
function transpileRunner(dir: string): string {
  const source = readFileSync(join(root, 'src', 'runner', 'runner.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, removeComments: true },
    fileName: 'runner.ts',
  });
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  const target = tsconfig.compilerOptions.paths['#actions-core/*']![0]!;
  const code = outputText.replace(/(["'])#actions-core\/([^"']+)\1/g, (_, quote: string, file: string) => {
    return quote + pathToFileURL(join(root, target.replace('*', file))).href + quote;
  });
  expect(code).not.toContain('#actions-core/');
  const file = join(dir, 'runner.mjs');
  writeFileSync(file, code);
  return pathToFileURL(file).href;
}

/** Runs every scenario against one implementation in a fresh child process. */
function runAll(dir: string, implementation: string): Record_[] {
  const scenariosFile = join(dir, 'scenarios.json');
  const resultFile = join(dir, `result-${implementation === 'core' ? 'core' : 'runner'}.json`);
  writeFileSync(scenariosFile, JSON.stringify(scenarios));
  const child = spawnSync(
    process.execPath,
    [join(root, '__tests__', 'helpers', 'runner-harness.mjs'), implementation, scenariosFile, resultFile],
    {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '' },
      encoding: 'utf8',
    },
  );
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  const normalise = (text: string | null) =>
    text?.replace(/ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ghadelimiter_<random>') ?? null;
  return (JSON.parse(readFileSync(resultFile, 'utf8')) as Record_[]).map((r) => ({ ...r, outputFile: normalise(r.outputFile) }));
}

let core: Record_[];
let light: Record_[];
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'runner-test-'));
  try {
    core = runAll(dir, 'core');
    light = runAll(dir, transpileRunner(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const label = (s: Scenario) => `${s.call}(${s.args.map((a) => JSON.stringify(a)).join(', ')})${s.outputFile ? ' with GITHUB_OUTPUT' : ''}`;

it.each(scenarios.map((s, i) => [label(s), i] as const))('%s writes what @actions/core writes', (_, i) => {
  expect(light[i]).toEqual(core[i]);
});

it('compares something real: @actions/core wrote commands, outputs, a failure code and a summary', () => {
  expect(core).toHaveLength(scenarios.length);
  expect(core.find((r, i) => scenarios[i]!.call === 'getInput')?.returned).toBe('secret-key');
  expect(core.find((r, i) => scenarios[i]!.call === 'setSecret')?.stdout).toBe('::add-mask::plain words\n');
  expect(core.find((r, i) => scenarios[i]!.call === 'setOutput' && scenarios[i]!.outputFile)?.outputFile).toMatch(
    /^incident-id<<ghadelimiter_<random>\n01FDAG4SAP5TYPT98WGR2N7W91\nghadelimiter_<random>\n$/,
  );
  expect(core.find((r, i) => scenarios[i]!.call === 'setOutput' && !scenarios[i]!.outputFile)?.stdout).toBe(
    '\n::set-output name=incident-id::01FDAG4SAP5TYPT98WGR2N7W91\n',
  );
  expect(core.find((r, i) => scenarios[i]!.call === 'setFailed')?.exitCode).toBe(1);
  expect(core.find((r, i) => scenarios[i]!.call === 'warning' && scenarios[i]!.args[1])?.stdout).toBe(
    '::warning title=Deploy failed::plain words\n',
  );
  expect(core.at(-1)!.summary).toContain('### incident.io: Declared INC-1');
  expect(core.every((r) => r.threw === undefined)).toBe(true);
  // Every scenario left a trace to compare.
  for (const r of core) expect(r.stdout !== '' || !!r.outputFile || r.returned !== undefined || r.summary !== '').toBe(true);
});
