/**
 * How the bundle ends (src/index.ts, src/runner/exit.ts): explicitly, with the outcome's exit
 * code, and only once stdout has handed over every line, however slowly the runner reads it.
 */
import { runAction } from '../../scripts/run-action.mjs';
import { useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();

it('delivers every line of a long log to a reader that falls behind before it exits', async () => {
  // About 320 kB of dry-run output, more than the pipe to the reader holds (a socket pair here,
  // a few hundred kB), so the last writes wait in the process: each U+0001 of the summary is six
  // characters in the printed JSON. An environment variable holds at most 128 kB.
  const summary = 'ab\u0001'.repeat(40_000);
  const inputs = { 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major', 'dry-run': 'true', summary };
  const result = await runAction(inputs, { readDelayMs: 1_000 });
  expect(result.code).toBe(0);
  expect(result.stdout.length).toBeGreaterThan(300_000);
  // The attachment's request is the last request a dry run prints, and the line saying what it checked its very last line.
  expect(result.stdout).toMatch(
    /this request would be sent to POST \S+\/v1\/incident_attachments:\n\{\n[\s\S]*"title": "GitHub Actions: Deploy #42"\n {2}\}\n\}\n/,
  );
  expect(result.stdout).toMatch(/\nDry run: checked against the incident\.io workspace: severities\.[^\n]*\n$/);
  expect(sandbox.incidents()).toHaveLength(0);
});
