/**
 * `node scripts/bench-alert.mjs [--runs 11]`: what `wait-for-incident` costs the alert job. On one
 * sandbox server it runs the bundled alert job (ACTION_BUNDLE, else dist/) as the runner does, in
 * turns: (a) `wait-for-incident` left at 0; (b) a 10 s wait for an incident the route opens at
 * once; (c) the same, the incident opened 2 s after the event; (d) a 4 s wait whose lookups never
 * answer. It prints each scenario's median wall time (spawn to exit), its range, and the requests
 * a run made. For people: CI does not run it.
 */
import { startSandbox } from '../sandbox/server.mjs';
import { median } from './bench-stats.mjs';
import { requireNode } from './node-version.mjs';
import { runAction } from './run-action.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--runs');
const RUNS = Math.max(5, at >= 0 ? Number(args[at + 1]) : 11);

requireNode();
const sandbox = await startSandbox();
const base = () => ({ 'api-url': sandbox.url, 'alert-source-id': sandbox.alertSourceId, 'alert-token': sandbox.alertToken });
const waiting = (seconds) => ({ ...base(), 'api-key': sandbox.apiKey, 'wait-for-incident': String(seconds) });
const scenarios = {
  'wait 0 (default)': { inputs: base, route: null },
  'wait 10, incident at once': { inputs: () => waiting(10), route: { incidentAfterMs: 0 } },
  'wait 10, incident after 2 s': { inputs: () => waiting(10), route: { incidentAfterMs: 2_000 } },
  'wait 4, lookups hang': { inputs: () => waiting(4), route: { incidentAfterMs: 0 }, hang: true },
};
const results = Object.fromEntries(Object.keys(scenarios).map((name) => [name, { ms: [], requests: new Set() }]));
try {
  for (let run = 0; run < RUNS; run++) {
    for (const [name, scenario] of Object.entries(scenarios)) {
      sandbox.reset();
      sandbox.state.alertRoute = scenario.route;
      if (scenario.hang) sandbox.fault('GET /v2/alerts', { type: 'slow', delayMs: 60_000 }, 100);
      const result = await runAction(scenario.inputs(), {
        job: 'alert',
        env: { GITHUB_RUN_ID: String(7000 + run), GITHUB_API_URL: `${sandbox.url}/github` },
      });
      if (result.code !== 0) throw new Error(`${name}: exit ${result.code}\n${result.stdout}`);
      const expectIncident = name.includes('incident') && !scenario.hang;
      if (expectIncident && !result.outputs['incident-id']) throw new Error(`${name}: no incident-id\n${result.stdout}`);
      results[name].ms.push(result.ms);
      results[name].requests.add(sandbox.requests.filter((r) => !r.path.startsWith('/github')).length);
    }
  }
} finally {
  await sandbox.close();
}
console.log(`alert job, ${RUNS} runs each, Node ${process.version}:`);
for (const [name, { ms, requests }] of Object.entries(results)) {
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(
    `  ${name.padEnd(28)} median ${Math.round(median(ms))} ms (range ${Math.round(sorted[0])}–${Math.round(sorted.at(-1))}), ` +
      `incident.io requests a run: ${[...requests].join(' or ')}`,
  );
}
