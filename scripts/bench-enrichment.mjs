/**
 * `node scripts/bench-enrichment.mjs [--runs N]`: how long each fault in an optional lookup holds
 * the create back. For each lookup that only enriches the incident (the failed jobs, their
 * annotations, the pull request, the timestamps list for "Impact started") and each fault (a
 * 503 on every attempt, no answer at all, a 429 asking for 100 s), it runs the bundle
 * (ACTION_BUNDLE, else dist/index.js) against the sandbox with a GitHub token, N times (default
 * 3), and prints the median delay from the step's first request to the create request, and the
 * median wall time of the step, beside the same without a fault. Under Node 24, the runner's
 * runtime. The figures go in docs/performance.md ("Optional work has its own budget").
 */
import { startSandbox } from '../sandbox/server.mjs';
import { median } from './bench-stats.mjs';
import { runUnderNode24 } from './node24.mjs';
import { bundlePath, runAction } from './run-action.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--runs');
const RUNS = at >= 0 ? Math.max(1, Number(args[at + 1])) : 3;

const ROUTES = {
  'failed jobs': 'GET /github/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt/jobs',
  annotations: 'GET /github/repos/:owner/:repo/check-runs/:id/annotations',
  'pull request': 'GET /github/repos/:owner/:repo/commits/:sha/pulls',
  'timestamps list': 'GET /v2/incident_timestamps',
};
const FAULTS = {
  '503 on every attempt': { type: 'status', status: 503 },
  'no answer': { type: 'slow', delayMs: 120_000 },
  '429, Retry-After: 100': { type: 'rate-limit', retryAfter: 100 },
};

await runUnderNode24(async () => {
  const sandbox = await startSandbox();
  const inputs = { 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major', 'github-token': sandbox.githubToken };
  const env = { GITHUB_API_URL: `${sandbox.url}/github` };

  async function measure(route, fault) {
    const delays = [];
    const walls = [];
    for (let i = 0; i < RUNS; i++) {
      sandbox.reset();
      if (route) sandbox.fault(route, fault, 50);
      const result = await runAction(inputs, { env });
      const create = sandbox.requests.find((r) => r.route === 'POST /v2/incidents');
      if (result.code !== 0 || !create) throw new Error(`run failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
      delays.push(create.startedAt - Math.min(...sandbox.requests.map((r) => r.startedAt)));
      walls.push(result.ms);
    }
    return { delay: median(delays), wall: median(walls) };
  }

  console.log(`Bundle ${bundlePath()}, Node ${process.version}, ${RUNS} runs each; medians.\n`);
  const none = await measure(undefined, undefined);
  const rows = [['(no fault)', '', none]];
  for (const [lookup, route] of Object.entries(ROUTES)) {
    for (const [name, fault] of Object.entries(FAULTS)) rows.push([lookup, name, await measure(route, fault)]);
  }
  console.log('| lookup | fault | create delayed by | step wall time |');
  console.log('|---|---|---|---|');
  for (const [lookup, fault, { delay, wall }] of rows) {
    console.log(`| ${lookup} | ${fault} | ${Math.round(delay)} ms | ${Math.round(wall)} ms |`);
  }
  await sandbox.close();
});
