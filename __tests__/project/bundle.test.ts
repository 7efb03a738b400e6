/**
 * The tests that run the action run a bundle built from the current src/ by jest's global setup
 * (__tests__/helpers/global-setup.mjs), never the committed dist/: a source change that breaks
 * the action fails `npm test` whether or not dist/ was rebuilt.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { isAbsolute, join, relative } from 'node:path';
import { entrySource } from '../../scripts/build.mjs';
import { readJobs } from '../../scripts/jobs.mjs';
import { bundleDir, bundlePath, root, runAction } from '../../scripts/run-action.mjs';

const bundle = process.env['ACTION_BUNDLE'];

describe('the bundle the tests run', () => {
  it('is the global setup’s fresh build, outside the repository, seen by this worker', () => {
    expect(bundle).toBeDefined();
    expect(isAbsolute(bundle!)).toBe(true);
    expect(existsSync(join(bundle!, 'index.js'))).toBe(true);
    expect(relative(realpathSync(root), realpathSync(bundle!)).startsWith('..')).toBe(true);
    expect(bundleDir()).toBe(bundle);
    expect(bundlePath('resolve')).toBe(join(bundle!, 'resolve.js'));
  });

  it('is a complete build: the ESM marker, the chunks and the licences beside index.js, and an entry per job', () => {
    expect(JSON.parse(readFileSync(join(bundle!, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    expect(readFileSync(join(bundle!, 'licenses.txt'), 'utf8')).toMatch(/^@actions\/core\nMIT\n/m);
    for (const job of readJobs(new URL('../..', import.meta.url))) {
      expect(readFileSync(join(bundle!, job.entry), 'utf8')).toBe(entrySource(job.name));
    }
  });

  it("is what runAction spawns, read when it runs: the job's entry", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
    const stub = join(dir, 'resolve.js');
    writeFileSync(stub, "require('node:fs').appendFileSync(process.env.GITHUB_OUTPUT, 'ran=' + __filename + '\\n');\n");
    try {
      process.env['ACTION_BUNDLE'] = dir;
      const result = await runAction({}, { job: 'resolve' });
      expect(result.stderr).toBe('');
      expect(result.outputs['ran']).toBe(stub);
    } finally {
      process.env['ACTION_BUNDLE'] = bundle;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts the one engine with the name its entry gives, and refuses a name that is no job', () => {
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import { start } from ${JSON.stringify(join(bundle!, 'index.js'))}; await start('snooze');`],
      {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] },
      },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /::error::The incident\.io action failed unexpectedly: the bundle was started for the job "snooze", which it does not have/,
    );
  });
});
