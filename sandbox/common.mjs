/**
 * What every sandbox module shares: IDs, incident.io's (and GitHub's) error replies, and small
 * helpers for reading bodies and queries.
 */
import { randomBytes, randomUUID } from 'node:crypto';

// ── IDs ──────────────────────────────────────────────────────────────────────────────────────

/** A stable 26-character ULID-like ID: '01' + tag, then zeros (or a zero-padded number). */
export function seedId(tag, n) {
  const head = `01${tag}`;
  return n === undefined ? head.padEnd(26, '0') : head + String(n).padStart(26 - head.length, '0');
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastId = '';

/**
 * A ULID-like ID: 10 characters of time, 16 random, Crockford base32. Monotonic, as ULID
 * generators are: an ID made in the same millisecond as the last one is that one plus one, so
 * IDs sort in the order they were made (the action's tie-break between racing attachments
 * relies on it).
 */
export function newId() {
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i++, time = Math.floor(time / 32)) head = CROCKFORD[time % 32] + head;
  let id = head + [...randomBytes(16)].map((b) => CROCKFORD[b % 32]).join('');
  if (id <= lastId) id = increment(lastId);
  lastId = id;
  return id;
}

/** The Crockford base32 string one greater (same length; the random part never overflows in practice). */
function increment(id) {
  const digits = [...id];
  for (let i = digits.length - 1; i >= 0; i--) {
    const next = CROCKFORD.indexOf(digits[i]) + 1;
    if (next < CROCKFORD.length) {
      digits[i] = CROCKFORD[next];
      return digits.join('');
    }
    digits[i] = CROCKFORD[0];
  }
  return digits.join('');
}

// ── Errors ───────────────────────────────────────────────────────────────────────────────────

const ERROR_TYPES = {
  401: 'authentication_error',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'validation_error',
  429: 'rate_limited',
};
export const errorType = (status) => ERROR_TYPES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request_error');

/** Thrown by handlers; turned into incident.io's error body (or GitHub's, on /github routes). */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    Object.assign(this, { status, code, field });
  }
}
export const invalid = (field, message, code = 'invalid_value') => new ApiError(422, code, message, field);
export const required = (field, message = `${field} is required`) => invalid(field, message, 'is_required');
export const forbidden = (message) => new ApiError(403, 'forbidden', message);
export const notFound = (message, field) => new ApiError(404, 'not_found', message, field);

/** incident.io's error body; `extra` adds top-level fields (or overrides `type`). */
export function errorReply(status, code, message, field, extra = {}) {
  const requestId = randomUUID();
  const error = { code, message, ...(field ? { source: { field } } : {}) };
  return {
    status,
    headers: { 'x-request-id': requestId },
    body: { type: errorType(status), status, request_id: requestId, errors: [error], ...extra },
  };
}

export function githubErrorReply(status, message, docs = 'https://docs.github.com/rest') {
  return { status, headers: { 'x-github-request-id': randomUUID() }, body: { message, documentation_url: docs, status: String(status) } };
}

// ── Small helpers ────────────────────────────────────────────────────────────────────────────

export const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
export const ok = (body, status = 200) => ({ status, body });
export const clone = (value) => JSON.parse(JSON.stringify(value));

export function slug(text) {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

/** `page_size` query parameter: default 25 (unless `required`), a positive integer up to `max`. */
export function pageSize(query, max, { required: needed = false } = {}) {
  if (query.page_size === undefined || query.page_size === '') {
    if (needed) throw required('page_size', 'page_size is required');
    return 25;
  }
  const n = Number(query.page_size);
  if (!Number.isInteger(n) || n < 1) throw invalid('page_size', 'page_size must be a positive integer');
  if (n > max) throw invalid('page_size', `page_size must be at most ${max}`);
  return n;
}

export function findById(list, id, field, what, prefix) {
  if (typeof id !== 'string' || id === '') throw required(prefix + field, `${what} ID must be a non-empty string`);
  const found = list.find((item) => item.id === id);
  if (!found) throw invalid(prefix + field, `No ${what} with ID ${id} exists`, 'not_found');
  return found;
}

export function optionalString(body, key, prefix) {
  if (body[key] !== undefined && typeof body[key] !== 'string') throw invalid(prefix + key, `${key} must be a string`);
}

/**
 * One page of `items` (already in answer order) after the item whose ID is `after`:
 * { page, meta } where meta is incident.io's pagination_meta, with `after` only when more follow.
 */
export function paginate(items, { after, size, what, total = false }) {
  let start = 0;
  if (after) {
    start = items.findIndex((item) => item.id === after) + 1;
    if (start === 0) throw invalid('after', `No ${what} with ID ${after} exists to page after`, 'not_found');
  }
  const page = items.slice(start, start + size);
  const meta = { page_size: size, ...(total ? { total_record_count: items.length } : {}) };
  if (start + size < items.length) meta.after = page[page.length - 1].id;
  return { page, meta };
}

/** An RFC 3339 date-time: 2026-11-26T10:04:00Z, with optional fraction and offset. */
export function isTimestamp(value) {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value) &&
    Number.isFinite(Date.parse(value))
  );
}

/** The credential in an Authorization header ("Bearer X" or "token X"), or ''. */
export function credential(headers) {
  return (headers.authorization ?? '').replace(/^(bearer|token)\s+/i, '');
}
