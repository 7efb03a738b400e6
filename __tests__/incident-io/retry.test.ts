import {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
  serverDirectedDelay,
  serverRetryDelay,
} from '../../src/incident-io/retry.js';

const now = Date.parse('2026-11-26T12:00:00Z');

describe('isRetryableStatus', () => {
  it.each([408, 429, 500, 502, 503, 504, 599])('retries %i', (status) => expect(isRetryableStatus(status)).toBe(true));
  it.each([400, 401, 403, 404, 409, 422, 200, 501])('does not retry %i', (status) => expect(isRetryableStatus(status)).toBe(false));
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
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:04 GMT', now)).toBe(4000);
    expect(parseRetryAfter('2026-11-26T12:00:04.5Z', now)).toBe(4500);
  });

  // Zero, negative, past or unparsable: use our own backoff, never "retry at once".
  it.each([
    ' 0 ',
    '0.0',
    '-5',
    '-0.5',
    'Thu, 26 Nov 2026 11:00:00 GMT',
    '2026-11-26T11:59:59Z',
    'tomorrow 1',
    'soon',
    '1e3',
    'Infinity',
    '',
    null,
  ])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it('ignores a zero, negative or past rate_limit.retry_after too', () => {
    for (const retryAfter of [0, -5, '2026-11-26T11:00:00Z', 'tomorrow 1', Number.NaN]) {
      expect(serverRetryDelay(null, { rate_limit: { retry_after: retryAfter } }, now)).toBeUndefined();
    }
    expect(serverRetryDelay(null, { rate_limit: { retry_after: 2 } }, now)).toBe(2000);
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

describe('serverDirectedDelay', () => {
  it("adds jitter on top of the server's wait, never less than it asked", () => {
    expect(serverDirectedDelay(1000, () => 0)).toBe(1000);
    expect(serverDirectedDelay(1000, () => 1)).toBe(2000);
    expect(serverDirectedDelay(4000, () => 1)).toBe(6000);
    expect(serverDirectedDelay(30_000, () => 1)).toBe(35_000);
  });

  it('spreads clients limited together', () => {
    const waits = new Set(Array.from({ length: 20 }, (_, i) => serverDirectedDelay(1000, () => i / 20)));
    expect(waits.size).toBe(20);
  });
});
