/**
 * A local, stateful stand-in for the parts of incident.io's API this action uses, plus GitHub's
 * jobs, annotations and commit-pulls routes under /github. Used by the demo, the end-to-end tests
 * and the benchmark. Node built-ins only. This file is the HTTP server (routing, auth, the rate
 * limit, faults) and `startSandbox`; each concern's routes live in their own module:
 * catalog.mjs (lookups, users, timestamps, catalog entries), incidents.mjs (+ incident-fields.mjs,
 * incident-extras.mjs: the slim form and the Slack channel), incident-updates.mjs, attachments.mjs,
 * alerts.mjs (alert events, heartbeats), alert-records.mjs (alerts, incident alerts, alert
 * attributes), escalations.mjs (paths, escalations), schedules.mjs (schedules, entries),
 * maintenance.mjs (maintenance windows), github.mjs; seed.mjs holds the seed data and the state's
 * shape (ONCALL_IDS names the on-call seeds), faults.mjs the fault replies, lists.mjs the filters
 * and pages of the newer lists, deferred.mjs what happens later (run by the first request or
 * accessor at or after its time: no timers).
 *
 *   const sandbox = await startSandbox();   // sandbox.url, sandbox.apiKey, sandbox.incidents(), ...
 *   node sandbox/server.mjs [--port N]       // the same, as a standalone server
 *
 * Options: apiKey, alertToken, heartbeatToken, githubToken, replay, lookupDelayMs, host, port,
 * rateLimit ({ capacity, refillPerSecond }: a token bucket over every incident.io route, not /github).
 *
 * State flags (`sandbox.state.X = …`; reset() restores them):
 *   replay 'original' | 'conflict'    how a repeated create idempotency key is answered
 *   refuseClose                       edits and incident updates to a closed status get a 422
 *   closeOnWrite: string[]            these incidents (ID or reference) are closed just before the next edit or
 *                                     incident update to them, which then moves no status (incidents.mjs)
 *   refuseStatusIds: string[]         edits/updates to these statuses get a 422 "not part of the post-incident flow"
 *   reviewingStatus                   list the second post-incident status "Reviewing" (off: a test pins the list)
 *   paginationBug 'repeat-cursor'     custom field option pages after the first repeat their cursor
 *   lookupDelayMs                     every GET waits this long
 *   usersIgnoreFilter                 GET /v2/users ignores email/slack_user_id; non-matching users come first
 *   listPageCap: number | null        GET /v2/incidents pages hold at most this many, whatever page_size says
 *   githubIntegration                 attachments of github_pull_request are accepted (else 422)
 *   attachmentsForbidden              every attachment route answers 403
 *   attachmentDeleteForbidden         DELETE /v1/incident_attachments/{id} answers 403 (a key without attachments.destroy)
 *   catalogForbidden                  GET /v3/catalog_entries answers 403
 *   githubModes { jobs, annotations, pulls }: 'ok' | 'forbidden' (403) | 'error' (500), per GitHub endpoint, or a
 *       malformed 200 (GITHUB_MODES in github.mjs: 'html', 'null', 'nameless', 'null-step', 'wrong-types', …)
 *   pageCap: number | null            the newer lists (escalation paths, escalations, schedules, maintenance
 *                                     windows, alerts, incident alerts) answer at most this many a page
 *   escalationsIgnoreFilters          GET /v2/escalations checks its filters, then ignores them
 *   scheduleEntriesPageSize = 5       entries of each list (scheduled, overrides, final) per page
 *   scheduleEntriesBug 'endless'      every schedule entries page carries a cursor, even past the last entry
 *   scheduleEntriesAfterUrlBase       the origin of pagination_meta.after_url (default: this sandbox's)
 *   alertRoute { incidentAfterMs = 2000, incidentId? }  a new firing alert, still firing that long after,
 *                                     opens an incident (creator: the alert), or joins incident `incidentId`
 *   slackChannelAfterMs: null | number  null: new incidents get no slack_channel_id (as before); 0: the create's
 *                                     answer has it (C0SANDBOX<n>); N: it and the name appear N ms after the create
 *   slackChannelName: string | null   the channel name every new incident gets (hostile names)
 *
 * The on-call and alert seeds (see seed.mjs): 27 escalation paths (two named "Database", "Web
 * Frontend" and "web frontend", "Payments" and "Platform" last, past the first page of 25); 26
 * schedules ("Platform Primary" last: Alice and Bob by the day, Olivia overriding from an hour
 * before the (re)start for 12 h; "Weekend Cover" with nobody; "All Hands" with seven people on
 * call at any time, Dana without email, Erin without Slack ID, "Doe, Jane", Frank twice; two named
 * "Database"); alert attributes Service (catalog entries of the Service type), Environment, Team.
 *
 * Faults (`sandbox.fault(route, spec, times = 1)`, route as in `requests[].route`):
 *   { type: 'rate-limit', retryAfter?, bodyRetryAfter? }  429, with a Retry-After header and/or rate_limit.retry_after
 *   { type: 'status', status = 500 }                      that status with a generic incident.io error
 *   { type: 'error', status, message, code?, field?, type_? }  exactly that incident.io error (type_ overrides `type`)
 *   { type: 'html-502' }                                  nginx's HTML 502 page
 *   { type: 'reset', after?: 'process' }                  the socket is destroyed, before (or after) processing
 *   { type: 'truncated' }                                 processed, then half the JSON body, with no length
 *   { type: 'slow', delayMs = 1500 }                      processed, then answered late
 *   { type: 'echo-key', status = 400, padding?, format = 'json' | 'text', escaped? }  an error repeating the
 *       request's own credential after `padding` characters (default: so that character 120 cuts it in two)
 *   { type: 'redirect', status = 302, location? }         that status, a Location header, no body, nothing processed
 *   { type: 'huge', status = 503, bytes = 5_000_000 }     an incident.io error whose message is `bytes` long
 *   { type: 'omit', fields: string[] }                    processed, then those fields are left out of the answer's object
 *   { type: 'answer', status = 200, body?, raw?, contentType? }  nothing processed: that status with that JSON body
 *       (or raw text), for answers of a shape the action does not expect (`{"status":"error"}` to a heartbeat, HTML)
 *
 * Incidents made by others (a responder, another integration): `addIncident(sandbox.state, {...})`
 * from incidents.mjs.
 *
 * Records: requests (method, path, query, queryAll, headers, body, route, status, startedAt,
 * respondedAt), incidents(), incidentUpdates(), attachments(), deletedAttachments(), alerts() (events), heartbeats(),
 * escalations(), maintenanceWindows(), alertRecords(), incidentAlerts(). The objects are the live
 * ones: a test may set an escalation's status to 'resolved', or move a window's times.
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { alertRecordRoutes } from './alert-records.mjs';
import { alertRoutes } from './alerts.mjs';
import { attachmentRoutes } from './attachments.mjs';
import { catalogRoutes } from './catalog.mjs';
import { ApiError, errorReply, githubErrorReply, isObject } from './common.mjs';
import { runDue } from './deferred.mjs';
import { escalationRoutes } from './escalations.mjs';
import { bucket, checkFault, omitFields, replyBeforeProcessing, takeFault, takeToken } from './faults.mjs';
import { GITHUB_MODES, githubRoutes } from './github.mjs';
import { incidentUpdateRoutes } from './incident-updates.mjs';
import { incidentRoutes } from './incidents.mjs';
import { maintenanceRoutes } from './maintenance.mjs';
import { scheduleRoutes } from './schedules.mjs';
import { ALERT_SOURCE_ID, HEARTBEAT_SOURCE_ID, freshState } from './seed.mjs';

// ── Routing ──────────────────────────────────────────────────────────────────────────────────

/** Route key -> { auth: 'api' | 'alert' | 'heartbeat' | 'github', handle(state, request) }. */
const ROUTES = {
  ...catalogRoutes,
  ...incidentRoutes,
  ...incidentUpdateRoutes,
  ...attachmentRoutes,
  ...alertRoutes,
  ...escalationRoutes,
  ...scheduleRoutes,
  ...maintenanceRoutes,
  ...alertRecordRoutes,
  ...githubRoutes,
};

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

/** Checks the Authorization header (or, for HTTP alert sources, ?token=) against the route's secret. */
function authorized(auth, headers, query, secrets) {
  const header = headers.authorization ?? '';
  if (auth === 'github') return header === `token ${secrets.githubToken}` || header === `Bearer ${secrets.githubToken}`;
  if (auth === 'alert') return header === `Bearer ${secrets.alertToken}` || query.token === secrets.alertToken;
  if (auth === 'heartbeat') return header === `Bearer ${secrets.heartbeatToken}`;
  return header === `Bearer ${secrets.apiKey}`;
}

/** An alert source or heartbeat route must name a source that exists; 404 before any auth, as incident.io does. */
function checkSource(state, auth, id) {
  if (auth === 'alert' && !state.alertSourceIds.includes(id)) throw new ApiError(404, 'not_found', `No alert source with ID ${id} exists`);
  if (auth === 'heartbeat' && !state.heartbeatSourceIds.includes(id)) {
    throw new ApiError(404, 'not_found', `No heartbeat alert source with ID ${id} exists`);
  }
}

/** Runs a routed request through auth, body checks and the handler; always returns a reply. */
function processRequest(state, secrets, request, rawBody) {
  const route = ROUTES[request.route];
  const github = route.auth === 'github';
  runDue(state); // what was due by now (an incident a route opens, a Slack channel) happens first
  try {
    checkSource(state, route.auth, request.params.id);
    // The sandbox refuses a heartbeat token in the query, so a test proves a client never puts it there (and in logs).
    if (route.auth === 'heartbeat' && request.queryAll.token !== undefined) {
      throw new ApiError(401, 'authentication_error', 'Send the heartbeat token as "Authorization: Bearer", not as ?token=');
    }
    if (!authorized(route.auth, request.headers, request.query, secrets)) {
      if (github) return githubErrorReply(401, 'Bad credentials');
      throw new ApiError(401, 'authentication_error', 'The API key is missing or invalid');
    }
    let body = {};
    if (['POST', 'PUT'].includes(request.method) && rawBody.length > 0) {
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

/** Every value of every query key, so repeated keys (`mode[one_of]=a&mode[one_of]=b`) keep them all. */
function queryAll(params) {
  const all = {};
  for (const [key, value] of params) (all[key] ??= []).push(value);
  return all;
}

function parseBody(raw) {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Writes a reply unless the client has gone: `raw` text as is, else `body` as JSON. An empty reply
 * (a 204, a redirect) has no content type. `truncate` sends half the text, with no length.
 */
function send(res, reply, { truncate = false } = {}) {
  if (res.destroyed || res.writableEnded || res.socket?.destroyed) return;
  let text = reply.raw ?? JSON.stringify(reply.body);
  const headers = { ...(text === '' ? {} : { 'content-type': 'application/json' }), ...reply.headers };
  if (truncate) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  else if (reply.status !== 204) headers['content-length'] = Buffer.byteLength(text);
  res.writeHead(reply.status, headers);
  res.end(text);
}

export async function startSandbox(options = {}) {
  const { host = '127.0.0.1', port = 0 } = options;
  const secrets = {
    apiKey: options.apiKey ?? 'sandbox-api-key',
    alertToken: options.alertToken ?? 'sandbox-alert-token',
    heartbeatToken: options.heartbeatToken ?? 'sandbox-heartbeat-token',
    githubToken: options.githubToken ?? 'ghs_sandbox0Gh7Token2Qx',
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
      query: Object.fromEntries(url.searchParams), // the last value of a repeated key
      queryAll: queryAll(url.searchParams), // every value of every key
      headers: { ...req.headers },
      body: undefined,
      startedAt: Date.now(),
      respondedAt: undefined,
      route: match?.key,
      status: undefined, // the status answered; stays undefined for a reset
    };
    requests.push(entry);
    res.on('finish', () => (entry.respondedAt = Date.now()));
    const answer = (reply, options) => {
      entry.status = reply.status;
      send(res, reply, options);
    };
    const raw = await readBody(req);
    entry.body = parseBody(raw);

    if (!match) return answer(errorReply(404, 'not_found', `No route for ${req.method} ${url.pathname}`));
    const github = ROUTES[match.key].auth === 'github';
    const limited = github ? undefined : takeToken(state.rateLimit);
    if (limited) return answer(limited);
    if (req.method === 'GET' && state.lookupDelayMs > 0) await wait(state.lookupDelayMs);

    const spec = takeFault(state, match.key);
    if (spec?.type === 'reset' && spec.after !== 'process') return void req.socket.destroy();
    const early = spec && replyBeforeProcessing(spec, { github, headers: req.headers });
    if (early) return answer(early);

    const request = { ...entry, params: match.params, host: req.headers.host ?? `${host}:${port}` };
    const reply = processRequest(state, secrets, request, raw);
    if (!spec) return answer(reply);
    if (spec.type === 'reset') return void req.socket.destroy();
    if (spec.type === 'truncated') return answer(reply, { truncate: true });
    if (spec.type === 'omit') return answer(omitFields(reply, spec.fields));
    await wait(spec.delayMs ?? 1500); // 'slow'
    return answer(reply);
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

  /** @param {{ jobs?: string, annotations?: string, pulls?: string }} modes one of GITHUB_MODES[endpoint] each */
  function setGithubModes(modes) {
    for (const [endpoint, mode] of Object.entries(modes)) {
      if (!(endpoint in state.githubModes)) throw new Error(`Unknown GitHub endpoint "${endpoint}"; known: jobs, annotations, pulls`);
      if (!GITHUB_MODES[endpoint].includes(mode)) {
        throw new Error(`Unknown GitHub mode "${mode}" for ${endpoint}; known: ${GITHUB_MODES[endpoint].join(', ')}`);
      }
    }
    Object.assign(state.githubModes, modes);
  }

  let closing;
  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    ...secrets,
    alertSourceId: ALERT_SOURCE_ID,
    heartbeatSourceId: HEARTBEAT_SOURCE_ID,
    requests,
    state,
    /** The next `times` requests to `route` (a key of the routing table, as in requests[].route) meet the fault `spec`. */
    fault(route, spec, times = 1) {
      if (!ROUTES[route]) throw new Error(`Unknown sandbox route "${route}"; known: ${Object.keys(ROUTES).join(', ')}`);
      checkFault(spec);
      state.faults.push({ route, spec, remaining: times });
    },
    /** @returns {any[]} the live incident objects, oldest first (after anything due has happened) */
    incidents: () => (runDue(state), [...state.incidents]),
    /** @returns {any[]} every incident update created, oldest first */
    incidentUpdates: () => [...state.incidentUpdates],
    /** @returns {any[]} every incident attachment created (duplicates included), oldest first */
    attachments: () => [...state.attachments],
    /** @returns {any[]} every incident attachment deleted, in the order deleted */
    deletedAttachments: () => [...state.deletedAttachments],
    /** @returns {any[]} every alert event received, oldest first */
    alerts: () => [...state.alerts],
    /** @returns {any[]} every accepted heartbeat ping, { alert_source_config_id, received_at }, oldest first */
    heartbeats: () => [...state.heartbeats],
    /** @returns {any[]} every escalation created, the live objects (hidden `_idempotencyKey`, `_incidentId`), oldest first */
    escalations: () => (runDue(state), [...state.escalations]),
    /** @returns {any[]} every maintenance window created, archived ones too (hidden `_bodies`: each body accepted), oldest first */
    maintenanceWindows: () => [...state.maintenanceWindows],
    /** @returns {any[]} every alert record (one per firing deduplication key and source), oldest first */
    alertRecords: () => (runDue(state), [...state.alertRecords]),
    /** @returns {any[]} every incident-alert link, { id, alert_id, incident_id, alert_route_id, created_at }, oldest first */
    incidentAlerts: () => (runDue(state), [...state.incidentAlerts]),
    /** The jobs GitHub lists for run `runId`, or (without it) for any run not given its own. */
    setJobs(jobs, runId) {
      if (runId === undefined) state.jobs = jobs;
      else state.jobsByRun[String(runId)] = jobs;
    },
    /** The annotations of check run (job) `jobId`. */
    setAnnotations(jobId, annotations) {
      state.annotations[String(jobId)] = annotations;
    },
    /** The pull requests GitHub lists for commit `sha`, or (without it) for any commit not given its own. */
    setPulls(pulls, sha) {
      if (sha === undefined) state.pulls = pulls;
      else state.pullsBySha[sha] = pulls;
    },
    /** The jobs endpoint's mode, as before per-endpoint modes. */
    setGithubMode: (mode) => setGithubModes({ jobs: mode }),
    setGithubModes,
    /** A token bucket over every incident.io route (not /github), starting full; null removes it. */
    setRateLimit(limit) {
      state.rateLimit = bucket(limit);
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
