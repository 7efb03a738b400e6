/**
 * After `ncc build --minify`: ncc minifies only index.js, not the chunks it splits off for
 * dynamic imports (the YAML parser, the GitHub client). Minify those too, so every run that
 * loads one parses less (dist/ roughly halves; see docs/performance.md).
 *
 * Every file is also printed ASCII-only, other characters as `\uXXXX` escapes (index.js is
 * reprinted for that alone, its code unchanged). A handful of characters in messages (`…`, `→`,
 * the zero-width space that makes runner commands inert) would otherwise make V8 hold the whole
 * file's source as a two-byte string, twice the bytes, allocated on every run (docs/performance.md,
 * "An ASCII-only bundle").
 * The escapes are read back as the same characters. terser leaves template literals as written
 * (an escape there would change the template's `raw` strings), so a template in src/ spells such a
 * character as an escape itself; no bundled code reads `raw` strings, and every file is
 * ASCII-only (__tests__/project/eager-factories.test.ts checks both).
 *
 * scripts/build.mjs calls minifyChunks(dir) as its second step; on its own:
 *   node scripts/minify-chunks.mjs <bundle dir>
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { minify } from 'terser';

/**
 * Minifies every `<n>.index.js` chunk in dir in place.
 * @param {string} dir
 * @param {(line: string) => void} [log]
 */
export async function minifyChunks(dir, log = () => {}) {
  for (const file of readdirSync(dir).filter((f) => /^\d+\.index\.js$/.test(f))) {
    const path = join(dir, file);
    const before = readFileSync(path, 'utf8');
    const { code } = await minify(before, { module: true, compress: true, mangle: true, format: { comments: false, ascii_only: true } });
    if (code === undefined) throw new Error(`terser returned nothing for ${path}`);
    writeFileSync(path, code);
    log(`minified ${file}: ${(before.length / 1024).toFixed(0)} kB → ${(code.length / 1024).toFixed(0)} kB`);
  }
  const index = join(dir, 'index.js');
  const { code } = await minify(readFileSync(index, 'utf8'), {
    module: true,
    compress: false,
    mangle: false,
    format: { comments: false, ascii_only: true },
  });
  if (code === undefined) throw new Error(`terser returned nothing for ${index}`);
  writeFileSync(index, code);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/minify-chunks.mjs <bundle dir>');
    process.exit(2);
  }
  await minifyChunks(resolve(dir), console.log);
}
