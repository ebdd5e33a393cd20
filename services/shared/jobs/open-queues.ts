import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_REGISTRY, type ExportJobData, type ImportJobData, type PollJobData, type QueueName, type RegisteredQueue } from './job-registry.js';
import type { PayloadOf, QueueDefinition } from './queue-definition.js';

/** A producer's view of every registered queue, on one connection. */
export interface Queues {
  poll: Queue<PollJobData>;
  import: Queue<ImportJobData>;
  export: Queue<ExportJobData>;
  /** Every queue with its registry entry, in registry order (dashboard, dead-letter tooling, metrics). */
  all(): Array<{ definition: RegisteredQueue; queue: Queue }>;
  byName(name: QueueName): Queue;
  /** Closes every queue (not the connection, which the caller owns). */
  close(): Promise<void>;
}

/** A BullMQ Queue of one registered queue on `connection`, with the deployment's key prefix. */
export function openQueue<D extends QueueDefinition<string, unknown>>(definition: D, connection: Redis, prefix: string): Queue<PayloadOf<D>> {
  const queue = new Queue<PayloadOf<D>>(definition.name, { connection, prefix });
  // BullMQ emits connection errors here; without a listener they would crash the process. The
  // connection's owner logs them.
  queue.on('error', () => undefined);
  return queue;
}

/** Opens a BullMQ Queue for each entry of the job registry on `connection`, with the deployment's key prefix. */
export function openQueues(connection: Redis, prefix: string): Queues {
  const opened = JOB_REGISTRY.map((definition) => ({ definition, queue: openQueue(definition, connection, prefix) as Queue }));
  const byName = (name: QueueName): Queue => {
    const found = opened.find((entry) => entry.definition.name === name);
    if (!found) throw new Error(`queue ${name} is not in the job registry`);
    return found.queue;
  };
  return {
    poll: byName('poll') as Queue<PollJobData>,
    import: byName('import') as Queue<ImportJobData>,
    export: byName('export') as Queue<ExportJobData>,
    all: () => [...opened],
    byName,
    async close() {
      await Promise.all(opened.map(({ queue }) => queue.close().catch(() => undefined)));
    },
  };
}
