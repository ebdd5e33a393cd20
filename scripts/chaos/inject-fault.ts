import { readFileSync } from 'node:fs';
import type { FaultKind } from './fault-plan.js';
import { send, sleep } from './http.js';
import { SCHEDULER_LOOP_SECONDS, type ChaosStack } from './stack.js';

const NO_FAULTS = { errorRate: 0, latencyMs: 0, latencyJitterMs: 0, resetRate: 0, timeoutRate: 0, malformedRate: 0, targets: ['api'] };

/**
 * Injects the faults of a chaos run, one kind at a time, into the processes, the databases and the
 * emulator. Timed emulator faults (errors, latency, resets) are overlays merged over a clean state and
 * removed when their time is up. Returns a description of what was done, for the run's log.
 */
export class FaultInjector {
  /** The listener whose refresh token was revoked (at most one per run): they must end up reauth_required. */
  revoked: string | undefined;
  private readonly overlays = new Set<Record<string, unknown>>();

  constructor(
    private readonly stack: ChaosStack,
    private readonly users: string[],
    private readonly random: () => number,
  ) {}

  async inject(kind: FaultKind): Promise<string> {
    const { stack } = this;
    const emulator = stack.emulatorUrl;
    switch (kind) {
      case 'worker_sigkill':
      case 'worker_sigterm': {
        const [role, entry] = this.pick(stack.liveWorkers());
        stack.kill(entry.live, kind === 'worker_sigkill' ? 'SIGKILL' : 'SIGTERM');
        // SIGKILL: a crash, replaced a moment later; SIGTERM: a rolling deploy, the new one starts at once.
        if (kind === 'worker_sigkill') await sleep(1_000);
        stack.startRole(role, entry.command);
        return entry.live.name;
      }
      case 'scheduler_sigkill': {
        const entry = stack.role('scheduler')!;
        const delay = msUntilNextSchedulerRun(entry.live.logFile);
        if (delay !== undefined && delay < 15_000) await sleep(delay);
        stack.kill(entry.live, 'SIGKILL');
        await sleep(500);
        stack.startRole('scheduler', entry.command);
        return delay !== undefined ? 'aimed at the middle of a run' : 'at a random moment';
      }
      case 'redis_restart_persistent':
        await stack.redis.restart('persistent', 2_000);
        return 'SIGTERM, down 2 s, append-only file kept';
      case 'redis_restart_wiped':
        await stack.redis.restart('wiped', 1_000);
        return 'SIGKILL, down 1 s, data deleted';
      case 'postgres_restart_fast':
        await stack.postgres.restart('fast', 2_000);
        return 'fast shutdown, down 2 s';
      case 'postgres_restart_immediate':
        await stack.postgres.restart('immediate', 1_000);
        return 'immediate (crash) shutdown, down 1 s';
      case 'spotify_429_burst': {
        const count = 10 + Math.floor(this.random() * 30);
        const retryAfterSeconds = 1 + Math.floor(this.random() * 3);
        await send('POST', `${emulator}/admin/faults/queue`, { faults: Array.from({ length: count }, () => ({ kind: 'rate_limited', retryAfterSeconds })) });
        return `${count} × 429, Retry-After ${retryAfterSeconds} s`;
      }
      case 'spotify_5xx':
        await this.overlay({ errorRate: 0.3, targets: ['api', 'token'] }, 8_000);
        return '30 % 500/502/503 for 8 s (Web API and token endpoint)';
      case 'spotify_slow':
        await this.overlay({ latencyMs: 800, latencyJitterMs: 2_500 }, 8_000);
        return '0.8–3.3 s latency for 8 s (timeout 3 s)';
      case 'spotify_resets':
        await this.overlay({ resetRate: 0.1, timeoutRate: 0.03, malformedRate: 0.05 }, 8_000);
        return '10 % resets, 3 % no answer, 5 % cut-short bodies for 8 s';
      case 'token_expiry': {
        const victims = Array.from({ length: 5 }, () => this.pick(this.users)).filter((id) => id !== this.revoked);
        for (const id of victims) await send('POST', `${emulator}/admin/users/${id}/expire-access-tokens`, {});
        return `access tokens of ${victims.length} users expired early`;
      }
      case 'refresh_token_revoked': {
        this.revoked = this.pick(this.users);
        await send('POST', `${emulator}/admin/users/${this.revoked}/revoke-refresh-tokens`, {});
        return `user ${this.revoked}`;
      }
    }
  }

  /** Every fault off: the emulator back to clean, twice (a timed overlay may end in between). */
  async clear(): Promise<void> {
    this.overlays.clear();
    await send('POST', `${this.stack.emulatorUrl}/admin/faults/reset`, {});
    // Let the last overlay timers and Retry-After pauses run out.
    await sleep(9_000);
    await send('POST', `${this.stack.emulatorUrl}/admin/faults/reset`, {});
  }

  private async overlay(settings: Record<string, unknown>, forMs: number): Promise<void> {
    this.overlays.add(settings);
    await this.applyOverlays();
    setTimeout(() => {
      this.overlays.delete(settings);
      void this.applyOverlays().catch(() => undefined);
    }, forMs);
  }

  private async applyOverlays(): Promise<void> {
    const merged: Record<string, unknown> = { ...NO_FAULTS };
    for (const overlay of this.overlays) Object.assign(merged, overlay);
    await send('PUT', `${this.stack.emulatorUrl}/admin/faults`, merged);
  }

  private pick<T>(items: T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
}

/** From the scheduler's last summary line: when its next run should be half done (it sleeps between runs). */
function msUntilNextSchedulerRun(logFile: string): number | undefined {
  try {
    const last = readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes('scheduler run:')).at(-1);
    if (!last) return undefined;
    const { time, durationMs } = JSON.parse(last) as { time: string; durationMs: number };
    const target = Date.parse(time) + SCHEDULER_LOOP_SECONDS * 1000 + durationMs / 2;
    return Math.max(0, target - Date.now());
  } catch {
    return undefined;
  }
}
