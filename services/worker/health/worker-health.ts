import type { MikroORM } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logging/logger.js';
import type { ProbeResult } from '../../shared/metrics/metrics-server.js';
import { checkDependency } from '../../shared/runtime/check-dependency.js';

export interface WorkerHealthSettings {
  /** WORKER_LIVENESS_MAX_BLOCK_SECONDS: an event loop blocked longer than this fails liveness. */
  maxBlockMs: number;
  /** WORKER_LIVENESS_REDIS_DOWN_SECONDS: a Redis connection lost longer than this fails liveness. */
  maxRedisDownMs: number;
  now?: () => number;
}

const TICK_MS = 250;
const CHECK_TIMEOUT_MS = 2_000;

/**
 * What the worker's probes say (docs/operations.md, "Health"):
 *
 * - `/healthz` (liveness): the process can do its job. It fails when the event loop was blocked longer
 *   than the threshold (a job stuck in synchronous work: its locks cannot be renewed, so other workers
 *   take its jobs while it holds them), reported for as long again afterwards so that a probe sees it,
 *   and when the Redis connection has been down longer than its threshold (ioredis reconnects by
 *   itself; one that cannot for that long needs a restart). A loop blocked right now cannot answer at
 *   all, which the probe's timeout turns into a failure too.
 * - `/readyz` (readiness): Postgres and Redis answer and the worker is not stopping.
 */
export class WorkerHealth {
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private expectedAt = 0;
  private lastBlock: { endedAt: number; ms: number } | undefined;
  private redisDownSince: number | undefined;
  private stopping = false;

  constructor(
    private readonly parts: { orm: MikroORM; redis: Redis; logger: Logger },
    private readonly settings: WorkerHealthSettings,
  ) {
    this.now = settings.now ?? Date.now;
  }

  start(): void {
    this.expectedAt = this.now() + TICK_MS;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** Readiness fails from now on: the worker takes no new jobs. */
  markStopping(): void {
    this.stopping = true;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const at = this.now();
    const blockedMs = at - this.expectedAt;
    this.expectedAt = at + TICK_MS;
    if (blockedMs > this.settings.maxBlockMs) {
      this.lastBlock = { endedAt: at, ms: blockedMs };
      this.parts.logger.error({ blockedMs }, `the event loop was blocked for ${Math.round(blockedMs / 1000)} s: liveness fails for as long`);
    }
    if (this.parts.redis.status === 'ready') this.redisDownSince = undefined;
    else this.redisDownSince ??= at;
  }

  liveness(): ProbeResult {
    const at = this.now();
    const checks = { eventLoop: 'ok', redis: 'ok' };
    if (this.lastBlock && at - this.lastBlock.endedAt <= Math.max(this.lastBlock.ms, this.settings.maxBlockMs)) {
      checks.eventLoop = `blocked for ${Math.round(this.lastBlock.ms)} ms, ${Math.round((at - this.lastBlock.endedAt) / 1000)} s ago (limit ${this.settings.maxBlockMs} ms)`;
    }
    if (this.redisDownSince !== undefined) {
      const downMs = at - this.redisDownSince;
      checks.redis = downMs > this.settings.maxRedisDownMs ? `down for ${Math.round(downMs / 1000)} s (limit ${this.settings.maxRedisDownMs / 1000} s)` : `reconnecting for ${Math.round(downMs / 1000)} s`;
    }
    const ok = checks.eventLoop === 'ok' && !checks.redis.startsWith('down');
    return { ok, status: ok ? 'ok' : 'unhealthy', checks };
  }

  async readiness(): Promise<ProbeResult> {
    if (this.stopping) return { ok: false, status: 'stopping', checks: {} };
    const [postgres, redis] = await Promise.all([
      checkDependency(async () => {
        const connection = await this.parts.orm.checkConnection();
        if (!connection.ok) throw connection.error ?? new Error(connection.reason);
      }, CHECK_TIMEOUT_MS),
      checkDependency(() => this.parts.redis.ping(), CHECK_TIMEOUT_MS),
    ]);
    const ok = postgres === 'ok' && redis === 'ok';
    return { ok, status: ok ? 'ready' : 'unavailable', checks: { postgres, redis } };
  }
}
