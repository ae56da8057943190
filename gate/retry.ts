/**
 * When to retry a Datadog API request, and after how long. Pure: the clock
 * value, the time left before the deadline and the jitter source are
 * arguments.
 *
 * - 429 and 5xx, and network errors / per-request timeouts, are retried; other
 *   statuses (400, 403, 404, ...) are final.
 * - A rate-limit answer says when to come back: `Retry-After` (seconds or an
 *   HTTP date) or `X-RateLimit-Reset` (seconds until the limit resets); the
 *   longer of the two is honored exactly.
 * - Otherwise exponential backoff with jitter: base * 2^(attempt-1), capped,
 *   then a random point in its upper half.
 * - No retry starts that cannot finish waiting before the deadline.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8_000 };

/** What one attempt ended with. */
export type AttemptOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: 'error'; readonly message: string };

export type RetryDecision = { readonly retry: true; readonly delayMs: number; readonly why: string } | { readonly retry: false; readonly why: string };

/** Statuses worth another attempt. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * The wait a response asks for, in ms, from `Retry-After` / `X-RateLimit-Reset`
 * (header names in any case); undefined when it asks for none.
 */
export function requestedWaitMs(headers: Readonly<Record<string, string>>, nowMs: number): number | undefined {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const waits: number[] = [];
  const retryAfter = h['retry-after'];
  if (retryAfter !== undefined && retryAfter !== '') {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) waits.push(Number(retryAfter) * 1000);
    else {
      const at = Date.parse(retryAfter);
      if (!Number.isNaN(at)) waits.push(Math.max(0, at - nowMs));
    }
  }
  const reset = h['x-ratelimit-reset'];
  if (reset !== undefined && /^\d+(\.\d+)?$/.test(reset)) waits.push(Number(reset) * 1000);
  return waits.length === 0 ? undefined : Math.max(...waits);
}

/** Exponential backoff with jitter for attempt `attempt` (1 = the first attempt failed). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const d = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + random() * (d / 2));
}

/** Decide whether to try again after attempt number `attempt` (1-based) ended with `outcome`. */
export function nextRetry(
  attempt: number,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  ctx: { readonly remainingMs: number; readonly nowMs: number; readonly random: () => number },
): RetryDecision {
  const what = outcome.kind === 'response' ? `HTTP ${outcome.status}` : outcome.message;
  if (outcome.kind === 'response' && !isRetryableStatus(outcome.status)) return { retry: false, why: `${what} (not retried)` };
  if (attempt >= policy.maxAttempts) return { retry: false, why: `${what} after ${attempt} attempts` };
  const asked = outcome.kind === 'response' ? requestedWaitMs(outcome.headers, ctx.nowMs) : undefined;
  const delayMs = asked ?? backoffMs(attempt, policy, ctx.random);
  if (delayMs >= ctx.remainingMs) {
    const source = asked === undefined ? 'backoff' : 'the rate limit resets';
    return {
      retry: false,
      why: `${what} after ${attempt} attempt${attempt === 1 ? '' : 's'}; ${source} in ${(delayMs / 1000).toFixed(1)} s, past the gate's deadline`,
    };
  }
  return { retry: true, delayMs, why: asked === undefined ? `${what}, backoff` : `${what}, rate limit resets in ${(delayMs / 1000).toFixed(1)} s` };
}
