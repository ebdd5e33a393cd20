import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PollJobData } from './poll-jobs.js';
import { QUEUE_NAMES } from './queue-names.js';

export function createPollQueue(connection: Redis, prefix: string): Queue<PollJobData> {
  const queue = new Queue<PollJobData>(QUEUE_NAMES.poll, { connection, prefix });
  // BullMQ emits connection errors here; without a listener they would crash the process.
  queue.on('error', () => undefined);
  return queue;
}
