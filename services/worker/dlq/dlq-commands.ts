import type { Job, Queue } from 'bullmq';
import type { RegisteredQueue } from '../../shared/jobs/job-registry.js';
import type { Queues } from '../../shared/jobs/open-queues.js';
import type { DlqOptions } from './dlq-options.js';

/** A failed job as `list` shows it: where it is, what it was about, and why it failed. */
export interface FailedJobView {
  queue: string;
  id: string;
  /** Who or what the job was about, in words (`user … (schedule)`, `import …`). */
  subject: string;
  attemptsMade: number;
  failedAt: string | null;
  error: string;
  /** The job's data (ids only: jobs never carry a token). */
  [field: string]: unknown;
}

/** A command's answer: text for people, and the same as data for --json. */
export interface DlqAnswer {
  text: string;
  json: unknown;
}

/** No failed job of that id: exit code 3. */
export class NoSuchFailedJob extends Error {}

const PAGE = 500;

function view(definition: RegisteredQueue, job: Job): FailedJobView {
  const data = definition.payload.safeParse(job.data);
  return {
    queue: definition.name,
    id: job.id ?? '',
    subject: data.success ? (definition.subject as (value: unknown) => string)(data.data) : 'malformed job data',
    ...(data.success ? data.data : {}),
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    error: job.failedReason ?? '',
  };
}

/** Every failed job of a queue, page by page (collected first: retrying or removing while paging would shift pages). */
async function allFailed(queue: Queue): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let start = 0; ; start += PAGE) {
    const page = (await queue.getFailed(start, start + PAGE - 1)).filter(Boolean);
    jobs.push(...page);
    if (page.length < PAGE) return jobs;
  }
}

const retryOptions = { resetAttemptsMade: true, resetAttemptsStarted: true };

/** Runs one dead-letter command on the queues the options name. Exported for tests, which pass their own queues. */
export async function runDlqCommand(queues: Pick<Queues, 'all'>, options: DlqOptions): Promise<DlqAnswer> {
  const selected = queues.all().filter(({ definition }) => options.queues.includes(definition.name));
  switch (options.command) {
    case 'list': {
      const sections: string[] = [];
      const listed: FailedJobView[] = [];
      let total = 0;
      const byQueue: Record<string, number> = {};
      for (const { definition, queue } of selected) {
        const count = await queue.getFailedCount();
        const jobs = (await queue.getFailed(0, options.limit - 1)).filter(Boolean).map((job) => view(definition, job));
        total += count;
        byQueue[definition.name] = count;
        listed.push(...jobs);
        if (count === 0) {
          sections.push(`${definition.name}: no failed jobs.`);
          continue;
        }
        const lines = jobs.map((job) => `  ${job.id}  ${job.subject}  failed ${job.failedAt ?? '?'} after ${job.attemptsMade} attempt(s)\n      ${job.error}`);
        sections.push([`${definition.name}: ${count} failed job(s)${count > jobs.length ? `, newest ${jobs.length} shown (--limit)` : ''}:`, ...lines].join('\n'));
      }
      const text = total === 0 ? `The dead-letter queue${selected.length > 1 ? 's are' : ' is'} empty (${selected.map(({ definition }) => definition.name).join(', ')}).` : sections.join('\n');
      return { text, json: { total, byQueue, jobs: listed } };
    }
    case 'retry': {
      for (const { definition, queue } of selected) {
        const job = await queue.getJob(options.jobId!);
        if (!job) continue;
        const state = await job.getState();
        if (state !== 'failed') throw new NoSuchFailedJob(`no failed job "${options.jobId}" (it is ${state} in the ${definition.name} queue); see \`npm run dlq -- list\``);
        await job.retry('failed', retryOptions);
        return { text: `Job ${job.id} (${view(definition, job).subject}) is queued again in the ${definition.name} queue.`, json: { retried: [{ queue: definition.name, id: job.id }] } };
      }
      throw new NoSuchFailedJob(`no failed job "${options.jobId}" (not found in ${selected.map(({ definition }) => definition.name).join(', ')}); see \`npm run dlq -- list\``);
    }
    case 'retry-all': {
      const retried: Array<{ queue: string; id: string }> = [];
      for (const { definition, queue } of selected) {
        for (const job of await allFailed(queue)) {
          // A job can leave the failed set meanwhile (retried from the dashboard, or removed by age): skip it.
          const ok = await job.retry('failed', retryOptions).then(
            () => true,
            () => false,
          );
          if (ok) retried.push({ queue: definition.name, id: job.id! });
        }
      }
      return { text: retried.length === 0 ? 'No failed jobs: nothing to retry.' : `${retried.length} failed job(s) queued again.`, json: { retried } };
    }
    case 'purge': {
      const removed: Array<{ queue: string; id: string }> = [];
      for (const { definition, queue } of selected) {
        // clean() removes at most `limit` per call; repeat until a call removes nothing.
        for (;;) {
          const batch = await queue.clean(options.olderThanMs ?? 0, 1000, 'failed');
          removed.push(...batch.map((id) => ({ queue: definition.name, id })));
          if (batch.length === 0) break;
        }
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
