/** The faults of a chaos run, drawn in advance from a seed, so a run can be replayed with `--seed`. */

export const FAULT_KINDS = [
  'worker_sigkill',
  'worker_sigterm',
  'scheduler_sigkill',
  'redis_restart_persistent',
  'redis_restart_wiped',
  'postgres_restart_fast',
  'postgres_restart_immediate',
  'spotify_429_burst',
  'spotify_5xx',
  'spotify_slow',
  'spotify_resets',
  'token_expiry',
  'refresh_token_revoked',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  atMs: number;
  kind: FaultKind;
}

/** mulberry32: small, seeded, good enough to pick moments and victims. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Every kind at least once (the one revocation exactly once), then more at random, about one fault every
 * `meanGapMs`, at random moments of [0, durationMs - quietTailMs]. Infrastructure restarts are kept apart
 * by `minInfraGapMs` so each outage is one outage, as an operator would see it.
 */
export function planFaults(random: () => number, durationMs: number, meanGapMs = 6_000): PlannedFault[] {
  const usable = Math.max(10_000, durationMs - 5_000);
  const extra = Math.max(0, Math.round(usable / meanGapMs) - FAULT_KINDS.length);
  const repeatable = FAULT_KINDS.filter((kind) => kind !== 'refresh_token_revoked');
  const kinds: FaultKind[] = [...FAULT_KINDS];
  for (let i = 0; i < extra; i++) kinds.push(repeatable[Math.floor(random() * repeatable.length)]!);
  const plan = kinds.map((kind) => ({ kind, atMs: Math.round(random() * usable) }));
  plan.sort((a, b) => a.atMs - b.atMs);
  const isInfra = (kind: FaultKind) => kind.startsWith('redis_') || kind.startsWith('postgres_');
  const minInfraGapMs = Math.min(8_000, usable / 12);
  let lastInfra = -Infinity;
  for (const fault of plan) {
    if (!isInfra(fault.kind)) continue;
    if (fault.atMs - lastInfra < minInfraGapMs) fault.atMs = Math.round(lastInfra + minInfraGapMs);
    lastInfra = fault.atMs;
  }
  plan.sort((a, b) => a.atMs - b.atMs);
  return plan;
}
