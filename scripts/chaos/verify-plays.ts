/**
 * What "nothing lost" means, per user, against the emulator's ground truth.
 *
 * A counted play (longer than 30 s) p is retrievable from the moment Spotify is told of it (its end, or hours
 * later for a play made offline: `delivered_at`) until 50 counted plays with a newer `played_at` have been
 * told of. Let t be the end of the user's first successful poll at or after p was delivered (worker log lines,
 * `status: polled`). Then p is:
 * - `before_login` when t is the user's first poll and p had already left the 50-play window by then
 *   (history older than Playlog, which only the extended-history import can bring);
 * - `lost_to_window` when 50 newer plays ended before t: polling was down longer than the window;
 * - `expected` otherwise: Playlog must store it exactly once.
 * Plays that ended after the last poll are out of the run (the final clean cycle polls everyone after the
 * emulator's clock is frozen, so there are none for a healthy user).
 */
export interface TruthPlay {
  played_at: string;
  /** When recently-played first shows it; absent: at played_at. */
  delivered_at?: string;
  counted: boolean;
  track: { id: string | null };
}

export interface UserVerdict {
  spotifyUserId: string;
  expected: number;
  stored: number;
  missing: string[];
  duplicated: number;
  unexpected: string[];
  lostToWindow: number;
  beforeLogin: number;
}

export function classifyPlays(truth: TruthPlay[], pollEndsMs: number[]): { expected: Set<string>; lostToWindow: number; beforeLogin: number } {
  const counted = truth
    .filter((play) => play.counted && play.track.id)
    .map((play) => ({
      ms: Date.parse(play.played_at),
      deliveredMs: Date.parse(play.delivered_at ?? play.played_at),
      key: `${Date.parse(play.played_at)}|${play.track.id}`,
    }))
    .sort((a, b) => a.ms - b.ms);
  const polls = [...pollEndsMs].sort((a, b) => a - b);
  const expected = new Set<string>();
  let lostToWindow = 0;
  let beforeLogin = 0;
  for (let i = 0; i < counted.length; i++) {
    const play = counted[i]!;
    const pollIndex = polls.findIndex((end) => end >= play.deliveredMs);
    const t = polls[pollIndex];
    if (t === undefined) continue;
    let newer = 0;
    for (let j = i + 1; j < counted.length && newer < 50; j++) if (counted[j]!.deliveredMs <= t) newer++;
    if (newer >= 50) {
      if (pollIndex === 0) beforeLogin++;
      else lostToWindow++;
    } else {
      expected.add(play.key);
    }
  }
  return { expected, lostToWindow, beforeLogin };
}

/**
 * One user's verdict. `storedKeys` are the stored plays as `<played_at ms>|<track id>`: two rows at one
 * instant (or one row stored twice, which the primary key forbids) are duplicates.
 */
export function compare(spotifyUserId: string, classified: ReturnType<typeof classifyPlays>, storedKeys: string[], truthKeys: Set<string>): UserVerdict {
  const stored = { keys: storedKeys, total: storedKeys.length, distinctInstants: new Set(storedKeys.map((key) => key.split('|')[0])).size };
  const storedSet = new Set(stored.keys);
  return {
    spotifyUserId,
    expected: classified.expected.size,
    stored: stored.total,
    missing: [...classified.expected].filter((key) => !storedSet.has(key)),
    // Two rows for one instant (or one row stored twice) are duplicates; the primary key forbids the latter.
    duplicated: stored.total - stored.distinctInstants,
    // Stored but not a counted play of the ground truth at all (wrong instant or track): never acceptable.
    unexpected: stored.keys.filter((key) => !truthKeys.has(key)),
    lostToWindow: classified.lostToWindow,
    beforeLogin: classified.beforeLogin,
  };
}
