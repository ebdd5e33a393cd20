import type { PlaySource } from '../plays/data/listening-event.entity.js';

/**
 * The counting rule of statistics (docs/stats.md) for what TypeScript decides: which imported plays an
 * import reports as short. The rule's definition is the database's function playlog_counts_as_play
 * (data/schema/playlog_counts_as_play.sql), which every statistic applies; this mirrors it, and
 * test/shared/counted-play-boundary.test.ts checks that both, the rollups and the import agree at the boundary.
 */
export const COUNTED_PLAY_MIN_MS = 30_000;

/**
 * Whether a play counts: every polled play and every ListenBrainz listen (its player decided when to scrobble);
 * an imported one that lasted long enough (an unknown duration does not).
 */
export const countsAsPlay = (source: PlaySource, msPlayed: number | null): boolean =>
  source === 'poll' || source === 'listenbrainz' || (msPlayed !== null && msPlayed >= COUNTED_PLAY_MIN_MS);
