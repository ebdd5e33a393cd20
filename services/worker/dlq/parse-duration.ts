const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `30m`, `12h`, `7d`, `2w`, `500ms` → milliseconds; null when it is not one of those. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * UNITS[match[2]!]!;
}
