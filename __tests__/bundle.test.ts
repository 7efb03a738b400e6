/**
 * The tests that run the action run a bundle built from the current src/ by jest's global setup
 * (__tests__/helpers/global-setup.mjs), never the committed dist/: a source change that breaks
 * the action fails `npm test` whether or not dist/ was rebuilt.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { bundlePath, root, runAction } from '../scripts/run-action.mjs';

const bundle = process.env['ACTION_BUNDLE'];

describe('the bundle the tests run', () => {
  it('is the global setup’s fresh build, outside the repository, seen by this worker', () => {
    expect(bundle).toBeDefined();
    expect(isAbsolute(bundle!)).toBe(true);
    expect(existsSync(bundle!)).toBe(true);
    expect(relative(realpathSync(root), realpathSync(bundle!)).startsWith('..')).toBe(true);
    expect(bundlePath()).toBe(bundle);
  });

  it('is a complete build: the ESM marker, the chunks and the licences beside index.js', () => {
    const dir = dirname(bundle!);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    expect(readFileSync(join(dir, 'licenses.txt'), 'utf8')).toMatch(/^@actions\/core\nMIT\n/m);
  });

  it('is what runAction spawns, read when it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
    const stub = join(dir, 'index.js');
    writeFileSync(stub, "require('node:fs').appendFileSync(process.env.GITHUB_OUTPUT, 'ran=' + __filename + '\\n');\n");
    try {
      process.env['ACTION_BUNDLE'] = stub;
      const result = await runAction({});
      expect(result.stderr).toBe('');
      expect(result.outputs['ran']).toBe(stub);
    } finally {
      process.env['ACTION_BUNDLE'] = bundle;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
