import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideSlidingWindow } from '../../services/api/http/sliding-window.js';

/**
 * The rate limiter's arithmetic (the HTTP behaviour is in abuse.test.ts): a client told to retry in
 * Retry-After seconds is let through then, and would not have been a second earlier.
 */
const WINDOW = 60;

/** The counters a request sent `waitSeconds` later would see (it counts itself into its window). */
function later(previous: number, current: number, elapsed: number, waitSeconds: number) {
  const at = elapsed + waitSeconds / WINDOW;
  if (at < 1) return { previous, current: current + 1, elapsed: at };
  if (at < 2) return { previous: current, current: 1, elapsed: at - 1 };
  return { previous: 0, current: 1, elapsed: at % 1 };
}

describe('the sliding-window rate limit', () => {
  it('weighs the previous window by how much of it still overlaps the last window', () => {
    expect(decideSlidingWindow({ previous: 10, current: 1, elapsed: 0.05 }, 10, WINDOW).allowed).toBe(false);
    expect(decideSlidingWindow({ previous: 10, current: 1, elapsed: 0.5 }, 10, WINDOW)).toEqual({ allowed: true, remaining: 4, retryAfterSeconds: 0 });
    expect(decideSlidingWindow({ previous: 0, current: 10, elapsed: 0.99 }, 10, WINDOW)).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
    expect(decideSlidingWindow({ previous: 0, current: 11, elapsed: 0.99 }, 10, WINDOW).allowed).toBe(false);
  });

  it('lets a request in at the exact instant Retry-After names', () => {
    // 102 s after a window of 70 requests (limit 22): 70 × 0.3 + 1 is 22 in floating point too.
    const refused = decideSlidingWindow({ previous: 0, current: 70, elapsed: 0 }, 22, WINDOW);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 102 });
    expect(decideSlidingWindow(later(0, 70, 0, 102), 22, WINDOW).allowed).toBe(true);
  });

  it('answers a Retry-After after which one request fits, and before which none does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 59_999 }),
        (limit, previous, current, elapsedMs) => {
          const elapsed = elapsedMs / (WINDOW * 1000);
          const decision = decideSlidingWindow({ previous, current, elapsed }, limit, WINDOW);
          if (decision.allowed) return;
          expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(decideSlidingWindow(later(previous, current, elapsed, decision.retryAfterSeconds), limit, WINDOW).allowed).toBe(true);
          if (decision.retryAfterSeconds > 1) {
            // A second earlier (less a hair, for floating point at exact boundaries) is still too early.
            expect(decideSlidingWindow(later(previous, current, elapsed, decision.retryAfterSeconds - 1.001), limit, WINDOW).allowed).toBe(false);
          }
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
