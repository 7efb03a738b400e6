/**
 * `npm run bench`: how much the action costs over the two HTTP requests a declaration needs.
 *
 * On one sandbox server it runs, alternating, (a) the bundled action declaring an incident with
 * the severity by name and (b) scripts/bench-floor.mjs making the same two requests bare, and
 * prints the median wall time of each, the median ratio a/b, the time to the first request,
 * peak memory and the size of dist/. It runs under Node 24, the runner's runtime, fetching it
 * with `npx -y node@24` when this Node is older. It is for people: CI does not gate on it.
 *
 *   npm run bench -- --pairs 30
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../sandbox/server.mjs';
import { githubEnv, inputEnv, root } from './run-action.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const PAIRS = Math.max(15, option('pairs', 20));
const WARMUP = 3;
const MEMORY_RUNS = 5;

if (Number(process.versions.node.split('.')[0]) < 24) {
  console.log(`Node ${process.version} is not the runner's runtime; re-running under Node 24 (npx -y node@24)…`);
  const node24 = execFileSync('npx', ['-y', 'node@24', '-p', 'process.execPath'], { encoding: 'utf8' }).trim();
  const child = spawn(node24, [process.argv[1], ...args], { stdio: 'inherit' });
  child.on('close', (code) => process.exit(code ?? 1));
} else {
  await bench();
}

async function bench() {
  const sandbox = await startSandbox();
  const dir = mkdtempSync(join(tmpdir(), 'incident-io-bench-'));
  let runId = 5000;
  const programs = {
    action: [join(root, 'dist/index.js')],
    floor: [join(root, 'scripts/bench-floor.mjs')],
    enriched: [join(root, 'dist/index.js')],
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
    if (kind === 'enriched') {
      Object.assign(inputs, {
        'incident-type': 'Platform',
        status: 'Triage',
        'custom-fields': 'Notes: bench\nService: co',
        roles: 'lead: alice@example.com',
        'github-token': sandbox.githubToken,
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
      const child = spawn(process.execPath, [...extraArgs, ...programs[kind]], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', resolve);
    });
    const ms = performance.now() - t0;
    if (code !== 0 || sandbox.incidents().length !== 1) throw new Error(`${kind} run failed (exit ${code}): ${stderr}`);
    return { ms, firstRequestMs: sandbox.requests[0].startedAt - started, stderr };
  }

  for (let i = 0; i < WARMUP; i++) {
    await once('action');
    await once('floor');
  }
  const action = [];
  const floor = [];
  const ratios = [];
  for (let i = 0; i < PAIRS; i++) {
    // Alternate which goes first, so drift on the machine hits both alike.
    const [a, b] = i % 2 === 0 ? [await once('action'), await once('floor')] : [await once('floor'), await once('action')].reverse();
    action.push(a);
    floor.push(b);
    ratios.push(a.ms / b.ms);
  }
  const enriched = [];
  for (let i = 0; i < Math.ceil(PAIRS / 2); i++) enriched.push(await once('enriched'));

  // Peak memory in a separate pass: a one-line preload reports maxRSS at exit (same for both).
  const report = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss="+process.resourceUsage().maxRSS+"\\n"))';
  const rss = async (kind) => {
    const values = [];
    for (let i = 0; i < MEMORY_RUNS; i++)
      values.push(Number(/maxrss=(\d+)/.exec((await once(kind, ['--import', report])).stderr)[1]) / 1024);
    return median(values);
  };
  const memory = { action: await rss('action'), floor: await rss('floor'), enriched: await rss('enriched') };

  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });

  const distFiles = readdirSync(join(root, 'dist')).map((f) => ({ f, size: statSync(join(root, 'dist', f)).size }));
  const distTotal = distFiles.reduce((n, x) => n + x.size, 0);
  const entry = distFiles.find((x) => x.f === 'index.js')?.size ?? 0;

  const m = (list, key) => median(list.map((x) => x[key]));
  const rows = [
    ['(a) action: minimal create', m(action, 'ms'), m(action, 'firstRequestMs'), memory.action],
    ['(b) floor: bare fetch script', m(floor, 'ms'), m(floor, 'firstRequestMs'), memory.floor],
    ['(c) action: type, status, fields, role, jobs', m(enriched, 'ms'), m(enriched, 'firstRequestMs'), memory.enriched],
  ];
  console.log(`\nincident.io action benchmark: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  console.log(
    `${PAIRS} alternating pairs after ${WARMUP} warm-up pairs; ${enriched.length} runs of (c); memory from ${MEMORY_RUNS} separate runs each\n`,
  );
  console.log(`${'run'.padEnd(46)}${'median wall'.padStart(12)}${'1st request'.padStart(13)}${'peak RSS'.padStart(11)}`);
  for (const [name, wall, first, mem] of rows) {
    console.log(
      `${name.padEnd(46)}${`${wall.toFixed(0)} ms`.padStart(12)}${`${first.toFixed(0)} ms`.padStart(13)}${`${mem.toFixed(1)} MB`.padStart(11)}`,
    );
  }
  const ratio = median(ratios);
  console.log(`\nmedian ratio a/b: ${ratio.toFixed(3)} (goal ≤ 1.25: ${ratio <= 1.25 ? 'met' : 'NOT met'})`);
  console.log(
    `dist/: ${(distTotal / 1024).toFixed(0)} kB in ${distFiles.length} files; loaded for a minimal create: index.js, ${(entry / 1024).toFixed(0)} kB`,
  );
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
