/**
 * The User-Agent carries package.json's version, taken when the bundle is built: src/core/version.ts
 * imports package.json, and the build keeps only its `version`. So bumping package.json's
 * version is the whole of a release's version change.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../scripts/build.mjs';
import { bundleDir, root, runAction } from '../../scripts/run-action.mjs';
import { ACTION_VERSION, USER_AGENT } from '../../src/core/version.js';
import { useSandbox } from '../helpers/sandbox.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const sandbox = useSandbox();

it('is package.json’s version in the source', () => {
  expect(ACTION_VERSION).toBe(pkg.version);
  expect(USER_AGENT).toBe(`incident-io-github-action/${pkg.version}`);
});

it('is what the bundle sends, and the bundle carries none of package.json but the version', async () => {
  const result = await runAction({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major' });
  expect(result.code).toBe(0);
  expect(sandbox.requests.length).toBeGreaterThan(0);
  for (const request of sandbox.requests) expect(request.headers['user-agent']).toBe(`incident-io-github-action/${pkg.version}`);
  const code = readFileSync(join(bundleDir(), 'index.js'), 'utf8');
  expect(code).not.toContain('typescript-eslint'); // a devDependency's name
  expect(code).not.toContain('"scripts"');
});

it('comes from the package.json beside src/ when the bundle is built, whatever its value', async () => {
  // A fixture project: this repository's src/core/version.ts, a package.json with another version
  // and a dependency list, and an entry that prints the User-Agent. Built by scripts/build.mjs.
  const project = mkdtempSync(join(tmpdir(), 'version-test-'));
  try {
    mkdirSync(join(project, 'src', 'core'), { recursive: true });
    copyFileSync(join(root, 'src', 'core', 'version.ts'), join(project, 'src', 'core', 'version.ts'));
    const fixturePkg = { name: 'fixture', version: '9.8.7-rc.1', type: 'module', dependencies: { 'left-pad-fixture-dependency': '1.0.0' } };
    writeFileSync(join(project, 'package.json'), JSON.stringify(fixturePkg));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          resolveJsonModule: true,
          strict: true,
          types: [],
        },
      }),
    );
    writeFileSync(
      join(project, 'src', 'index.ts'),
      "import { USER_AGENT } from './core/version.js';\ndeclare const console: { log(line: string): void };\nconsole.log(USER_AGENT);\n",
    );
    const out = await build({ source: project, out: join(project, 'dist') });
    const run = spawnSync(process.execPath, [join(out, 'index.js')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('incident-io-github-action/9.8.7-rc.1\n');
    expect(readFileSync(join(out, 'index.js'), 'utf8')).not.toContain('left-pad-fixture-dependency');
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}, 120_000);
