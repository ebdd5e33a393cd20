import { jitteredExponentialBackoff } from '../shared/queue/poll-jobs.js';

/**
 * BullMQ worker settings for the `jitteredExponential` backoff type that every Playlog job uses;
 * a job asking for another type is a programming error and fails loudly.
 */
export function jitteredBackoffSettings(baseMs: number, maxMs: number) {
  return {
    backoffStrategy: (attemptsMade: number, type?: string) => {
      if (type !== 'jitteredExponential') throw new Error(`unknown backoff type "${type}"`);
      return jitteredExponentialBackoff(attemptsMade, baseMs, maxMs);
    },
  };
}
