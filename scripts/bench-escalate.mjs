/**
 * `npm run bench:escalate`: what paging costs, measured like `npm run bench` measures a declaration.
 *
 * Builds the bundle from src/ into a temporary directory (as the tests do; dist/ may be stale),
 * then on one sandbox server runs alternating pairs (at least 21, after 3 warm-up pairs) of:
 *   (a) escalate/ paging the path "Platform" by name: the paths list (two pages of 25, the path is
 *       on the second), then POST /v2/escalations;
 *   (b) its floor: a bare Node script making the same three requests, and nothing else;
 *   (c) the declare job with `escalation-path: Platform` (the declaration, the paths list, the page);
 *   (d) the same declaration without it: (c) − (d) is what paging on declare adds.
 * Each pair is checked to make the requests it should. It prints the medians, the time to the first
 * request, the ratios a/b and c/d with 95% intervals (scripts/bench-stats.mjs). For people: CI does
 * not gate on it.
 *
 *   npm run bench:escalate -- --pairs 30
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../sandbox/server.mjs';
import { median, medianInterval } from './bench-stats.mjs';
import { build } from './build.mjs';
import { requireNode } from './node-version.mjs';
import { githubEnv, inputEnv } from './run-action.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--pairs');
const PAIRS = Math.max(21, at >= 0 ? Number(args[at + 1]) : 21);
const WARMUP = 3;

/** The floor of (a): the paths list page by page until the name is found, then the page. Bare. */
const FLOOR = `
const base = process.env['INPUT_API-URL'];
const headers = { Authorization: 'Bearer ' + process.env['INPUT_API-KEY'], 'Content-Type': 'application/json' };
let after, path;
for (;;) {
  const page = await (await fetch(base + '/v2/escalation_paths?page_size=25' + (after ? '&after=' + after : ''), { headers })).json();
  path = page.escalation_paths.find((p) => p.name.toLowerCase() === 'platform');
  after = page.pagination_meta?.after;
  if (path || !after) break;
}
const response = await fetch(base + '/v2/escalations', {
  method: 'POST',
  headers,
  body: JSON.stringify({ idempotency_key: 'floor/' + process.env.GITHUB_RUN_ID, title: 'Bench floor', description: 'Bench floor', escalation_path_id: path.id }),
});
if (response.status !== 201) process.exit(1);
`;

requireNode();
const bundle = mkdtempSync(join(tmpdir(), 'incident-io-bench-escalate-bundle-'));
await build({ out: bundle });
await bench();
rmSync(bundle, { recursive: true, force: true });

async function bench() {
  const sandbox = await startSandbox();
  const dir = mkdtempSync(join(tmpdir(), 'incident-io-bench-escalate-'));
  let runId = 7000;
  const kinds = {
    escalate: { program: [join(bundle, 'escalate.js')], inputs: { 'escalation-path': 'Platform' }, job: 'escalate', escalations: 1 },
    floor: { program: ['--input-type=module', '-e', FLOOR], inputs: {}, job: 'escalate', escalations: 1 },
    declarePage: { program: [join(bundle, 'declare.js')], inputs: { severity: 'Major', 'escalation-path': 'Platform' }, escalations: 1 },
    declare: { program: [join(bundle, 'declare.js')], inputs: { severity: 'Major' }, escalations: 0 },
  };

  async function once(kind) {
    sandbox.reset();
    runId += 1;
    const { program, inputs, job, escalations } = kinds[kind];
    const outputFile = join(dir, `output-${runId}`);
    const summaryFile = join(dir, `summary-${runId}`);
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    const env = {
      PATH: process.env.PATH,
      ...githubEnv({ GITHUB_RUN_ID: String(runId), GITHUB_API_URL: `${sandbox.url}/github` }),
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...inputEnv({ 'api-key': sandbox.apiKey, 'api-url': sandbox.url, ...inputs }, job ? { job } : {}),
    };
    const started = Date.now();
    const t0 = performance.now();
    let stderr = '';
    const code = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, program, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', resolve);
    });
    const ms = performance.now() - t0;
    if (code !== 0 || sandbox.escalations().length !== escalations) throw new Error(`${kind} run failed (exit ${code}): ${stderr}`);
    const routes = sandbox.requests.map((r) => r.route).sort();
    return { ms, firstRequestMs: sandbox.requests[0].startedAt - started, routes };
  }

  async function pairs(a, b, check) {
    for (let i = 0; i < WARMUP; i++) {
      await once(a);
      await once(b);
    }
    const result = { a: [], b: [], ratios: [] };
    for (let i = 0; i < PAIRS; i++) {
      const [x, y] = i % 2 === 0 ? [await once(a), await once(b)] : [await once(b), await once(a)].reverse();
      check(x, y);
      result.a.push(x);
      result.b.push(y);
      result.ratios.push(x.ms / y.ms);
    }
    return result;
  }

  const page = await pairs('escalate', 'floor', (x, y) => {
    if (x.routes.join() !== y.routes.join()) throw new Error(`escalate and its floor made different requests:\n${x.routes}\n${y.routes}`);
  });
  const declare = await pairs('declarePage', 'declare', (x, y) => {
    const extra = x.routes.filter((r) => r.includes('escalation'));
    if (
      extra.join() !== 'GET /v2/escalation_paths,GET /v2/escalation_paths,POST /v2/escalations' ||
      y.routes.some((r) => r.includes('escalation'))
    ) {
      throw new Error(`declare with and without escalation-path: unexpected requests:\n${x.routes}\n${y.routes}`);
    }
  });
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });

  const m = (list, key) => median(list.map((x) => x[key]));
  const span = (i) => (i ? `, 95% interval ${i.low.toFixed(3)}–${i.high.toFixed(3)}` : '');
  console.log(`\nincident.io paging benchmark: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  console.log(`${PAIRS} alternating pairs of each after ${WARMUP} warm-up pairs\n`);
  const rows = [
    ['(a) escalate/: page "Platform" by name', page.a],
    ['(b) floor: the same 3 requests, bare', page.b],
    ['(c) declare with escalation-path', declare.a],
    ['(d) declare without it', declare.b],
  ];
  for (const [name, runs] of rows) {
    console.log(
      `${name.padEnd(42)}${`${m(runs, 'ms').toFixed(0)} ms`.padStart(10)}${`1st request ${m(runs, 'firstRequestMs').toFixed(0)} ms`.padStart(24)}`,
    );
  }
  console.log(`\nmedian ratio a/b: ${median(page.ratios).toFixed(3)}${span(medianInterval(page.ratios))}`);
  console.log(`median ratio c/d: ${median(declare.ratios).toFixed(3)}${span(medianInterval(declare.ratios))}`);
  console.log(`median c − d: ${(m(declare.a, 'ms') - m(declare.b, 'ms')).toFixed(0)} ms`);
}
