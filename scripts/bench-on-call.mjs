/**
 * A small measured run of issue 19's additions (docs/performance.md, "on-call"): the bundle,
 * built from src/ into a temporary directory, run as the runner runs it against the local
 * sandbox, interleaved, N runs each (default 15; `--runs N`):
 * - on-call/ on "Platform Primary" (2 pages of schedules at 25, 1 page of entries);
 * - declare with `roles: lead: alice@example.com` against `roles: lead: on-call:Platform Primary`
 *   (what the schedule lookup adds to the path to the create);
 * - declare with `wait-for-slack-channel: 10` and the sandbox's channel created 1.5 s after the answer.
 * Prints medians of the wall time per run and the requests per run. `node scripts/bench-on-call.mjs`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../sandbox/server.mjs';
import { build } from './build.mjs';
import { median } from './bench-stats.mjs';
import { requireNode } from './node-version.mjs';
import { runAction } from './run-action.mjs';

requireNode();
const at = process.argv.indexOf('--runs');
const RUNS = at >= 0 ? Number(process.argv[at + 1]) : 15;
const dir = mkdtempSync(join(tmpdir(), 'incident-io-bench-on-call-'));
await build({ out: dir });
process.env.ACTION_BUNDLE = dir;
const sandbox = await startSandbox();
const key = { 'api-key': sandbox.apiKey, 'api-url': sandbox.url };
let run = 7000;
const kinds = {
  'on-call/': () => runAction({ ...key, schedule: 'Platform Primary' }, { job: 'on-call' }),
  'declare, lead by email': () =>
    runAction(
      { ...key, severity: 'Major', 'github-token': '', roles: 'lead: alice@example.com' },
      { env: { GITHUB_RUN_ID: String(++run) } },
    ),
  'declare, lead on-call:': () =>
    runAction(
      { ...key, severity: 'Major', 'github-token': '', roles: 'lead: on-call:Platform Primary' },
      { env: { GITHUB_RUN_ID: String(++run) } },
    ),
  'declare, channel 1.5 s late, wait 10': () => {
    sandbox.state.slackChannelAfterMs = 1500;
    return runAction(
      { ...key, severity: 'Major', 'github-token': '', 'wait-for-slack-channel': '10' },
      { env: { GITHUB_RUN_ID: String(++run) } },
    );
  },
};
const results = Object.fromEntries(Object.keys(kinds).map((k) => [k, { ms: [], requests: [] }]));
try {
  for (let i = 0; i < RUNS; i++) {
    for (const [kind, go] of Object.entries(kinds)) {
      sandbox.reset();
      const result = await go();
      if (result.code !== 0) throw new Error(`${kind} exited ${result.code}:\n${result.stdout}`);
      results[kind].ms.push(result.ms);
      results[kind].requests.push(sandbox.requests.length);
    }
  }
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Node ${process.version}, ${RUNS} interleaved runs each, medians:`);
for (const [kind, { ms, requests }] of Object.entries(results)) {
  console.log(`  ${kind}: ${median(ms).toFixed(0)} ms wall, ${median(requests)} requests`);
}
