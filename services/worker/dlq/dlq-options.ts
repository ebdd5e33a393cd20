import { parseCommandLine, UsageError, wholeNumberOption } from '../../shared/cli/command-line.js';
import { QUEUE_NAMES, type QueueName } from '../../shared/jobs/job-registry.js';
import { parseDuration } from './parse-duration.js';

export const DLQ_USAGE = `usage: playlog dlq <command> [options]      (npm run dlq -- ...)

The dead-letter queues: the failed jobs of every queue of the job registry (${QUEUE_NAMES.join(', ')}).

commands:
  list                 failed jobs, newest first, with why they failed
  retry <jobId>        queue one failed job again, with a full set of attempts
  retry-all            queue every failed job again
  purge                delete failed jobs

options:
  --queue <name>       only this queue: ${QUEUE_NAMES.join(' or ')} (default: every queue)
  --limit <n>          list at most n jobs per queue (default 50)
  --older-than <d>     purge only jobs that failed longer ago than d: 90s, 30m, 12h, 7d, 2w
  --json               machine-readable output
  -h, --help           this text

Exit codes: 0 done, 1 Redis unreachable or another error, 2 bad usage, 3 no such failed job.`;

export const DLQ_COMMANDS = ['list', 'retry', 'retry-all', 'purge'] as const;

export interface DlqOptions {
  command: (typeof DLQ_COMMANDS)[number];
  /** The queues the command acts on. */
  queues: QueueName[];
  jobId?: string;
  limit: number;
  olderThanMs?: number;
  json: boolean;
}

export function parseDlqArgs(argv: readonly string[]): DlqOptions {
  const { values, positionals } = parseCommandLine(
    argv,
    { queue: { type: 'string' }, limit: { type: 'string' }, 'older-than': { type: 'string' }, json: { type: 'boolean' } },
    { positionals: true },
  );
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('no command given');
  if (!(DLQ_COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command "${command}"`);
  if (values.queue !== undefined && !(QUEUE_NAMES as string[]).includes(values.queue)) {
    throw new UsageError(`--queue ${values.queue}: the queues are ${QUEUE_NAMES.join(', ')}`);
  }
  const queues = values.queue === undefined ? [...QUEUE_NAMES] : [values.queue as QueueName];
  const limit = wholeNumberOption('limit', values.limit, 50, { min: 1 });
  const json = values.json ?? false;
  if (values['older-than'] !== undefined && command !== 'purge') throw new UsageError('--older-than goes with purge only');
  switch (command as DlqOptions['command']) {
    case 'list':
    case 'retry-all':
      if (rest.length > 0) throw new UsageError(`${command} takes no argument`);
      return { command: command as 'list' | 'retry-all', queues, limit, json };
    case 'retry':
      if (rest.length !== 1) throw new UsageError('retry takes exactly one job id (see `list`)');
      return { command: 'retry', queues, jobId: rest[0]!, limit, json };
    case 'purge': {
      if (rest.length > 0) throw new UsageError('purge takes no argument besides --older-than');
      const text = values['older-than'];
      const olderThanMs = text === undefined ? undefined : parseDuration(text);
      if (olderThanMs === null) throw new UsageError(`--older-than ${text}: use a number and a unit, e.g. 90s, 30m, 12h, 7d`);
      return { command: 'purge', queues, limit, json, ...(olderThanMs !== undefined && { olderThanMs }) };
    }
  }
}
