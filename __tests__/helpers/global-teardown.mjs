/** Jest global teardown (jest.config.js): removes the bundle global-setup.mjs built for this run. */
import { rmSync } from 'node:fs';

export default function globalTeardown() {
  const dir = globalThis.__ACTION_BUNDLE_DIR__;
  if (typeof dir === 'string') rmSync(dir, { recursive: true, force: true });
  delete globalThis.__ACTION_BUNDLE_DIR__;
}
