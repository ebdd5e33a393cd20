import { pathToFileURL } from 'node:url';
import type { Job, Queue } from 'bullmq';
import { redisEnv, runtimeEnv } from '../shared/config/env-schema.js';
import { ConfigError, loadConfig } from '../shared/config/load-config.js';
import type { PollJobData } from '../shared/queue/poll-jobs.js';
import { createPollQueue } from '../shared/queue/poll-queue.js';
import { createRedisConnection, waitUntilReady } from '../shared/queue/redis-connection.js';
import { parseDuration } from './parse-duration.js';

/**
 * `npm run dlq -- <command>`: the dead-letter queue (BullMQ's failed set of the poll queue) for operators
 * without a browser. Same configuration as the worker: REDIS_URL and QUEUE_PREFIX.
 *
 *   list [--limit N]                 failed jobs, newest first, with why they failed
 *   retry <jobId>                    move one failed job back to the queue (attempts start again)
 *   retry-all                        the same for every failed job
 *   purge [--older-than <duration>]  delete failed jobs (all, or those failed longer ago than 90s, 30m, 12h, 7d)
 *   --json                           machine-readable output
 *
 * Exit codes: 0 done, 1 could not reach Redis or another error, 2 bad usage, 3 no such failed job.
 */

const USAGE = `usage: npm run dlq -- list [--limit N] | retry <jobId> | retry-all | purge [--older-than <duration>]  [--json]`;
const EXIT = { ok: 0, error: 1, usage: 2, notFound: 3 } as const;
const PAGE = 500;

class UsageError extends Error {}
class NotFoundError extends Error {}

interface Options {
  command: 'list' | 'retry' | 'retry-all' | 'purge';
  jobId?: string;
  limit: number;
  olderThanMs?: number;
  json: boolean;
}

export function parseArgs(argv: string[]): Options {
  const args = [...argv];
  const json = takeFlag(args, '--json');
  const limitText = takeValue(args, '--limit');
  const olderThan = takeValue(args, '--older-than');
  const [command, ...rest] = args;
  const unknown = rest.filter((arg) => arg.startsWith('-'));
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown[0]}`);
  const limit = limitText === undefined ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit takes a whole number above 0');
  switch (command) {
    case 'list':
    case 'retry-all':
      if (rest.length > 0) throw new UsageError(`${command} takes no argument`);
      return { command, limit, json };
    case 'retry':
      if (rest.length !== 1) throw new UsageError('retry takes exactly one job id (see `list`)');
      return { command, jobId: rest[0]!, limit, json };
    case 'purge': {
      if (rest.length > 0) throw new UsageError('purge takes no argument besides --older-than');
      const olderThanMs = olderThan === undefined ? undefined : parseDuration(olderThan);
      if (olderThanMs === null) throw new UsageError(`--older-than ${olderThan}: use a number and a unit, e.g. 90s, 30m, 12h, 7d`);
      return { command, limit, json, ...(olderThanMs !== undefined && { olderThanMs }) };
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  }
}

function takeFlag(args: string[], name: string): boolean {
  const index = args.indexOf(name);
  if (index === -1) return false;
  args.splice(index, 1);
  return true;
}

function takeValue(args: string[], name: string): string | undefined {
  const index = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (index === -1) return undefined;
  const arg = args[index]!;
  if (arg.includes('=')) {
    args.splice(index, 1);
    return arg.slice(name.length + 1);
  }
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(index, 2);
  return value;
}

export interface FailedJobView {
  id: string;
  userId: string;
  reason: string;
  attemptsMade: number;
  failedAt: string | null;
  error: string;
}

const view = (job: Job<PollJobData>): FailedJobView => ({
  id: job.id ?? '',
  userId: job.data.userId,
  reason: job.data.reason,
  attemptsMade: job.attemptsMade,
  failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  error: job.failedReason ?? '',
});

/** Every failed job, page by page (collected first: retrying or removing while paging would shift pages). */
async function allFailed(queue: Queue<PollJobData>): Promise<Array<Job<PollJobData>>> {
  const jobs: Array<Job<PollJobData>> = [];
  for (let start = 0; ; start += PAGE) {
    const page = (await queue.getFailed(start, start + PAGE - 1)).filter(Boolean);
    jobs.push(...page);
    if (page.length < PAGE) return jobs;
  }
}

/** Runs one command; returns what to print. Exported for tests, which pass their own queue. */
export async function runDlqCommand(queue: Queue<PollJobData>, options: Options): Promise<{ text: string; json: unknown }> {
  switch (options.command) {
    case 'list': {
      const total = await queue.getFailedCount();
      const jobs = (await queue.getFailed(0, options.limit - 1)).filter(Boolean).map(view);
      const lines = jobs.map((job) => `${job.id}  user ${job.userId}  failed ${job.failedAt ?? '?'} after ${job.attemptsMade} attempt(s)\n    ${job.error}`);
      const header = total === 0 ? 'The dead-letter queue is empty.' : `${total} failed job(s)${total > jobs.length ? `, newest ${jobs.length} shown (--limit)` : ''}:`;
      return { text: [header, ...lines].join('\n'), json: { total, jobs } };
    }
    case 'retry': {
      const job = await queue.getJob(options.jobId!);
      const state = job ? await job.getState() : 'missing';
      if (!job || state !== 'failed') throw new NotFoundError(`no failed job "${options.jobId}" (${job ? `it is ${state}` : 'not found'}); see \`npm run dlq -- list\``);
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return { text: `Job ${job.id} (user ${job.data.userId}) is queued again.`, json: { retried: [job.id] } };
    }
    case 'retry-all': {
      const retried: string[] = [];
      for (const job of await allFailed(queue)) {
        // A job can leave the failed set meanwhile (retried from the dashboard, or removed by age): skip it.
        const ok = await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }).then(
          () => true,
          () => false,
        );
        if (ok) retried.push(job.id!);
      }
      return { text: retried.length === 0 ? 'The dead-letter queue is empty: nothing to retry.' : `${retried.length} failed job(s) queued again.`, json: { retried } };
    }
    case 'purge': {
      const removed: string[] = [];
      // clean() removes at most `limit` per call; repeat until a call removes nothing.
      for (;;) {
        const batch = await queue.clean(options.olderThanMs ?? 0, 1000, 'failed');
        removed.push(...batch);
        if (batch.length === 0) break;
      }
      const scope = options.olderThanMs === undefined ? '' : ` that failed more than ${formatMs(options.olderThanMs)} ago`;
      return { text: `${removed.length} failed job(s)${scope} removed.`, json: { removed } };
    }
  }
}

function formatMs(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

async function main(argv: string[]): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`dlq: ${(error as Error).message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  let config;
  try {
    config = loadConfig({ ...runtimeEnv, ...redisEnv });
  } catch (error) {
    process.stderr.write(`dlq: ${error instanceof ConfigError ? error.message : String(error)}\n`);
    return EXIT.error;
  }
  const redis = createRedisConnection(config.REDIS_URL, 'producer');
  redis.on('error', () => undefined);
  const queue = createPollQueue(redis, config.QUEUE_PREFIX);
  try {
    await waitUntilReady(redis, 5_000);
    const result = await runDlqCommand(queue, options);
    process.stdout.write(`${options.json ? JSON.stringify(result.json, null, 2) : result.text}\n`);
    return EXIT.ok;
  } catch (error) {
    process.stderr.write(`dlq: ${(error as Error).message}\n`);
    return error instanceof NotFoundError ? EXIT.notFound : EXIT.error;
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
