/**
 * `npm run check-dist` compares a fresh build with dist/ file by file, both ways, and says which
 * files are stale and what to run. Here: the comparison and the message, on small directories.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compareDirs, listFiles, staleMessage } from '../../scripts/check-dist.mjs';

let root: string;
const built = () => join(root, 'built');
const dist = () => join(root, 'dist');
const write = (dir: string, files: Record<string, string | Buffer>) => {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
};
const bundle = { 'index.js': 'code', '815.index.js': 'chunk', 'package.json': '{"type":"module"}\n', 'licenses.txt': 'yaml\nISC\n' };

beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'check-dist-test-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('lists files recursively, sorted, relative, and nothing for an absent directory', () => {
  write(built(), { 'b.js': '', 'a/z.js': '', 'a/b/c.txt': '' });
  expect(listFiles(built())).toEqual(['a/b/c.txt', 'a/z.js', 'b.js']);
  expect(listFiles(join(root, 'absent'))).toEqual([]);
});

it('passes identical directories', () => {
  write(built(), bundle);
  write(dist(), bundle);
  const result = compareDirs(built(), dist());
  expect(result).toEqual({ differ: [], missing: [], extra: [], noEntry: [], same: 4 });
  expect(staleMessage(result)).toBeUndefined();
});

it('finds a changed byte, a file dist/ lacks and a file only dist/ has, in subdirectories too', () => {
  write(built(), { ...bundle, 'sub/a.js': 'a' });
  write(dist(), { ...bundle, 'index.js': 'codf', 'old.index.js': 'gone', 'sub/b.js': 'b' });
  write(dist(), { 'package.json': '{"type":"module"}\r\n' }); // a line-ending change is a difference too
  expect(compareDirs(built(), dist())).toEqual({
    differ: ['index.js', 'package.json'],
    missing: ['sub/a.js'],
    extra: ['old.index.js', 'sub/b.js'],
    noEntry: [],
    same: 2,
  });
});

it('treats a missing dist/ as every file missing', () => {
  write(built(), bundle);
  expect(compareDirs(built(), dist())).toMatchObject({ missing: ['815.index.js', 'index.js', 'licenses.txt', 'package.json'], same: 0 });
});

it('names every stale file and says to run npm run package', () => {
  const message = staleMessage({ differ: ['index.js'], missing: ['licenses.txt'], extra: ['old.js'] });
  expect(message).toBe(
    [
      'dist/ is stale: it is not the bundle of src/ as it stands.',
      '  differs from the fresh build: dist/index.js',
      '  missing (the build makes it): dist/licenses.txt',
      '  not made by the build:        dist/old.js',
      'Run `npm run package` and commit dist/.',
    ].join('\n'),
  );
});

it("names a job's entry that dist/ lacks, even when the build made none either", () => {
  write(built(), bundle);
  write(dist(), { ...bundle, 'declare.js': 'entry' });
  const result = compareDirs(built(), dist(), ['declare.js', 'resolve.js']);
  expect(result.noEntry).toEqual(['resolve.js']);
  expect(staleMessage(result)).toContain("  a job's action.yml runs it, but it is missing: dist/resolve.js");
});
