import { EXIT, runCommandLine } from '../../shared/cli/command-line.js';
import { redisEnv, runtimeEnv } from '../../shared/config/env-schema.js';
import { loadConfig } from '../../shared/config/load-config.js';
import { openQueues } from '../../shared/jobs/open-queues.js';
import { createRedisConnection, waitUntilReady } from '../../shared/jobs/redis-connection.js';
import { NoSuchFailedJob, runDlqCommand } from './dlq-commands.js';
import { DLQ_USAGE, parseDlqArgs } from './dlq-options.js';

/**
 * `npm run dlq -- <command>`: the dead-letter queues (BullMQ's failed set of every queue of the job
 * registry) for operators without a browser. Same configuration as the worker: REDIS_URL and QUEUE_PREFIX.
 */
runCommandLine('dlq', DLQ_USAGE, async (argv) => {
  const options = parseDlqArgs(argv);
  const config = loadConfig({ ...runtimeEnv, ...redisEnv });
  const redis = createRedisConnection(config.REDIS_URL, 'producer');
  redis.on('error', () => undefined);
  const queues = openQueues(redis, config.QUEUE_PREFIX);
  try {
    await waitUntilReady(redis, 5_000);
    const answer = await runDlqCommand(queues, options);
    process.stdout.write(`${options.json ? JSON.stringify(answer.json, null, 2) : answer.text}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof NoSuchFailedJob)) throw error;
    process.stderr.write(`dlq: ${error.message}\n`);
    return 3;
  } finally {
    await queues.close();
    redis.disconnect();
  }
});
