import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { release } from '../../scripts/release.mjs';

const script = fileURLToPath(new URL('../../scripts/release.mjs', import.meta.url));
const BUILD = `import { copyFileSync, mkdirSync } from 'node:fs';
mkdirSync('dist', { recursive: true });
copyFileSync('src/x.txt', 'dist/index.js');
`;

let root: string;
let repo: string;
let origin: string;
let lines: string[];
const log = (line: string) => void lines.push(line);

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const commitOf = (ref: string, cwd = repo) => git(cwd, 'rev-parse', `${ref}^{commit}`);
const tags = (cwd = repo) => git(cwd, 'tag', '--list').split('\n').filter(Boolean);
const write = (path: string, text: string) => {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
};
const writePackage = (version: string) =>
  write(
    'package.json',
    JSON.stringify({ name: 'fixture', version, private: true, scripts: { package: 'node build.mjs' } }, null, 2) + '\n',
  );
const commit = (message: string) => {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
};

/** A repo whose v1 sits on an older commit, and a bare `origin` (without tags). */
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'release-test-'));
  repo = join(root, 'repo');
  origin = join(root, 'origin.git');
  lines = [];
  git(root, '-c', 'init.defaultBranch=main', 'init', '-q', repo);
  git(root, '-c', 'init.defaultBranch=main', 'init', '-q', '--bare', origin);
  for (const [key, value] of [
    ['user.name', 'Test'],
    ['user.email', 'test@example.com'],
    ['commit.gpgSign', 'false'],
    ['tag.gpgSign', 'false'],
  ]) {
    git(repo, 'config', key!, value!);
  }
  git(repo, 'remote', 'add', 'origin', origin);
  writePackage('1.0.0');
  write('build.mjs', BUILD);
  write('src/x.txt', 'one\n');
  write('dist/index.js', 'one\n');
  write('CHANGELOG.md', '# Changelog\n\n## [1.0.0] - 2026-01-01\n');
  commit('1.0.0');
  git(repo, 'tag', '-a', 'v1', '-m', 'v1');
  writePackage('1.2.3');
  write('CHANGELOG.md', '# Changelog\n\n## [Unreleased]\n\n## [1.2.3] - 2026-11-27\n\n## [1.0.0] - 2026-01-01\n');
  commit('1.2.3');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('release', () => {
  it('tags HEAD with an annotated vX.Y.Z, moves v1 to it, and prints the push commands', async () => {
    const older = commitOf('v1');
    const head = commitOf('HEAD');
    expect(older).not.toBe(head);

    await release({ cwd: repo, log });

    expect(commitOf('v1.2.3')).toBe(head);
    expect(commitOf('v1')).toBe(head);
    expect(git(repo, 'cat-file', '-t', 'v1.2.3')).toBe('tag');
    expect(git(repo, 'cat-file', '-t', 'v1')).toBe('tag');
    expect(git(repo, 'tag', '-l', '--format=%(contents:subject)', 'v1')).toBe('v1 → v1.2.3');
    expect(git(origin, 'tag', '--list')).toBe('');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const out = lines.join('\n');
    expect(out).toContain('✓ working tree clean');
    expect(out).toContain('git push origin refs/tags/v1.2.3');
    expect(out).toContain('git push --force origin refs/tags/v1');
  });

  it('with push, puts both tags on the remote at HEAD (forcing the existing v1)', async () => {
    git(repo, 'push', '-q', 'origin', 'main', 'refs/tags/v1');
    const head = commitOf('HEAD');
    expect(commitOf('v1', origin)).not.toBe(head);

    await release({ cwd: repo, push: true, remote: 'origin', log });

    expect(commitOf('v1.2.3', origin)).toBe(head);
    expect(commitOf('v1', origin)).toBe(head);
    const remote = git(repo, 'ls-remote', '--tags', 'origin');
    expect(remote).toContain(`${head}\trefs/tags/v1.2.3^{}`);
    expect(remote).toContain(`${head}\trefs/tags/v1^{}`);
  });

  it('tags a prerelease without moving the major tag', async () => {
    const older = commitOf('v1');
    writePackage('1.3.0-rc.1');
    write('CHANGELOG.md', '# Changelog\n\n## [1.3.0-rc.1] - 2026-12-01\n');
    commit('1.3.0-rc.1');

    await release({ cwd: repo, log });

    expect(commitOf('v1.3.0-rc.1')).toBe(commitOf('HEAD'));
    expect(commitOf('v1')).toBe(older);
    expect(lines.join('\n')).toContain('prerelease');
    expect(lines.join('\n')).not.toContain('--force');
  });

  it('refuses a stale dist/ and restores it', async () => {
    write('src/x.txt', 'two\n');
    commit('change the source, not dist');

    await expect(release({ cwd: repo, log })).rejects.toThrow('dist/ is stale: run `npm run package` and commit the result');

    expect(tags()).toEqual(['v1']);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(repo, 'dist/index.js'), 'utf8')).toBe('one\n');
  });

  it("refuses a dist/ without the entry a job's action.yml runs, naming the job", async () => {
    write('action.yml', 'name: x\nruns:\n  using: node24\n  main: dist/declare.js\n');
    write('resolve/action.yml', 'name: y\nruns:\n  using: node24\n  main: ../dist/resolve.js\n');
    write('dist/declare.js', 'entry\n');
    commit('two jobs, one entry');
    await expect(release({ cwd: repo, log })).rejects.toThrow(
      "dist/ lacks dist/resolve.js (the resolve job's, resolve/action.yml): run `npm run package` and commit the result",
    );
    expect(tags()).toEqual(['v1']);
  });

  it('refuses a dirty work tree', async () => {
    write('notes.txt', 'wip\n');
    await expect(release({ cwd: repo, log })).rejects.toThrow(/work tree is not clean .*commit or stash/);
    expect(tags()).toEqual(['v1']);
  });

  it('refuses without a CHANGELOG heading for the version', async () => {
    write('CHANGELOG.md', '# Changelog\n\n## [Unreleased]\n\n- things\n');
    commit('no release heading');
    await expect(release({ cwd: repo, log })).rejects.toThrow('CHANGELOG.md has no "## [1.2.3]" heading');
    expect(tags()).toEqual(['v1']);
  });

  it('refuses a tag that already exists locally', async () => {
    const older = commitOf('v1');
    git(repo, 'tag', 'v1.2.3', older);
    await expect(release({ cwd: repo, log })).rejects.toThrow('tag v1.2.3 already exists');
    expect(tags()).toEqual(['v1', 'v1.2.3']);
    expect(commitOf('v1.2.3')).toBe(older);
    expect(commitOf('v1')).toBe(older);
  });

  it('with push, refuses a tag that already exists on the remote', async () => {
    git(repo, 'tag', 'v1.2.3');
    git(repo, 'push', '-q', 'origin', 'refs/tags/v1.2.3');
    git(repo, 'tag', '-d', 'v1.2.3');
    await expect(release({ cwd: repo, push: true, log })).rejects.toThrow('tag v1.2.3 already exists on origin');
    expect(tags()).toEqual(['v1']);
  });

  it('refuses an invalid version, naming it', async () => {
    writePackage('1.2');
    commit('bad version');
    await expect(release({ cwd: repo, log })).rejects.toThrow('package.json version "1.2" is not X.Y.Z');
    expect(tags()).toEqual(['v1']);
  });

  it('CLI: an unknown flag exits 1 and names it', () => {
    const result = spawnSync(process.execPath, [script, '--bogus'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^release: unknown option --bogus: allowed are --push, --remote NAME, --help/);
  });
});
