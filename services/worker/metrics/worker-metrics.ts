import { Counter, Histogram, type Registry } from 'prom-client';
import { QUEUE_NAMES } from '../../shared/jobs/job-registry.js';
import type { SpotifyObserver } from '../../features/spotify/spotify-observer.js';

/** How a job's attempt ended, as the `outcome` label of `playlog_jobs_total`. */
export const JOB_OUTCOMES = [
  'completed',
  /** Failed; BullMQ retries it after a backoff. */
  'retrying',
  /** Failed for good: in the failed set, the queue's dead-letter queue. */
  'failed',
  /** The user must log in again: not retried, and not the operator's matter. */
  'reauth_required',
  /** Spotify said to slow down: back to the queue without using an attempt. */
  'rate_limited',
  /** An import let other imports have the worker; it continues from its checkpoint. */
  'yielded',
] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

export const IMPORT_ROW_OUTCOMES = ['stored', 'duplicate', 'skipped_podcast', 'skipped_local', 'malformed'] as const;
export type ImportRowOutcome = (typeof IMPORT_ROW_OUTCOMES)[number];

const PLAY_SOURCES = ['poll', 'import'] as const;
const REFRESH_OUTCOMES = ['refreshed', 'reauth_required', 'failed'] as const;
const THROTTLE_REASONS = ['rate_limit', 'quota'] as const;

/**
 * The worker's own instruments (names and labels: docs/operations.md). Every label takes a value from a
 * fixed list (queue names, outcomes, endpoints as Playlog names them), never an id; counters start at
 * zero for each of them, so a rate is defined before the first event.
 */
export class WorkerMetrics implements SpotifyObserver {
  private readonly jobs: Counter<'queue' | 'outcome'>;
  private readonly jobDuration: Histogram<'queue' | 'outcome'>;
  private readonly spotifyRequests: Histogram<'endpoint' | 'status'>;
  private readonly throttled: Counter<'reason'>;
  private readonly playsStored: Counter<'source'>;
  private readonly tokenRefreshes: Counter<'outcome'>;
  private readonly importRows: Counter<'outcome'>;
  private readonly pollLag: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.jobs = new Counter({ name: 'playlog_jobs_total', help: 'Job attempts by queue and how they ended (outcome "failed" = into the dead-letter queue).', labelNames: ['queue', 'outcome'], registers });
    this.jobDuration = new Histogram({
      name: 'playlog_job_duration_seconds',
      help: 'How long a job attempt ran, by queue and outcome (queue="poll": one poll of one user).',
      labelNames: ['queue', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.spotifyRequests = new Histogram({
      name: 'playlog_spotify_request_duration_seconds',
      help: 'Requests to Spotify by endpoint and HTTP status ("timeout" or "network" when Spotify did not answer).',
      labelNames: ['endpoint', 'status'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.throttled = new Counter({
      name: 'playlog_spotify_throttled_total',
      help: 'Times Spotify told Playlog to slow down: reason "rate_limit" (a 429 with Retry-After) or "quota" (the app’s quota is exhausted); each pauses every Spotify call of the app.',
      labelNames: ['reason'],
      registers,
    });
    this.playsStored = new Counter({ name: 'playlog_plays_stored_total', help: 'New plays stored (duplicates not counted), by source: poll or import.', labelNames: ['source'], registers });
    this.tokenRefreshes = new Counter({ name: 'playlog_token_refreshes_total', help: 'Refreshes of a user’s Spotify access token by outcome.', labelNames: ['outcome'], registers });
    this.importRows = new Counter({ name: 'playlog_import_rows_total', help: 'Rows of uploaded streaming histories imported, by outcome.', labelNames: ['outcome'], registers });
    this.pollLag = new Histogram({
      name: 'playlog_poll_lag_seconds',
      help: 'At each successful poll, how long since the user’s previous successful poll (the poll interval plus any delay): Spotify keeps only the last 50 plays.',
      buckets: [60, 180, 300, 450, 600, 900, 1200, 1800, 3600, 7200],
      registers,
    });
    for (const queue of QUEUE_NAMES) for (const outcome of JOB_OUTCOMES) this.jobs.inc({ queue, outcome }, 0);
    for (const source of PLAY_SOURCES) this.playsStored.inc({ source }, 0);
    for (const outcome of REFRESH_OUTCOMES) this.tokenRefreshes.inc({ outcome }, 0);
    for (const outcome of IMPORT_ROW_OUTCOMES) this.importRows.inc({ outcome }, 0);
    for (const reason of THROTTLE_REASONS) this.throttled.inc({ reason }, 0);
  }

  job(queue: string, outcome: JobOutcome, seconds: number): void {
    this.jobs.inc({ queue, outcome });
    this.jobDuration.observe({ queue, outcome }, seconds);
  }

  /** A job that ended in the dead-letter queue without an attempt of its own (malformed data, stalled too often). */
  failedWithoutRunning(queue: string): void {
    this.jobs.inc({ queue, outcome: 'failed' });
  }

  request(endpoint: string, status: string, seconds: number): void {
    this.spotifyRequests.observe({ endpoint, status }, seconds);
  }

  tokenRefresh(outcome: (typeof REFRESH_OUTCOMES)[number]): void {
    this.tokenRefreshes.inc({ outcome });
  }

  spotifyThrottled(reason: (typeof THROTTLE_REASONS)[number]): void {
    this.throttled.inc({ reason });
  }

  stored(source: (typeof PLAY_SOURCES)[number], plays: number): void {
    if (plays > 0) this.playsStored.inc({ source }, plays);
  }

  importRowsRead(counts: Record<ImportRowOutcome, number>): void {
    for (const outcome of IMPORT_ROW_OUTCOMES) if (counts[outcome] > 0) this.importRows.inc({ outcome }, counts[outcome]);
  }

  polledAfter(seconds: number): void {
    this.pollLag.observe(seconds);
  }
}
