/**
 * Load: many jobs of one organisation fail at once and share one API key whose rate-limit
 * bucket is nearly empty. incident.io answers 429 with how long to wait; every run must wait
 * as asked (plus jitter, so they do not all come back together) for as long as its deadline
 * allows, and end green with exactly one incident each. Outcomes are asserted, not times.
 */
import { runAction } from '../scripts/run-action.mjs';
import { useSandbox } from './helpers/sandbox.js';

const RUNS = 30;
const sandbox = useSandbox({ rateLimit: { capacity: 2, refillPerSecond: 5 } });

it(`${RUNS} runs failing together against a rate-limited key all end green, with one incident each`, async () => {
  const results = await Promise.all(
    Array.from({ length: RUNS }, (_, i) =>
      runAction(
        { 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major' },
        { env: { GITHUB_RUN_ID: String(7000 + i), GITHUB_RUN_NUMBER: String(i + 1) } },
      ),
    ),
  );
  const limited = sandbox.requests.filter((r) => r.status === 429);
  expect(limited.length).toBeGreaterThan(RUNS); // the bucket really was the bottleneck
  expect(results.map((r) => r.code)).toEqual(Array.from({ length: RUNS }, () => 0));
  for (const result of results) expect(result.outputs.created).toBe('true');
  const keys = sandbox.incidents().map((incident) => incident._idempotencyKey as string);
  expect(keys).toHaveLength(RUNS);
  expect(new Set(keys).size).toBe(RUNS);
  // They waited as incident.io asked, with jitter, rather than on a fixed attempt count.
  expect(results.some((r) => /retrying in \d+\.\d s, as incident\.io asked \(plus jitter\)/.test(r.stdout))).toBe(true);
}, 120_000);
