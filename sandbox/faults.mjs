/**
 * Faults and the rate limit. sandbox.fault(route, spec, times) makes the next `times` requests to
 * a route fail the ways a real network and a hostile or careless server do; the token bucket
 * answers 429 to incident.io routes when a client sends too much. This module holds the replies.
 */
import { randomUUID } from 'node:crypto';
import { credential, errorReply, errorType, githubErrorReply, isObject } from './common.mjs';

export const FAULT_TYPES = [
  'rate-limit',
  'status',
  'html-502',
  'reset',
  'truncated',
  'slow',
  'error',
  'echo-key',
  'redirect',
  'huge',
  'omit',
  'answer',
];

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const ELSEWHERE = 'https://elsewhere.example/v2/incidents/01ELSEWHERE';

/** Throws a plain Error (a test's mistake, not a reply) when a fault spec cannot work. */
export function checkFault(spec) {
  if (!FAULT_TYPES.includes(spec?.type)) throw new Error(`Unknown fault type "${spec?.type}"; known: ${FAULT_TYPES.join(', ')}`);
  const fail = (why) => {
    throw new Error(`Fault ${JSON.stringify(spec)}: ${why}`);
  };
  if (spec.type === 'error') {
    if (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599) fail('status must be an HTTP error status');
    if (typeof spec.message !== 'string') fail('message must be a string');
  }
  if (spec.type === 'echo-key' && !['json', 'text', undefined].includes(spec.format)) fail('format must be "json" or "text"');
  if (spec.type === 'omit' && (!Array.isArray(spec.fields) || spec.fields.length === 0)) fail('fields must be a non-empty array');
  if (spec.type === 'answer' && spec.raw !== undefined && typeof spec.raw !== 'string') fail('raw must be a string');
}

export function takeFault(state, routeKey) {
  const index = state.faults.findIndex((f) => f.route === routeKey);
  if (index < 0) return undefined;
  const fault = state.faults[index];
  if (--fault.remaining <= 0) state.faults.splice(index, 1);
  return fault.spec;
}

/** `text` repeated and cut to exactly `length` characters. */
const filler = (text, length) => text.repeat(Math.ceil(length / text.length)).slice(0, length);

/** Every UTF-16 unit of `text` as a JSON \uXXXX escape. */
const escapeAll = (text) => [...Array(text.length).keys()].map((i) => `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');

/**
 * An error that repeats the request's own credential (from its Authorization header) after
 * `padding` characters, so that a 120-character excerpt cuts it in two: by default
 * padding = 120 - floor(key length / 2) (113 for the default 15-character API key). In the JSON
 * error's message (`format: 'json'`, the default) or as the raw text body (`'text'`); with
 * `escaped`, the JSON text spells every character of the key as a \uXXXX escape.
 */
function echoKeyReply(spec, headers, github) {
  const key = credential(headers);
  const padding = spec.padding ?? Math.max(0, 120 - Math.floor(key.length / 2));
  const head = filler('The request was refused because its credentials could not be verified. ', padding);
  const tail = ' is not a valid credential for this workspace; check the Authorization header and try again.';
  const status = spec.status ?? 400;
  if (spec.format === 'text') return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, raw: head + key + tail };
  const marker = `@@${randomUUID()}@@`;
  const reply = github ? githubErrorReply(status, head + marker + tail) : errorReply(status, errorType(status), head + marker + tail);
  const raw = JSON.stringify(reply.body).replace(marker, spec.escaped ? escapeAll(key) : JSON.stringify(key).slice(1, -1));
  return { status, headers: reply.headers, raw };
}

/** The reply for a fault that answers before any processing, or undefined if the fault comes after. */
export function replyBeforeProcessing(spec, { github, headers }) {
  if (spec.type === 'rate-limit') {
    const extra = spec.bodyRetryAfter === undefined ? {} : { rate_limit: { limit: 1200, remaining: 0, retry_after: spec.bodyRetryAfter } };
    const reply = errorReply(429, 'rate_limited', 'You have exceeded the rate limit of 1200 requests per minute', undefined, extra);
    if (spec.retryAfter !== undefined) reply.headers['retry-after'] = String(spec.retryAfter);
    return reply;
  }
  if (spec.type === 'status') {
    const status = spec.status ?? 500;
    const message =
      status >= 500 ? 'Something went wrong on our side; please retry the request' : `The sandbox was told to answer ${status}`;
    return github ? githubErrorReply(status, message) : errorReply(status, errorType(status), message);
  }
  if (spec.type === 'error') {
    if (github) return githubErrorReply(spec.status, spec.message);
    const extra = spec.type_ === undefined ? {} : { type: spec.type_ };
    return errorReply(spec.status, spec.code ?? errorType(spec.status), spec.message, spec.field, extra);
  }
  if (spec.type === 'echo-key') return echoKeyReply(spec, headers, github);
  if (spec.type === 'redirect') return { status: spec.status ?? 302, headers: { location: spec.location ?? ELSEWHERE }, raw: '' };
  if (spec.type === 'huge') {
    const status = spec.status ?? 503;
    const message = filler('The upstream service is unavailable. ', spec.bytes ?? 5_000_000);
    return github ? githubErrorReply(status, message) : errorReply(status, errorType(status), message);
  }
  if (spec.type === 'html-502') return { status: 502, headers: { 'content-type': 'text/html' }, raw: NGINX_502 };
  if (spec.type === 'answer') {
    const raw = spec.raw ?? (spec.body === undefined ? '' : JSON.stringify(spec.body));
    return { status: spec.status ?? 200, headers: raw === '' ? {} : { 'content-type': spec.contentType ?? 'application/json' }, raw };
  }
  return undefined;
}

/**
 * `omit`: the processed reply with `fields` removed from its one top-level object (`incident`,
 * `incident_update`, …), or from the body itself when it has none. Errors pass untouched, and the
 * stored object keeps every field: only the answer loses them.
 */
export function omitFields(reply, fields) {
  if (reply.status >= 300 || !isObject(reply.body)) return reply;
  const key = Object.keys(reply.body).find((k) => isObject(reply.body[k]));
  const target = { ...(key ? reply.body[key] : reply.body) };
  for (const field of fields) delete target[field];
  return { ...reply, body: key ? { ...reply.body, [key]: target } : target };
}

// ── Rate limit ───────────────────────────────────────────────────────────────────────────────

/** A full token bucket from `{ capacity, refillPerSecond }`; null for no limit. */
export function bucket(limit) {
  if (!limit) return null;
  const { capacity, refillPerSecond } = limit;
  if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`rateLimit.capacity must be a positive integer, not ${capacity}`);
  if (!(refillPerSecond > 0)) throw new Error(`rateLimit.refillPerSecond must be a positive number, not ${refillPerSecond}`);
  return { capacity, refillPerSecond, tokens: capacity, at: Date.now() };
}

/**
 * Takes a token for one request: undefined when there was one, else the 429 to answer, with
 * Retry-After in whole seconds (at least 1, when the next token is due) and the same moment as
 * RFC 3339 in the body's rate_limit.retry_after.
 */
export function takeToken(limit, now = Date.now()) {
  if (!limit) return undefined;
  limit.tokens = Math.min(limit.capacity, limit.tokens + ((now - limit.at) / 1000) * limit.refillPerSecond);
  limit.at = now;
  if (limit.tokens >= 1) {
    limit.tokens -= 1;
    return undefined;
  }
  const seconds = Math.max(1, Math.ceil((1 - limit.tokens) / limit.refillPerSecond));
  const retryAt = new Date(Math.ceil((now + seconds * 1000) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const reply = errorReply(
    429,
    'rate_limited',
    `You have exceeded the rate limit of ${limit.capacity} requests (refilled at ${limit.refillPerSecond} a second)`,
    undefined,
    { rate_limit: { limit: limit.capacity, remaining: 0, retry_after: retryAt } },
  );
  reply.headers['retry-after'] = String(seconds);
  return reply;
}
