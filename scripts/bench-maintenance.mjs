/**
 * `node scripts/bench-maintenance.mjs [--pairs N]`: what the maintenance job costs over the HTTP
 * requests it needs. On one sandbox it runs alternating pairs (at least 21) of (a) the bundle's
 * maintenance job and (b) a bare floor: a Node process that replays the same requests the job
 * made (recorded from one run of the job), in sequence, with fetch and nothing else. Once for
 * `window: start` (attributes, two catalog entries, the lead, the two window lists, the create)
 * and once for `window: end` (the same lookups, the two lists, the read, the PUT; its window is
 * opened by an untimed start first, for both). Each pair is checked to make the same requests.
 * Prints the median wall times, the time to the first request, and the median ratio with its
 * 95% interval. The bundle is ACTION_BUNDLE's, else dist/. For people: CI does not gate on it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { URLSearchParams } from 'node:url';
import { startSandbox } from '../sandbox/server.mjs';
import { median, medianInterval } from './bench-stats.mjs';
import { requireNode } from './node-version.mjs';
import { bundlePath, githubEnv, inputEnv } from './run-action.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--pairs');
const PAIRS = Math.max(21, at >= 0 ? Number(args[at + 1]) : 21);
const WARMUP = 3;
const ALERTS = 'Service: [checkout, payments]';

/** The floor: replays the requests in the file named by argv[2], one after the other, bare. */
const FLOOR = `
import { readFileSync } from 'node:fs';
const { base, key, requests } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const headers = { Authorization: 'Bearer ' + key, 'Content-Type': 'application/json' };
for (const { method, url, body } of requests) {
  const now = Date.now();
  const sent = body && JSON.stringify(body).replaceAll('"@NOW@"', JSON.stringify(new Date(now).toISOString()))
    .replaceAll('"@LATER@"', JSON.stringify(new Date(now + 30 * 60_000).toISOString()));
  const response = await fetch(base + url, { method, headers, body: sent });
  await response.text();
}
process.exit(0);
`;

requireNode();
const sandbox = await startSandbox();
const dir = mkdtempSync(join(tmpdir(), 'incident-io-bench-maintenance-'));
const floorFile = join(dir, 'floor.mjs');
writeFileSync(floorFile, FLOOR);
let runId = 7000;

function env(inputs) {
  runId += 1;
  const outputFile = join(dir, `output-${runId}`);
  writeFileSync(outputFile, '');
  return {
    PATH: process.env.PATH,
    ...githubEnv({ GITHUB_RUN_ID: '7000' }),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: join(dir, `summary-${runId}`),
    ...inputEnv({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url, ...inputs }, { job: 'maintenance' }),
  };
}

async function spawnTimed(argv, childEnv) {
  const started = Date.now();
  const t0 = performance.now();
  let stderr = '';
  const code = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}: ${stderr}`);
  return { ms: performance.now() - t0, started };
}

const INPUTS = {
  start: { window: 'start', alerts: ALERTS, lead: 'alice@example.com' },
  end: { window: 'end', alerts: ALERTS },
};

/** A fresh sandbox; for `end`, with the window an (untimed) start opened. */
async function prepare(kind) {
  sandbox.reset();
  if (kind === 'end') {
    await spawnTimed([bundlePath('maintenance')], env(INPUTS.start));
    sandbox.requests.length = 0;
  }
}

const routes = () =>
  sandbox.requests
    .map((r) => r.route)
    .sort()
    .join(',');

async function action(kind) {
  await prepare(kind);
  const { ms, started } = await spawnTimed([bundlePath('maintenance')], env(INPUTS[kind]));
  return { ms, first: sandbox.requests[0].startedAt - started, routes: routes(), requests: [...sandbox.requests] };
}

/** The job's requests, as the floor replays them: the window's ID and its times filled in at run time. */
function template(requests) {
  return requests.map((r) => {
    const query = new URLSearchParams();
    for (const [name, values] of Object.entries(r.queryAll)) for (const value of [values].flat()) query.append(name, value);
    const body = r.body && { ...r.body };
    if (body && 'start_at' in body && r.method === 'POST') Object.assign(body, { start_at: '@NOW@', end_at: '@LATER@' });
    if (body && r.method === 'PUT') body.end_at = '@NOW@';
    return { method: r.method, path: r.path, query: query.toString(), body };
  });
}

async function floor(kind, recorded) {
  await prepare(kind);
  const window = sandbox.maintenanceWindows()[0];
  const requests = recorded.map(({ method, path, query, body }) => {
    const fill = (text) => (window ? text.replaceAll('@WINDOW@', window.id) : text);
    const filled = body && JSON.parse(fill(JSON.stringify(body)));
    if (filled && method === 'PUT') filled.start_at = window.start_at;
    return { method, url: fill(path) + (query ? `?${query}` : ''), body: filled };
  });
  const file = join(dir, `floor-${runId}.json`);
  writeFileSync(file, JSON.stringify({ base: sandbox.url, key: sandbox.apiKey, requests }));
  const { ms, started } = await spawnTimed([floorFile, file], { PATH: process.env.PATH });
  return { ms, first: sandbox.requests[0].startedAt - started, routes: routes() };
}

const results = {};
for (const kind of ['start', 'end']) {
  const sample = await action(kind);
  const windowId = kind === 'end' ? sandbox.maintenanceWindows()[0].id : undefined;
  const recorded = template(sample.requests).map((r) => (windowId ? JSON.parse(JSON.stringify(r).replaceAll(windowId, '@WINDOW@')) : r));
  for (let i = 0; i < WARMUP; i++) {
    await action(kind);
    await floor(kind, recorded);
  }
  const a = [];
  const b = [];
  for (let i = 0; i < PAIRS; i++) {
    const pair =
      i % 2 === 0 ? [await action(kind), await floor(kind, recorded)] : [await floor(kind, recorded), await action(kind)].reverse();
    if (pair[0].routes !== pair[1].routes)
      throw new Error(`the job and its floor made different requests:\n${pair[0].routes}\n${pair[1].routes}`);
    a.push(pair[0]);
    b.push(pair[1]);
  }
  results[kind] = { a, b, requests: sample.requests.length, ratios: a.map((x, i) => x.ms / b[i].ms) };
}
await sandbox.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  `\nmaintenance job benchmark: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ${PAIRS} alternating pairs after ${WARMUP} warm-up pairs\n`,
);
console.log(`${'run'.padEnd(44)}${'median wall'.padStart(12)}${'1st request'.padStart(13)}`);
for (const kind of ['start', 'end']) {
  const { a, b, requests, ratios } = results[kind];
  const m = (list, key) => median(list.map((x) => x[key]));
  console.log(
    `${`(a) window: ${kind}`.padEnd(44)}${`${m(a, 'ms').toFixed(0)} ms`.padStart(12)}${`${m(a, 'first').toFixed(0)} ms`.padStart(13)}`,
  );
  console.log(
    `${`(b) floor: the same ${requests} requests, bare`.padEnd(44)}${`${m(b, 'ms').toFixed(0)} ms`.padStart(12)}${`${m(b, 'first').toFixed(0)} ms`.padStart(13)}`,
  );
  const interval = medianInterval(ratios);
  console.log(
    `    median ratio a/b: ${median(ratios).toFixed(3)}${interval ? `, 95% interval ${interval.low.toFixed(3)}–${interval.high.toFixed(3)}` : ''}`,
  );
}
