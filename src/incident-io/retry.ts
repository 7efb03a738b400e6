/**
 * Retry rules for requests to incident.io: which answers are worth another attempt and how
 * long to wait before it. Pure functions, so the rules are tested without a network.
 */

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Backoff before the first retry; it doubles each retry. */
  baseDelayMs: number;
  /** No single wait is longer than this, unless the server asked for more (then the budget decides). */
  maxDelayMs: number;
  /** No attempt starts once this much time has passed since the first one, waits included. */
  budgetMs: number;
  /** Each attempt is aborted after this long. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  budgetMs: 60_000,
  timeoutMs: 10_000,
};

/** 408, 429 and every 5xx are worth another attempt; other answers are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Capped exponential backoff with "equal jitter": half the step is fixed, half random, so
 * clients that failed together do not retry together, and no wait collapses to zero.
 * `retry` counts from 1 (the wait before the second attempt).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * How long the server asked us to wait, in ms, from a `Retry-After` header (delta-seconds
 * or an HTTP date) or incident.io's `rate_limit.retry_after` body field (RFC 3339 or
 * RFC 1123 date, or seconds). Undefined when neither says anything usable.
 */
export function serverRetryDelay(header: string | null | undefined, body: unknown, nowMs: number): number | undefined {
  const fromHeader = parseRetryAfter(header, nowMs);
  if (fromHeader !== undefined) return fromHeader;
  const rateLimit = isRecord(body) ? body['rate_limit'] : undefined;
  const bodyValue = isRecord(rateLimit) ? rateLimit['retry_after'] : undefined;
  if (typeof bodyValue === 'number') return Math.max(0, bodyValue * 1000);
  return typeof bodyValue === 'string' ? parseRetryAfter(bodyValue, nowMs) : undefined;
}

export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
