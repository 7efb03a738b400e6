// Starts a Prism mock server (@stoplight/prism-cli) for an OpenAPI spec, for contract tests and demos.
//
//   const prism = await startPrism({ specPath: '../shared/incidentio-openapi.json' });
//   await fetch(`${prism.url}/v1/severities`, { headers: { authorization: 'Bearer test' } });
//   await prism.close();
//
// Prism 5.16 declares engines node >=24.18. When the current Node is older, the Node 24 binary is fetched once
// with `npx -y node@24` and Prism runs under it; otherwise the current Node runs it.
// Node built-ins only, so it runs before (and without) a build step.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const HOST = '127.0.0.1';
const DEFAULT_READY_TIMEOUT_MS = 60_000;
const NODE_DOWNLOAD_TIMEOUT_MS = 180_000;
const KILL_GRACE_MS = 5_000;
const MAX_LOG_CHARS = 4_000_000;

// Prism flags, on top of `mock <spec> --host --port`:
// - static examples (`--dynamic` is off by default; stated explicitly): the same request always gets the same body;
// - `--errors`: a response example that breaks its own schema becomes a 500 instead of a silent 2xx, so the test
//   never asserts against a body the spec itself disowns. (Request validation is always on in mock mode: a request
//   that breaks the schema gets a 422 problem+json whatever the flags; `--validate-request` exists only for `proxy`.)
// - `--no-multiprocess`: one process, whatever NODE_ENV says (NODE_ENV=production would fork a cluster worker);
// - `--no-cors`: no CORS headers; the client under test is not a browser.
const PRISM_FLAGS = ['--dynamic=false', '--errors', '--no-multiprocess', '--no-cors', '--verboseLevel', 'info'];

// Preloaded into Prism: it exits when its stdin closes, that is when this process dies, however it dies (even
// SIGKILL, or a Jest worker torn down without close()), so no orphan Prism keeps a port.
const EXIT_WITH_PARENT =
  'data:text/javascript,' +
  encodeURIComponent("process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();");

const require = createRequire(import.meta.url);

function prismCli() {
  const pkgPath = require.resolve('@stoplight/prism-cli/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.prism;
  return { cli: join(dirname(pkgPath), bin), minNode: minVersion(pkg.engines?.node) };
}

/** The lowest version a `>=x.y.z` engines range allows, as [x, y, z]; [0, 0, 0] when there is none. */
function minVersion(range) {
  const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(range ?? '');
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : [0, 0, 0];
}

function versionAtLeast(version, min) {
  const v = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i];
  }
  return true;
}

let node24Promise;

/** Path of a Node 24 binary from the npm registry (`npx -y node@24`), resolved once per process. */
function node24Binary() {
  node24Promise ??= new Promise((resolvePath, reject) => {
    execFile(
      'npx',
      ['-y', 'node@24', '-p', 'process.execPath'],
      { timeout: NODE_DOWNLOAD_TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const path = String(stdout).trim().split('\n').pop() ?? '';
        if (error || !path || !existsSync(path)) {
          node24Promise = undefined;
          reject(new Error(`could not get Node 24 with "npx -y node@24": ${error?.message ?? 'no path'}\n${stderr}`));
        } else {
          resolvePath(path);
        }
      },
    );
  });
  return node24Promise;
}

async function nodeFor(minNode) {
  return versionAtLeast(process.version, minNode) ? process.execPath : node24Binary();
}

/** A port that was free on the loopback interface a moment ago. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts Prism on 127.0.0.1 and resolves once it has logged "Prism is listening on <url>" and accepts connections.
 * Rejects, with Prism's output in the message, if Prism exits first or is not ready within timeoutMs (default 60 s;
 * fetching Node 24 on first use is not counted against it). close() is idempotent and resolves once Prism has exited.
 * @param {{ specPath: string, port?: number, timeoutMs?: number }} options
 * @returns {Promise<{ url: string, port: number, close(): Promise<void>, logs(): string }>}
 */
export async function startPrism({ specPath, port, timeoutMs = DEFAULT_READY_TIMEOUT_MS } = {}) {
  if (!specPath) throw new Error('startPrism: specPath is required');
  const spec = resolve(specPath);
  if (!existsSync(spec)) throw new Error(`startPrism: no spec at ${spec}`);
  const { cli, minNode } = prismCli();
  const node = await nodeFor(minNode);

  // A port picked here can be taken before Prism binds it: pick again a few times if so.
  const attempts = port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch({ node, cli, spec, port: port ?? (await freePort()), timeoutMs });
    } catch (error) {
      if (attempt >= attempts || !/EADDRINUSE/.test(error.message)) throw error;
    }
  }
}

async function launch({ node, cli, spec, port, timeoutMs }) {
  const url = `http://${HOST}:${port}`;
  const args = ['--import', EXIT_WITH_PARENT, cli, 'mock', spec, '--host', HOST, '--port', String(port), ...PRISM_FLAGS];
  const child = spawn(node, args, {
    // Own process group, so close() can end Prism and anything it starts with one signal.
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });

  let output = '';
  const append = (chunk) => {
    output += chunk.toString('utf8');
    if (output.length > MAX_LOG_CHARS) output = output.slice(-MAX_LOG_CHARS);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);

  let exitInfo;
  const exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolveExit(exitInfo);
    });
    child.once('error', (error) => {
      append(`\n[startPrism] spawn failed: ${error.message}\n`);
      exitInfo ??= { code: null, signal: null, error };
      resolveExit(exitInfo);
    });
  });

  const killGroup = (signal) => {
    if (exitInfo || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  };
  child.stdin.on('error', () => {}); // EPIPE once Prism is gone
  // If this process exits without close(), end Prism now rather than when the pipe closes.
  const onParentExit = () => killGroup('SIGKILL');
  process.once('exit', onParentExit);

  let closing;
  const close = () =>
    (closing ??= (async () => {
      process.removeListener('exit', onParentExit);
      if (!exitInfo) {
        killGroup('SIGTERM');
        const timer = sleep(KILL_GRACE_MS, 'timeout', { ref: false });
        if ((await Promise.race([exited, timer])) === 'timeout') {
          killGroup('SIGKILL');
          await exited;
        }
      }
    })());
  const logs = () => output;

  const fail = async (reason) => {
    await close();
    throw new Error(`Prism (${url}) ${reason}\n--- Prism output ---\n${output}`);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitInfo) {
      return fail(
        `exited before it was ready (code ${exitInfo.code}, signal ${exitInfo.signal}` +
          `${exitInfo.error ? `, ${exitInfo.error.message}` : ''})`,
      );
    }
    // The log line proves the process on the port is this Prism (it is written once the server listens); the
    // connection proves it accepts. No HTTP probe, so Prism's log holds only the requests the caller makes.
    if (output.includes(`Prism is listening on ${url}`) && (await accepts(port))) {
      return { url, port, close, logs };
    }
    if (Date.now() > deadline) return fail(`was not ready within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Whether a TCP connection to 127.0.0.1:port succeeds. */
function accepts(port) {
  return new Promise((resolveAccepts) => {
    const socket = connect({ host: HOST, port });
    socket.setTimeout(2_000);
    const done = (ok) => {
      socket.destroy();
      resolveAccepts(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
