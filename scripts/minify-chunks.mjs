/**
 * After `ncc build --minify`: ncc minifies only dist/index.js, not the chunks it splits off for
 * dynamic imports (the YAML parser, the GitHub client). Minify those too, so every run that
 * loads one parses less (dist/ roughly halves; see docs/performance.md).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';
import { root } from './run-action.mjs';

const dist = join(root, 'dist');
for (const file of readdirSync(dist).filter((f) => /^\d+\.index\.js$/.test(f))) {
  const path = join(dist, file);
  const before = readFileSync(path, 'utf8');
  const { code } = await minify(before, { module: true, compress: true, mangle: true, format: { comments: false } });
  writeFileSync(path, code);
  console.log(`minified dist/${file}: ${(before.length / 1024).toFixed(0)} kB → ${(code.length / 1024).toFixed(0)} kB`);
}
