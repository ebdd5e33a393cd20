import { z } from 'zod';
import { defineQueue, type PayloadOf } from './queue-definition.js';

/**
 * Every BullMQ queue of Playlog, declared once: its name, what its jobs carry, their attempts,
 * retention and what a Spotify slow-down does to them. The worker starts one BullMQ worker per entry
 * (and refuses to start when one has no handler), the dashboard and `npm run dlq` show every entry,
 * and shutdown closes them all: a queue added here cannot be forgotten by any of them.
 */

const DAY_SECONDS = 24 * 60 * 60;

export const POLL_REASONS = ['schedule', 'login', 'manual'] as const;

/**
 * The id of the API request that asked for a job (`X-Request-Id`), so that the worker's log lines of
 * that job carry it too: one id finds a request and everything it set off.
 */
const requestId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/).optional();
export type PollReason = (typeof POLL_REASONS)[number];

export const pollQueue = defineQueue({
  name: 'poll',
  jobName: 'poll-user',
  noun: 'poll',
  description: 'One job per poll of a user’s recently played tracks. Failed = dead-letter queue (kept 14 days): retry after fixing the cause.',
  payload: z.object({ userId: z.guid(), reason: z.enum(POLL_REASONS), requestId }),
  attempts: 6,
  retention: { completed: { age: 60 * 60, count: 1_000 }, failed: { age: 14 * DAY_SECONDS } },
  onSpotifyPause: 'pause-queue',
  subject: (data) => `user ${data.userId} (${data.reason})`,
});

export const importQueue = defineQueue({
  name: 'import',
  jobName: 'import-streaming-history',
  noun: 'import',
  description:
    'One job per uploaded streaming history. Failed = dead-letter queue (kept 14 days): a retried import resumes from its checkpoint.',
  payload: z.object({ importId: z.guid(), requestId }),
  // Long but resumable: every chunk commits with its checkpoint, so each attempt continues the last one.
  attempts: 8,
  retention: { completed: { age: DAY_SECONDS, count: 1_000 }, failed: { age: 14 * DAY_SECONDS } },
  // Its track look-ups already wait on the app-wide limit (the poll queue's limiter); an exhausted quota retries later.
  onSpotifyPause: 'retry',
  subject: (data) => `import ${data.importId}`,
});

export const exportQueue = defineQueue({
  name: 'export',
  jobName: 'write-export',
  noun: 'export',
  description: 'One job per personal export a user asked for (docs/export.md). Failed = dead-letter queue (kept 14 days): a retried export writes its file again from the start.',
  payload: z.object({ exportId: z.guid(), requestId }),
  // Reads Postgres and writes a file, nothing of Spotify's: a few attempts cover a restarted database or a full disk freed.
  attempts: 4,
  retention: { completed: { age: DAY_SECONDS, count: 1_000 }, failed: { age: 14 * DAY_SECONDS } },
  onSpotifyPause: 'retry',
  subject: (data) => `export ${data.exportId}`,
});

export const JOB_REGISTRY = [pollQueue, importQueue, exportQueue] as const;

export type RegisteredQueue = (typeof JOB_REGISTRY)[number];
export type QueueName = RegisteredQueue['name'];
export const QUEUE_NAMES = JOB_REGISTRY.map((definition) => definition.name) as QueueName[];

export type PollJobData = PayloadOf<typeof pollQueue>;
export type ImportJobData = PayloadOf<typeof importQueue>;
export type ExportJobData = PayloadOf<typeof exportQueue>;

/** The registry entry of a queue name; throws on a name that is not registered. */
export function queueDefinition(name: string): RegisteredQueue {
  const found = JOB_REGISTRY.find((definition) => definition.name === name);
  if (!found) throw new Error(`no queue named "${name}": the queues are ${QUEUE_NAMES.join(', ')}`);
  return found;
}
