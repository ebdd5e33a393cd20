import { z } from 'zod';
import { databaseEnv, redisEnv, runtimeEnv } from '../shared/config/env-schema.js';
import { environment, loadConfig } from '../shared/config/load-config.js';

/**
 * Spotify keeps a user's 50 latest plays, and a play counts after 30 s: a listener who skips at 31 s
 * fills that window in 25 minutes, so no interval may be longer than that.
 */
const MAX_INTERVAL_SECONDS = 25 * 60;

export const schedulerEnv = {
  POLL_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(MAX_INTERVAL_SECONDS, `at most ${MAX_INTERVAL_SECONDS}: Spotify only keeps 50 plays, 25 minutes of 30-second plays`)
    .default(300)
    .describe('How often each active user is polled, in seconds (at most 1500: Spotify keeps only the 50 latest plays).'),
  SCHEDULER_SPREAD_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Polls of one run are spread over this many seconds, each user at a fixed offset (default: the whole poll interval; 0 = all at once).'),
  SCHEDULER_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500).describe('Users read and jobs added per round trip.'),
  SCHEDULER_LOOP_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Unset: one run, then exit (the Kubernetes CronJob). Set: run every N seconds until SIGTERM (docker-compose, demo).'),
};

export const schedulerConfigShape = { ...runtimeEnv, ...databaseEnv, ...redisEnv, ...schedulerEnv };
export type SchedulerConfig = ReturnType<typeof loadSchedulerConfig>;

export function loadSchedulerConfig(env: NodeJS.ProcessEnv = environment()) {
  const config = loadConfig(schedulerConfigShape, env);
  const spreadSeconds = Math.min(config.SCHEDULER_SPREAD_SECONDS ?? config.POLL_INTERVAL_SECONDS, config.POLL_INTERVAL_SECONDS);
  return Object.freeze({ ...config, spreadSeconds });
}
