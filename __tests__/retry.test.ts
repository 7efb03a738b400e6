import { DEFAULT_RETRY_POLICY, backoffDelay, isRetryableStatus, parseRetryAfter, serverRetryDelay } from '../src/incident-io/retry.js';

const now = Date.parse('2026-11-26T12:00:00Z');

describe('isRetryableStatus', () => {
  it.each([408, 429, 500, 502, 503, 504, 599])('retries %i', (status) => expect(isRetryableStatus(status)).toBe(true));
  it.each([400, 401, 403, 404, 409, 422, 200])('does not retry %i', (status) => expect(isRetryableStatus(status)).toBe(false));
});

describe('backoffDelay', () => {
  it('doubles from the base delay, half fixed and half jitter', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, DEFAULT_RETRY_POLICY, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, DEFAULT_RETRY_POLICY, () => 1))).toEqual([500, 1000, 2000, 4000]);
  });

  it('is capped at the maximum delay', () => {
    expect(backoffDelay(20, DEFAULT_RETRY_POLICY, () => 1)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
    expect(backoffDelay(20, DEFAULT_RETRY_POLICY, () => 0)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs / 2);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('reads an HTTP date, never negative', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:04 GMT', now)).toBe(4000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores junk', () => {
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('falls back to rate_limit.retry_after in RFC 3339 or RFC 1123 form', () => {
    expect(serverRetryDelay(null, { rate_limit: { retry_after: '2026-11-26T12:00:02Z' } }, now)).toBe(2000);
    expect(serverRetryDelay(null, { rate_limit: { retry_after: 'Thu, 26 Nov 2026 12:00:05 GMT' } }, now)).toBe(5000);
    expect(serverRetryDelay(undefined, { rate_limit: {} }, now)).toBeUndefined();
  });

  it('prefers the header over the body', () => {
    expect(serverRetryDelay('1', { rate_limit: { retry_after: '2026-11-26T12:00:09Z' } }, now)).toBe(1000);
  });
});
