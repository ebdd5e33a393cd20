import { describe, expect, it } from 'vitest';
import { JOB_REGISTRY } from '../../../../services/shared/jobs/job-registry.js';
import { BACKOFF_TYPE, fullJitterBackoff, jobOptions } from '../../../../services/shared/jobs/queue-definition.js';

const BASE = 2_000;
const CAP = 5 * 60_000;
/** The longest delay attempt `n` can wait: the ceiling `random() = 1` reaches. */
const ceiling = (attempt: number) => fullJitterBackoff(attempt, BASE, CAP, () => 1);

describe("a failed job's retry delay", () => {
  it('starts at the base and doubles per attempt, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map(ceiling)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000]);
    expect(ceiling(8)).toBe(256_000);
    expect(ceiling(9)).toBe(CAP);
    // Far past the cap, where 2 ** n overflows to Infinity, still the cap.
    expect([50, 1_100].map(ceiling)).toEqual([CAP, CAP]);
  });

  it('is anywhere from 0 to that ceiling: full jitter, so jobs failing together do not retry together', () => {
    for (const attempt of [1, 4, 12]) {
      const delays = Array.from({ length: 11 }, (_, i) => fullJitterBackoff(attempt, BASE, CAP, () => i / 10));
      expect(delays[0]).toBe(0);
      expect(delays[10]).toBe(ceiling(attempt));
      expect(delays[5]).toBe(Math.round(ceiling(attempt) / 2));
      expect([...delays].sort((a, b) => a - b)).toEqual(delays);
    }
  });

  it('with the real random source, stays within its bounds and spreads out', () => {
    const delays = Array.from({ length: 500 }, () => fullJitterBackoff(6, BASE, CAP));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(64_000);
    expect(delays.every(Number.isInteger)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(400);
  });
});

describe("a job's options", () => {
  it("come from its queue's declaration: attempts, the jittered backoff, retention", () => {
    for (const queue of JOB_REGISTRY) {
      const options = jobOptions(queue, { jobId: 'job-1' });
      expect(options).toEqual({
        attempts: queue.attempts,
        backoff: { type: BACKOFF_TYPE },
        removeOnComplete: queue.retention.completed,
        removeOnFail: queue.retention.failed,
        jobId: 'job-1',
      });
    }
  });

  it('keep failed jobs (the dead-letter queue) at least as long as completed ones', () => {
    for (const queue of JOB_REGISTRY) expect(queue.retention.failed.age, queue.name).toBeGreaterThanOrEqual(queue.retention.completed.age);
  });
});
