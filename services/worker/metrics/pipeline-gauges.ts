import type { MikroORM } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { USER_STATUSES } from '../../features/accounts/data/user.entity.js';
import { readPipelineHealth, type PipelineHealth } from '../../features/polling/data/pipeline-health.repository.js';
import type { Queues } from '../../shared/jobs/open-queues.js';
import { readSchedulerRuns } from '../../features/polling/scheduler-runs.js';
import { cachedRead } from '../../shared/metrics/cached-read.js';

/** The states of a queue's jobs exported (BullMQ's names; "failed" is the dead-letter queue). */
export const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed', 'paused'] as const;

export interface PipelineGaugeSources {
  orm: MikroORM;
  redis: Redis;
  queues: Queues;
  prefix: string;
  /** How long the user gauges' reads are reused (METRICS_CACHE_SECONDS): a scrape never waits on them twice. */
  cacheMs: number;
  tokens: { lifetimeDays: number; warningDays: number };
  now?: () => number;
}

const DAY_MS = 86_400_000;
const seconds = (ms: number) => Math.max(0, ms) / 1000;

/**
 * The state of the whole pipeline, the same from every worker replica (rules and dashboards take the
 * max over replicas): every queue of the job registry by state and the age of its oldest waiting job,
 * the app-wide Spotify pause, users by status, re-authorisations due, polling lag, and the scheduler's
 * last runs. Read when Prometheus scrapes, from Redis and from indexes (the user reads cached briefly).
 */
export function registerPipelineGauges(registry: Registry, sources: PipelineGaugeSources): void {
  const now = sources.now ?? Date.now;
  const registers = [registry];
  const health = cachedRead<PipelineHealth>(sources.cacheMs, () =>
    readPipelineHealth(sources.orm.em.fork(), {
      reauthDueBefore: new Date(now() - (sources.tokens.lifetimeDays - sources.tokens.warningDays) * DAY_MS),
    }),
  );
  // Shared by the scheduler gauges of one scrape; a second is fresh enough for a run every few minutes.
  const schedulerRuns = cachedRead(1_000, () => readSchedulerRuns(sources.redis, sources.prefix));

  new Gauge({
    name: 'playlog_queue_jobs',
    help: 'Jobs of each queue of the job registry by state (state="failed" is the queue’s dead-letter queue).',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      const counts = await Promise.all(sources.queues.all().map(async ({ definition, queue }) => ({ name: definition.name, counts: await queue.getJobCounts(...QUEUE_STATES) })));
      for (const { name, counts: byState } of counts) for (const state of QUEUE_STATES) this.set({ queue: name, state }, byState[state] ?? 0);
    },
  });

  new Gauge({
    name: 'playlog_queue_oldest_waiting_age_seconds',
    help: 'Age of the oldest job waiting for a worker in each queue (0 when none waits).',
    labelNames: ['queue'],
    registers,
    async collect() {
      const ages = await Promise.all(
        sources.queues.all().map(async ({ definition, queue }) => {
          // Oldest first: BullMQ hands out waiting jobs from the far end of its list.
          const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
          return { name: definition.name, age: oldest ? seconds(now() - oldest.timestamp) : 0 };
        }),
      );
      for (const { name, age } of ages) this.set({ queue: name }, age);
    },
  });

  new Gauge({
    name: 'playlog_spotify_pause_remaining_seconds',
    help: 'How long every Spotify call of the app stays paused after a 429 or an exhausted quota (0: not paused).',
    registers,
    async collect() {
      this.set(seconds(await sources.queues.poll.getRateLimitTtl()));
    },
  });

  new Gauge({
    name: 'playlog_users',
    help: 'Users by status: active (polled), reauth_required (must log in again), disabled.',
    labelNames: ['status'],
    registers,
    async collect() {
      const { usersByStatus } = await health();
      for (const status of USER_STATUSES) this.set({ status }, usersByStatus[status]);
    },
  });

  new Gauge({
    name: 'playlog_users_reauth_due',
    help: 'Active users whose Spotify grant ends within SPOTIFY_REAUTH_WARNING_DAYS: they must log in again soon.',
    registers,
    async collect() {
      this.set((await health()).activeReauthDue);
    },
  });

  new Gauge({
    name: 'playlog_polling_lag_seconds',
    help: 'Age of the oldest last successful poll among active users (a user never polled successfully counts from sign-up): past the time Spotify’s last 50 plays cover, plays are lost.',
    registers,
    async collect() {
      const { oldestCollectedAt } = await health();
      this.set(oldestCollectedAt ? seconds(now() - oldestCollectedAt.getTime()) : 0);
    },
  });

  const lastRun = async () => (await schedulerRuns()).last;
  new Gauge({
    name: 'playlog_scheduler_last_run_timestamp_seconds',
    help: 'When the scheduler’s last run started (Unix seconds; absent before the first run).',
    registers,
    async collect() {
      const run = await lastRun();
      if (run) this.set(Date.parse(run.startedAt) / 1000);
    },
  });
  new Gauge({
    name: 'playlog_scheduler_last_success_timestamp_seconds',
    help: 'When the scheduler’s last successful run started (Unix seconds; absent before the first success).',
    registers,
    async collect() {
      const { lastSuccessAt } = await schedulerRuns();
      if (lastSuccessAt) this.set(Date.parse(lastSuccessAt) / 1000);
    },
  });
  new Gauge({
    name: 'playlog_scheduler_last_run_success',
    help: '1 when the scheduler’s last run succeeded, 0 when it failed.',
    registers,
    async collect() {
      const run = await lastRun();
      if (run) this.set(run.outcome === 'success' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'playlog_scheduler_last_run_duration_seconds',
    help: 'How long the scheduler’s last run took.',
    registers,
    async collect() {
      const run = await lastRun();
      if (run) this.set(run.durationMs / 1000);
    },
  });
  new Gauge({
    name: 'playlog_scheduler_last_run_users',
    help: 'Users of the scheduler’s last run: scanned (active), due, enqueued (new poll jobs), skipped (a poll already queued).',
    labelNames: ['kind'],
    registers,
    async collect() {
      const run = await lastRun();
      if (run) for (const kind of ['scanned', 'due', 'enqueued', 'skipped'] as const) this.set({ kind }, run[kind]);
    },
  });
  new Gauge({
    name: 'playlog_scheduler_interval_seconds',
    help: 'How often the scheduler is expected to run (its loop period, or POLL_INTERVAL_SECONDS, which the CronJob’s schedule follows).',
    registers,
    async collect() {
      const run = await lastRun();
      if (run) this.set(run.intervalSeconds);
    },
  });
}
