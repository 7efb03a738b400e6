/**
 * dist/licenses.txt: which packages the build finds in ncc's webpack stats, and what it writes
 * for each. (That the shipped file is the build's output is the dist check's job.)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledPackageDirs, licenseEntry, packageDir, renderLicenses } from '../../scripts/licenses.mjs';
import { bundleDir } from '../../scripts/run-action.mjs';

describe('packageDir', () => {
  it.each([
    ['/r/node_modules/yaml/dist/index.js', '/r/node_modules/yaml'],
    ['/r/node_modules/@actions/core/lib/core.js', '/r/node_modules/@actions/core'],
    ['/r/node_modules/a/node_modules/@scope/b/x.js', '/r/node_modules/a/node_modules/@scope/b'],
    ['C:\\r\\node_modules\\yaml\\index.js', 'C:/r/node_modules/yaml'],
    ['/r/src/main.ts', undefined],
    [null, undefined],
  ])('%s → %s', (file, dir) => {
    expect(packageDir(file)).toBe(dir);
  });
});

describe('bundledPackageDirs', () => {
  it('counts the modules webpack concatenated into another, and skips modules in no chunk', () => {
    const stats = {
      modules: [
        {
          nameForCondition: '/r/src/main.ts',
          chunks: [1],
          modules: [
            { nameForCondition: '/r/src/main.ts' },
            { nameForCondition: '/r/node_modules/@actions/core/lib/command.js' },
            { nameForCondition: '/r/node_modules/@actions/core/lib/utils.js' },
          ],
        },
        { nameForCondition: '/r/node_modules/yaml/dist/index.js', chunks: [2] },
        { nameForCondition: '/r/node_modules/tree-shaken/index.js', chunks: [] },
        { nameForCondition: null, chunks: [1] },
      ],
    };
    expect(bundledPackageDirs(stats)).toEqual(['/r/node_modules/@actions/core', '/r/node_modules/yaml']);
  });
});

describe('licenseEntry and renderLicenses', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'licenses-test-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pkg = (name: string, fields: Record<string, unknown>, files: Record<string, string>) => {
    const at = join(dir, name);
    mkdirSync(at, { recursive: true });
    writeFileSync(join(at, 'package.json'), JSON.stringify({ name, ...fields }));
    for (const [file, text] of Object.entries(files)) writeFileSync(join(at, file), text);
    return at;
  };

  it('takes the licence type from package.json and the text from LICENSE and NOTICE', () => {
    const at = pkg(
      'apache-thing',
      { license: 'Apache-2.0' },
      { LICENSE: 'Apache License\n', NOTICE: 'Copyright Someone\n', 'README.md': 'no' },
    );
    expect(licenseEntry(at)).toEqual({ name: 'apache-thing', license: 'Apache-2.0', text: 'Apache License\n\nCopyright Someone' });
  });

  it('reads LICENCE.md and the old license forms, and says so when there is no licence file', () => {
    expect(licenseEntry(pkg('a', { license: { type: 'ISC' } }, { 'LICENCE.md': 'ISC text' }))).toMatchObject({
      license: 'ISC',
      text: 'ISC text',
    });
    expect(licenseEntry(pkg('b', { licenses: [{ type: 'MIT' }, { type: 'GPL-2.0' }] }, {}))).toEqual({
      name: 'b',
      license: 'MIT OR GPL-2.0',
      text: '(the package ships no licence file; its package.json says "MIT OR GPL-2.0")',
    });
  });

  it('writes name, type and text per package, sorted by name', () => {
    const text = renderLicenses([
      { name: 'yaml', license: 'ISC', text: 'Y' },
      { name: '@actions/core', license: 'MIT', text: 'A' },
    ]);
    expect(text).toBe('@actions/core\nMIT\nA\n\n\nyaml\nISC\nY\n');
  });
});

it('the build’s licenses.txt names the runtime packages the action bundles, with their licence text', () => {
  const text = readFileSync(join(bundleDir(), 'licenses.txt'), 'utf8');
  for (const name of ['@actions/core', '@actions/github', '@octokit/rest', 'yaml']) {
    expect(text).toMatch(new RegExp(`^${name.replace('/', '\\/')}\\n(MIT|ISC)\\n\\S`, 'm'));
  }
  expect(text).toMatch(/^before-after-hook\nApache-2\.0\nApache License/m);
});
