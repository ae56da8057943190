import { backoffMs, DEFAULT_RETRY_POLICY, isRetryableStatus, nextRetry, requestedWaitMs } from '../../gate/retry';

const NOW = Date.parse('2025-06-02T12:00:00Z');
const ctx = (remainingMs = 60_000, random = 0.5) => ({ remainingMs, nowMs: NOW, random: () => random });
const resp = (status: number, headers: Record<string, string> = {}) => ({ kind: 'response' as const, status, headers });

describe('retry policy', () => {
  test('429 and 5xx are retried; other statuses are final', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 200].some(isRetryableStatus)).toBe(false);
    expect(nextRetry(1, resp(403), DEFAULT_RETRY_POLICY, ctx())).toEqual({ retry: false, why: 'HTTP 403 (not retried)' });
  });

  test('honors X-RateLimit-Reset (seconds until the reset) and Retry-After (seconds or an HTTP date), the longer wins', () => {
    expect(requestedWaitMs({ 'X-RateLimit-Reset': '7', 'X-RateLimit-Remaining': '0' }, NOW)).toBe(7000);
    expect(requestedWaitMs({ 'retry-after': '3' }, NOW)).toBe(3000);
    expect(requestedWaitMs({ 'Retry-After': new Date(NOW + 12_000).toUTCString() }, NOW)).toBe(12_000);
    expect(requestedWaitMs({ 'Retry-After': '2', 'x-ratelimit-reset': '5' }, NOW)).toBe(5000);
    expect(requestedWaitMs({ 'x-ratelimit-reset': 'soon' }, NOW)).toBeUndefined();
    expect(nextRetry(1, resp(429, { 'x-ratelimit-reset': '7' }), DEFAULT_RETRY_POLICY, ctx())).toEqual({
      retry: true,
      delayMs: 7000,
      why: 'HTTP 429, rate limit resets in 7.0 s',
    });
  });

  test('backs off exponentially with jitter in the upper half, capped', () => {
    const p = { maxAttempts: 10, baseDelayMs: 500, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, p, () => 0))).toEqual([250, 500, 1000, 2000, 4000, 4000]);
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, p, () => 0.999999))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect(nextRetry(2, { kind: 'error', message: 'no answer within the request timeout of 30 s' }, p, ctx())).toEqual(
      expect.objectContaining({ retry: true, delayMs: 750 }),
    );
  });

  test('fails when the attempts are used up', () => {
    expect(nextRetry(5, resp(500), DEFAULT_RETRY_POLICY, ctx())).toEqual({ retry: false, why: 'HTTP 500 after 5 attempts' });
  });

  test('fails when the wait would pass the deadline (no retry that cannot finish)', () => {
    expect(nextRetry(1, resp(429, { 'X-RateLimit-Reset': '30' }), DEFAULT_RETRY_POLICY, ctx(10_000))).toEqual({
      retry: false,
      why: "HTTP 429 after 1 attempt; the rate limit resets in 30.0 s, past the gate's deadline",
    });
    expect(nextRetry(3, resp(503), DEFAULT_RETRY_POLICY, ctx(1000)).retry).toBe(false);
  });
});
