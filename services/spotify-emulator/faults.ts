import { z } from 'zod';
import type { EmulatorClock } from './clock.js';
import { Rng } from './prng.js';

const rate = z.number().min(0).max(1);
const ms = z.number().int().min(0);

/** Fault knobs; every one can be set at start (env / options) and changed at run time (`PUT /admin/faults`). */
export const faultSettingsSchema = z.object({
  /** Requests one client may make per rolling window; 0 turns the rolling limit off. */
  rateLimitPerWindow: z.number().int().min(0),
  rateLimitWindowMs: z.number().int().min(1),
  /** Requests one client may make per UTC day (emulator clock); 0 turns the quota off. */
  dailyQuota: z.number().int().min(0),
  /** Fraction of requests answered with one of `errorStatuses`. */
  errorRate: rate,
  errorStatuses: z.array(z.union([z.literal(500), z.literal(502), z.literal(503)])).min(1),
  latencyMs: ms,
  latencyJitterMs: ms,
  /** Fraction of requests whose connection is destroyed without an answer. */
  resetRate: rate,
  /** Fraction of requests never answered (the client has to give up). */
  timeoutRate: rate,
  /** Fraction of answers whose JSON body is cut short. */
  malformedRate: rate,
  /** Which endpoints the random faults above hit: the Web API and/or the token endpoint. */
  targets: z.array(z.enum(['api', 'token'])).min(1),
});

export type FaultSettings = z.infer<typeof faultSettingsSchema>;
export type FaultTarget = FaultSettings['targets'][number];

export const DEFAULT_FAULTS: FaultSettings = {
  rateLimitPerWindow: 0,
  rateLimitWindowMs: 30_000,
  dailyQuota: 0,
  errorRate: 0,
  errorStatuses: [500, 502, 503],
  latencyMs: 0,
  latencyJitterMs: 0,
  resetRate: 0,
  timeoutRate: 0,
  malformedRate: 0,
  targets: ['api'],
};

/** A fault queued for the next request(s) of a target, for tests that need one exact failure. */
export const scriptedFaultSchema = z.object({
  kind: z.enum(['reset', 'timeout', 'malformed', '500', '502', '503', 'rate_limited', 'quota_exceeded']),
  target: z.enum(['api', 'token']).default('api'),
  /** Retry-After of a scripted rate_limited answer. */
  retryAfterSeconds: z.number().int().min(0).default(1),
});
export type ScriptedFault = z.infer<typeof scriptedFaultSchema>;

export type InfrastructureFault = { kind: 'reset' } | { kind: 'timeout' } | { kind: 'malformed' } | { kind: 'status'; status: 500 | 502 | 503 };
export type LimitFault = { kind: 'rate_limited' | 'quota_exceeded'; retryAfterSeconds: number };

const DAY_MS = 86_400_000;

/**
 * Decides, request by request, which fault (if any) to inject. Random decisions come from a seeded
 * generator, so a sequential run is reproducible; the rate limit and quota follow the emulator clock.
 */
export class FaultInjector {
  private current: FaultSettings;
  private readonly queue: ScriptedFault[] = [];
  private readonly windows = new Map<string, number[]>();
  private readonly days = new Map<string, { day: number; count: number }>();
  private readonly rng: Rng;

  constructor(
    private readonly initial: FaultSettings,
    private readonly clock: EmulatorClock,
    seed: string,
  ) {
    this.current = structuredClone(initial);
    this.rng = new Rng(seed, 'faults');
  }

  get settings(): FaultSettings {
    return structuredClone(this.current);
  }

  /** Merges a partial change; throws a ZodError naming bad fields. */
  update(change: Partial<FaultSettings>): FaultSettings {
    this.current = faultSettingsSchema.parse({ ...this.current, ...change });
    return this.settings;
  }

  /** Back to the start-up settings, with empty queue, windows and quota counters. */
  reset(): FaultSettings {
    this.current = structuredClone(this.initial);
    this.queue.length = 0;
    this.windows.clear();
    this.days.clear();
    return this.settings;
  }

  enqueue(...faults: Array<z.input<typeof scriptedFaultSchema>>): ScriptedFault[] {
    const parsed = faults.map((fault) => scriptedFaultSchema.parse(fault));
    if (parsed.some((fault) => fault.target === 'token' && (fault.kind === 'rate_limited' || fault.kind === 'quota_exceeded'))) {
      throw new RangeError('rate_limited and quota_exceeded apply to the Web API only (target "api")');
    }
    this.queue.push(...parsed);
    return this.queued();
  }

  queued(): ScriptedFault[] {
    return structuredClone(this.queue);
  }

  clearQueue(): void {
    this.queue.length = 0;
  }

  /** Latency to add before answering a request of this target. */
  latencyFor(target: FaultTarget): number {
    const { latencyMs, latencyJitterMs, targets } = this.current;
    if (!targets.includes(target)) return 0;
    return latencyMs + (latencyJitterMs > 0 ? this.rng.int(0, latencyJitterMs) : 0);
  }

  /** A queued fault for this target, if any (consumed). */
  takeScripted(target: FaultTarget): ScriptedFault | undefined {
    const index = this.queue.findIndex((fault) => fault.target === target);
    return index === -1 ? undefined : this.queue.splice(index, 1)[0];
  }

  /** A random infrastructure failure, drawn from the configured rates. */
  drawInfrastructureFault(target: FaultTarget): InfrastructureFault | null {
    const { targets, resetRate, timeoutRate, errorRate, errorStatuses, malformedRate } = this.current;
    if (!targets.includes(target)) return null;
    if (resetRate > 0 && this.rng.chance(resetRate)) return { kind: 'reset' };
    if (timeoutRate > 0 && this.rng.chance(timeoutRate)) return { kind: 'timeout' };
    if (errorRate > 0 && this.rng.chance(errorRate)) return { kind: 'status', status: this.rng.pick(errorStatuses) };
    if (malformedRate > 0 && this.rng.chance(malformedRate)) return { kind: 'malformed' };
    return null;
  }

  /**
   * Admits one Web API request of a client or says why not. The daily quota is checked first (an
   * exhausted quota is not cured by waiting 30 s); only admitted requests use up window and quota.
   */
  admit(clientId: string): LimitFault | null {
    const now = this.clock.now();
    const { dailyQuota, rateLimitPerWindow, rateLimitWindowMs } = this.current;
    const day = Math.floor(now / DAY_MS);
    let usage = this.days.get(clientId);
    if (!usage || usage.day !== day) {
      usage = { day, count: 0 };
      this.days.set(clientId, usage);
    }
    if (dailyQuota > 0 && usage.count >= dailyQuota) {
      return { kind: 'quota_exceeded', retryAfterSeconds: Math.max(1, Math.ceil(((day + 1) * DAY_MS - now) / 1000)) };
    }
    const window = (this.windows.get(clientId) ?? []).filter((at) => at > now - rateLimitWindowMs && at <= now);
    this.windows.set(clientId, window);
    if (rateLimitPerWindow > 0 && window.length >= rateLimitPerWindow) {
      const oldest = window[0]!;
      return { kind: 'rate_limited', retryAfterSeconds: Math.max(1, Math.ceil((oldest + rateLimitWindowMs - now) / 1000)) };
    }
    window.push(now);
    usage.count++;
    return null;
  }
}
