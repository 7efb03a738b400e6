/**
 * `npm run bench`: how much the action costs over the HTTP requests a declaration needs.
 *
 * On one sandbox server it runs alternating pairs (at least 21) of (a) the bundled action
 * declaring an incident with the severity by name and (b) scripts/bench-floor.mjs making the same
 * requests bare (the severity list, the create, the run's attachment and the list after it); then of (c) a rich create
 * (type, status, a select field, a role) and (d) its own bare floor. Each pair is checked to make
 * the same requests. It prints the median wall time of each, the median ratios a/b (goal ≤ 1.10)
 * and c/d with a 95% confidence interval for each (scripts/bench-stats.mjs), the time to the
 * first request, peak memory and the size of dist/. It runs on the Node the project states
 * (package.json's engines, .nvmrc: Node 24, the runner's runtime) and stops on an older one. It is
 * for people: CI does not gate on it.
 *
 *   npm run bench -- --pairs 30
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../sandbox/server.mjs';
import { median, medianInterval, verdict } from './bench-stats.mjs';
import { requireNode } from './node-version.mjs';
import { githubEnv, inputEnv, root } from './run-action.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const PAIRS = Math.max(21, option('pairs', 21));
/** The minimal create may cost at most this much over its floor (median of the pair ratios). */
const GOAL = 1.1;
const WARMUP = 3;
const MEMORY_RUNS = 5;

requireNode();
await bench();

async function bench() {
  const sandbox = await startSandbox();
  const dir = mkdtempSync(join(tmpdir(), 'incident-io-bench-'));
  let runId = 5000;
  const programs = {
    action: [join(root, 'dist/declare.js')],
    floor: [join(root, 'scripts/bench-floor.mjs')],
    rich: [join(root, 'dist/declare.js')],
    richFloor: [join(root, 'scripts/bench-floor.mjs'), '--rich'],
  };

  /** One run: wall time from spawn to exit, and time to the sandbox's first request. */
  async function once(kind, extraArgs = []) {
    sandbox.reset();
    runId += 1;
    const outputFile = join(dir, `output-${runId}`);
    const summaryFile = join(dir, `summary-${runId}`);
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    const inputs = { 'api-key': sandbox.apiKey, 'api-url': sandbox.url, severity: 'Major' };
    if (kind === 'rich') {
      Object.assign(inputs, {
        'incident-type': 'Platform',
        status: 'Triage',
        'custom-fields': 'Teams: Platform',
        roles: 'lead: alice@example.com',
      });
    }
    const env = {
      PATH: process.env.PATH,
      ...githubEnv({ GITHUB_RUN_ID: String(runId), GITHUB_API_URL: `${sandbox.url}/github` }),
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...inputEnv(inputs),
    };
    const started = Date.now();
    const t0 = performance.now();
    let stderr = '';
    const code = await new Promise((resolve, reject) => {
      const [program, ...programArgs] = programs[kind];
      const child = spawn(process.execPath, [...extraArgs, program, ...programArgs], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', resolve);
    });
    const ms = performance.now() - t0;
    if (code !== 0 || sandbox.incidents().length !== 1) throw new Error(`${kind} run failed (exit ${code}): ${stderr}`);
    // The action and its floor make the same requests: a bench that compared unequal work would lie.
    const requests = sandbox.requests
      .map((r) => r.route)
      .sort()
      .join(',');
    return { ms, firstRequestMs: sandbox.requests[0].startedAt - started, stderr, requests };
  }

  /** Alternating pairs of a and b (which goes first alternates, so drift hits both alike). */
  async function pairs(a, b, count) {
    for (let i = 0; i < WARMUP; i++) {
      await once(a);
      await once(b);
    }
    const result = { a: [], b: [], ratios: [] };
    for (let i = 0; i < count; i++) {
      const [x, y] = i % 2 === 0 ? [await once(a), await once(b)] : [await once(b), await once(a)].reverse();
      if (x.requests !== y.requests) throw new Error(`${a} and ${b} made different requests:\n${x.requests}\n${y.requests}`);
      result.a.push(x);
      result.b.push(y);
      result.ratios.push(x.ms / y.ms);
    }
    return result;
  }

  const minimal = await pairs('action', 'floor', PAIRS);
  const rich = await pairs('rich', 'richFloor', PAIRS);

  // Peak memory in a separate pass: a one-line preload reports maxRSS at exit (same for both).
  const report = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss="+process.resourceUsage().maxRSS+"\\n"))';
  const rss = async (kind) => {
    const values = [];
    for (let i = 0; i < MEMORY_RUNS; i++)
      values.push(Number(/maxrss=(\d+)/.exec((await once(kind, ['--import', report])).stderr)[1]) / 1024);
    return median(values);
  };
  const memory = { action: await rss('action'), floor: await rss('floor'), rich: await rss('rich'), richFloor: await rss('richFloor') };

  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });

  const distFiles = readdirSync(join(root, 'dist'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => ({ f, size: statSync(join(root, 'dist', f)).size }));
  const distTotal = distFiles.reduce((n, x) => n + x.size, 0);
  const entry = distFiles.find((x) => x.f === 'index.js')?.size ?? 0;

  const m = (list, key) => median(list.map((x) => x[key]));
  const rows = [
    ['(a) action: minimal create', m(minimal.a, 'ms'), m(minimal.a, 'firstRequestMs'), memory.action],
    ['(b) floor: the same 4 requests, bare', m(minimal.b, 'ms'), m(minimal.b, 'firstRequestMs'), memory.floor],
    ['(c) action: type, status, select field, role', m(rich.a, 'ms'), m(rich.a, 'firstRequestMs'), memory.rich],
    ['(d) floor: the same 10 requests, bare', m(rich.b, 'ms'), m(rich.b, 'firstRequestMs'), memory.richFloor],
  ];
  console.log(`\nincident.io action benchmark: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  console.log(`${PAIRS} alternating pairs of each after ${WARMUP} warm-up pairs; memory from ${MEMORY_RUNS} separate runs each\n`);
  console.log(`${'run'.padEnd(46)}${'median wall'.padStart(12)}${'1st request'.padStart(13)}${'peak RSS'.padStart(11)}`);
  for (const [name, wall, first, mem] of rows) {
    console.log(
      `${name.padEnd(46)}${`${wall.toFixed(0)} ms`.padStart(12)}${`${first.toFixed(0)} ms`.padStart(13)}${`${mem.toFixed(1)} MB`.padStart(11)}`,
    );
  }
  const ratio = median(minimal.ratios);
  const richRatio = median(rich.ratios);
  const interval = medianInterval(minimal.ratios);
  const richInterval = medianInterval(rich.ratios);
  const span = (i) => (i ? `, 95% interval ${i.low.toFixed(3)}–${i.high.toFixed(3)}` : '');
  console.log(
    `\nmedian ratio a/b (minimal create): ${ratio.toFixed(3)}${span(interval)} (goal ≤ ${GOAL.toFixed(2)}: ${verdict(ratio, interval, GOAL)})`,
  );
  console.log(`median ratio c/d (rich create):    ${richRatio.toFixed(3)}${span(richInterval)}`);
  console.log(
    `dist/: ${(distTotal / 1024).toFixed(0)} kB of JavaScript in ${distFiles.length} files; loaded for a minimal create: index.js, ${(entry / 1024).toFixed(0)} kB`,
  );
}
