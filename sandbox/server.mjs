/**
 * A local, stateful stand-in for the parts of incident.io's API this action uses, plus GitHub's
 * "list jobs for a workflow run" routes under /github. Used by the demo, the end-to-end tests and
 * the benchmark. Node built-ins only.
 *
 *   const sandbox = await startSandbox();   // sandbox.url, sandbox.apiKey, sandbox.incidents(), ...
 *   node sandbox/server.mjs [--port N]       // the same, as a standalone server
 *
 * Faults (sandbox.fault(route, spec, times)) let a test make the next matching requests fail in
 * the ways a real network and API do: 429, 5xx, an HTML 502, a reset, a truncated body, a slow answer.
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { alertRoutes } from './alerts.mjs';
import { catalogRoutes } from './catalog.mjs';
import { ApiError, errorReply, githubErrorReply, isObject } from './common.mjs';
import { FAULT_TYPES, replyBeforeProcessing, takeFault } from './faults.mjs';
import { githubRoutes } from './github.mjs';
import { incidentRoutes } from './incidents.mjs';
import { freshState } from './seed.mjs';

// ── Routing ──────────────────────────────────────────────────────────────────────────────────

/** Route key -> { auth: 'api' | 'alert' | 'github', handle(state, request) }. */
const ROUTES = { ...catalogRoutes, ...incidentRoutes, ...alertRoutes, ...githubRoutes };

/** Finds the route for a method and path: { key, params } or undefined. */
function matchRoute(method, path) {
  const segments = path.split('/');
  for (const key of Object.keys(ROUTES)) {
    const [routeMethod, template] = key.split(' ');
    const parts = template.split('/');
    if (routeMethod !== method || parts.length !== segments.length) continue;
    const params = {};
    const matches = parts.every((part, i) => {
      if (part.startsWith(':')) {
        params[part.slice(1)] = decodeURIComponent(segments[i]);
        return segments[i] !== '';
      }
      return part === segments[i];
    });
    if (matches) return { key, params };
  }
  return undefined;
}

/** Checks the Authorization header (or, for alert sources, ?token=) against the route's secret. */
function authorized(auth, headers, query, secrets) {
  const header = headers.authorization ?? '';
  if (auth === 'github') return header === `token ${secrets.githubToken}` || header === `Bearer ${secrets.githubToken}`;
  if (auth === 'alert') return header === `Bearer ${secrets.alertToken}` || query.token === secrets.alertToken;
  return header === `Bearer ${secrets.apiKey}`;
}

/** Runs a routed request through auth, body checks and the handler; always returns a reply. */
function processRequest(state, secrets, request, rawBody) {
  const route = ROUTES[request.route];
  const github = route.auth === 'github';
  try {
    if (route.auth === 'alert' && !state.alertSourceIds.includes(request.params.id)) {
      throw new ApiError(404, 'not_found', `No alert source with ID ${request.params.id} exists`);
    }
    if (!authorized(route.auth, request.headers, request.query, secrets)) {
      if (github) return githubErrorReply(401, 'Bad credentials');
      throw new ApiError(401, 'authentication_error', 'The API key is missing or invalid');
    }
    let body = {};
    if (request.method === 'POST' && rawBody.length > 0) {
      if (typeof request.body === 'string') throw new ApiError(422, 'invalid_json', 'Request body is not valid JSON');
      if (!isObject(request.body)) throw new ApiError(422, 'invalid_value', 'Request body must be a JSON object');
      body = request.body;
    }
    return route.handle(state, { ...request, body });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return github ? githubErrorReply(error.status, error.message) : errorReply(error.status, error.code, error.message, error.field);
  }
}

// ── The server ───────────────────────────────────────────────────────────────────────────────

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw) {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Writes a reply unless the client has gone. `truncate` sends half the JSON, with no length. */
function send(res, reply, { truncate = false } = {}) {
  if (res.destroyed || res.writableEnded || res.socket?.destroyed) return;
  let text = reply.raw ?? JSON.stringify(reply.body);
  const headers = { 'content-type': 'application/json', ...reply.headers };
  if (truncate) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  else headers['content-length'] = Buffer.byteLength(text);
  res.writeHead(reply.status, headers);
  res.end(text);
}

export async function startSandbox(options = {}) {
  const { host = '127.0.0.1', port = 0 } = options;
  const secrets = {
    apiKey: options.apiKey ?? 'sandbox-api-key',
    alertToken: options.alertToken ?? 'sandbox-alert-token',
    githubToken: options.githubToken ?? 'sandbox-github-token',
  };
  const state = freshState(options);
  /** @type {any[]} */
  const requests = [];
  const timers = new Set();

  const wait = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
      timers.add(timer);
    });

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const match = matchRoute(req.method, url.pathname);
    const entry = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body: undefined,
      startedAt: Date.now(),
      respondedAt: undefined,
      route: match?.key,
    };
    requests.push(entry);
    res.on('finish', () => (entry.respondedAt = Date.now()));
    const raw = await readBody(req);
    entry.body = parseBody(raw);

    if (!match) return send(res, errorReply(404, 'not_found', `No route for ${req.method} ${url.pathname}`));
    if (req.method === 'GET' && state.lookupDelayMs > 0) await wait(state.lookupDelayMs);

    const spec = takeFault(state, match.key);
    if (spec?.type === 'reset' && spec.after !== 'process') return void req.socket.destroy();
    const early = spec && replyBeforeProcessing(spec, ROUTES[match.key].auth === 'github');
    if (early) return send(res, early);

    const request = { ...entry, params: match.params, host: req.headers.host ?? `${host}:${port}` };
    const reply = processRequest(state, secrets, request, raw);
    if (!spec) return send(res, reply);
    if (spec.type === 'reset') return void req.socket.destroy();
    if (spec.type === 'truncated') return send(res, reply, { truncate: true });
    await wait(spec.delayMs ?? 1500); // 'slow'
    return send(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      // A client that went away mid-request is normal; anything else is a sandbox bug worth a 500.
      if (!res.headersSent && !res.destroyed) send(res, errorReply(500, 'internal_error', `Sandbox error: ${error.message}`));
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => (server.off('error', reject), resolve()));
  });
  const actualPort = server.address().port;

  let closing;
  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    ...secrets,
    requests,
    state,
    fault(route, spec, times = 1) {
      if (!ROUTES[route]) throw new Error(`Unknown sandbox route "${route}"; known: ${Object.keys(ROUTES).join(', ')}`);
      if (!FAULT_TYPES.includes(spec?.type)) throw new Error(`Unknown fault type "${spec?.type}"; known: ${FAULT_TYPES.join(', ')}`);
      state.faults.push({ route, spec, remaining: times });
    },
    /** @returns {any[]} the live incident objects, oldest first */
    incidents: () => [...state.incidents],
    /** @returns {any[]} every alert event received, oldest first */
    alerts: () => [...state.alerts],
    setJobs(jobs) {
      state.jobs = jobs;
    },
    setGithubMode(mode) {
      if (!['ok', 'forbidden', 'error'].includes(mode)) throw new Error(`Unknown GitHub mode "${mode}"`);
      state.githubMode = mode;
    },
    reset() {
      Object.assign(state, freshState(options));
      requests.length = 0;
    },
    close() {
      closing ??= new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

// ── CLI ──────────────────────────────────────────────────────────────────────────────────────

function portArgument(argv) {
  const at = argv.findIndex((a) => a === '--port' || a.startsWith('--port='));
  if (at < 0) return 0;
  const value = argv[at].includes('=') ? argv[at].split('=')[1] : argv[at + 1];
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not "${value}"`);
  return port;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sandbox = await startSandbox({ port: portArgument(process.argv.slice(2)) });
  console.log(`incident.io sandbox listening on ${sandbox.url} (api key: ${sandbox.apiKey})`);
  const stop = () => sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
