/**
 * Retry rules for requests to incident.io: which answers are worth another attempt, and how long
 * to wait before it (the deadline that bounds them all is in src/core/time.ts). Pure functions,
 * so the rules are tested without a network.
 */
import { isRecord } from '../core/shape.js';

export interface RetryPolicy {
  /**
   * Failures per request whose wait is the action's own backoff (network errors, timeouts, 5xx
   * without Retry-After); the request gives up at the last. Waits the server asked for do not
   * count against it.
   */
  maxAttempts: number;
  /**
   * Attempts per request in all, a backstop. Waits the server asks for (429 with Retry-After) are
   * ended by the deadline: with a Retry-After of a second or more, plus jitter, the 120 s deadline
   * comes well before this count. (At 30, runs sharing a rate-limited key reached it first.)
   */
  maxServerDirectedAttempts: number;
  /** Backoff before the first retry of the action's own; it doubles each such retry. */
  baseDelayMs: number;
  /** No backoff of our own is longer than this. */
  maxDelayMs: number;
  /** Each attempt is aborted after this long (or sooner, when the deadline is nearer). */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxServerDirectedAttempts: 100,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  timeoutMs: 10_000,
};

/**
 * 408, 429 and 5xx are worth another attempt; other answers are final. 501 (Not Implemented)
 * will not change on a retry, and incident.io's own clients do not retry it.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/**
 * Capped exponential backoff with "equal jitter": half the step is fixed, half random, so
 * clients that failed together do not retry together, and no wait collapses to zero.
 * `retry` counts the request's failures of the action's own timing so far, from 1 (with no 429
 * between them, the wait before the second attempt is retry 1).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * The wait before retrying when the server said how long: its wait plus a random part (half of
 * it, between 1 and 5 s), so that the jobs of an organisation limited together do not all come
 * back in the same instant and empty the bucket again.
 */
export function serverDirectedDelay(serverMs: number, random: () => number): number {
  const spread = Math.min(5_000, Math.max(1_000, serverMs / 2));
  return Math.round(serverMs + random() * spread);
}

/**
 * How long the server asked us to wait, in ms, from a `Retry-After` header (delta-seconds or an
 * HTTP date) or incident.io's `rate_limit.retry_after` body field (RFC 3339 or RFC 1123 date, or
 * seconds). Undefined when neither says anything usable: a zero, negative, past or unparsable
 * value means "use our own backoff", never "retry at once".
 */
export function serverRetryDelay(header: string | null | undefined, body: unknown, nowMs: number): number | undefined {
  const fromHeader = parseRetryAfter(header, nowMs);
  if (fromHeader !== undefined) return fromHeader;
  const rateLimit = isRecord(body) ? body['rate_limit'] : undefined;
  const bodyValue = isRecord(rateLimit) ? rateLimit['retry_after'] : undefined;
  if (typeof bodyValue === 'number') return bodyValue > 0 && Number.isFinite(bodyValue) ? bodyValue * 1000 : undefined;
  return typeof bodyValue === 'string' ? parseRetryAfter(bodyValue, nowMs) : undefined;
}

const DELTA_SECONDS = /^\d+(\.\d+)?$/;
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} (GMT|UTC|[+-]\d{4})$/;

export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  let ms: number;
  if (DELTA_SECONDS.test(text)) ms = Math.round(Number(text) * 1000);
  else if (RFC_3339.test(text) || HTTP_DATE.test(text)) ms = Date.parse(text) - nowMs;
  else return undefined;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
