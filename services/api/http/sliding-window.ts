/**
 * The sliding-window estimate of a request rate from two fixed-window counters (the one in progress
 * and the one before): the previous window's count is weighted by how much of it still overlaps the
 * last `windowMs`. Unlike a bare fixed window, a client cannot get twice the limit through by
 * straddling a window boundary.
 */
export interface SlidingWindowCounts {
  /** Requests counted in the previous fixed window. */
  previous: number;
  /** Requests counted in the current fixed window, this one included. */
  current: number;
  /** How far into the current window we are, 0 ≤ elapsed < 1. */
  elapsed: number;
}

export interface SlidingWindowDecision {
  allowed: boolean;
  /** Requests still allowed now, after this one. */
  remaining: number;
  /** Whole seconds until a request would be allowed again (0 when one is allowed now). */
  retryAfterSeconds: number;
}

const estimate = (previous: number, current: number, elapsed: number) => previous * (1 - elapsed) + current;
/** Floating-point slack: at the exact instant Retry-After names, 70 × 0.3 + 1 must count as 22, not 22.000000000000004. */
const EPSILON = 1e-9;

export function decideSlidingWindow({ previous, current, elapsed }: SlidingWindowCounts, limit: number, windowSeconds: number): SlidingWindowDecision {
  const load = estimate(previous, current, elapsed);
  const allowed = load <= limit + EPSILON;
  const remaining = Math.max(0, Math.floor(limit - load + EPSILON));
  return { allowed, remaining, retryAfterSeconds: allowed ? 0 : secondsUntilOneMoreFits({ previous, current, elapsed }, limit, windowSeconds) };
}

/** When would one more request (counted into whichever window is current then) keep the estimate within the limit? */
function secondsUntilOneMoreFits({ previous, current, elapsed }: SlidingWindowCounts, limit: number, windowSeconds: number): number {
  let windows: number;
  if (current + 1 <= limit) {
    // Later in this window: previous × (1 − e) + current + 1 ≤ limit.
    windows = 1 - (limit - current - 1) / previous - elapsed;
  } else {
    // In the next window, where this window's count becomes the previous one: current × (1 − e) + 1 ≤ limit.
    windows = 1 - elapsed + 1 - (limit - 1) / current;
  }
  return Math.max(1, Math.ceil(windows * windowSeconds));
}
