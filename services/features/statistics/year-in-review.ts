import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { timestamp } from '../../shared/db/statements/statement.js';
import { loadNewArtists, loadRanking, type Ranked } from './data/stats-rankings.repository.js';
import { loadActivity, loadClock, loadSummary, localYear, type ActivityPoint, type ClockCell, type Summary } from './data/stats.repository.js';
import { cachedYearReview, storeYearReview, type YearReviewKey } from './data/year-reviews.repository.js';

const TOP = 5;

/** A local calendar year of one listener's counted plays: its figures and the ids of its items (names are the reader's). */
export interface YearFigures {
  summary: Summary;
  topTracks: Ranked[];
  topArtists: Ranked[];
  topAlbums: Ranked[];
  /** The local day with the most counted plays (the earliest of several), by its first instant. */
  busiestDay: ActivityPoint | null;
  /** The hour of the week with the most counted plays (the earliest of several). */
  busiestHour: ClockCell | null;
  newArtistCount: number;
  topNewArtists: Ranked[];
  months: ActivityPoint[];
}

/**
 * A year in review (docs/stats.md, "The year in review"): the one kept for the listener, year and zone while it is
 * current, else computed from the plays and kept. A computed review is kept with the version read *before* it was
 * computed: every statement of the computation saw at least that version's plays, and if anything it counts
 * changed while it ran (in any of its statements' snapshots or after), the year's version has moved past the one
 * kept with it, so it is never served. Kept with a version read after computing, a change committed in between
 * would be served as missing for as long as nothing else changed.
 */
export async function yearFigures(em: EntityManager, key: YearReviewKey): Promise<YearFigures> {
  const cached = await cachedYearReview(em, key);
  const kept = cached.review === null ? null : keptFigures.safeParse(cached.review);
  if (kept?.success) return kept.data;
  const figures = await computeYearFigures(em, key);
  await storeYearReview(em, key, cached.version, figures);
  return figures;
}

/** The year's figures recounted: its summary, three rankings and new artists from its plays, its days, clock and months. */
export async function computeYearFigures(em: EntityManager, key: YearReviewKey): Promise<YearFigures> {
  const { userId, timeZone } = key;
  const { from, to } = await localYear(em, key.year, timeZone);
  const scope = { userId, timeZone, from, to };
  const last = new Date(to.getTime() - 1);
  const summary = await loadSummary(em, scope);
  const ranking = async (kind: 'track' | 'album' | 'artist') => (await loadRanking(em, { userId, from, to, kind, order: 'plays', size: TOP })).items;
  const [topTracks, topArtists, topAlbums] = [await ranking('track'), await ranking('artist'), await ranking('album')];
  const newArtists = await loadNewArtists(em, { userId, from, to, size: TOP });
  const days = await loadActivity(em, scope, 'day', from, last);
  const clock = await loadClock(em, scope);
  const months = await loadActivity(em, scope, 'month', from, last);
  return {
    summary,
    topTracks,
    topArtists,
    topAlbums,
    busiestDay: days.reduce<ActivityPoint | null>((best, day) => (day.plays > 0 && (!best || day.plays > best.plays) ? day : best), null),
    busiestHour: clock.reduce<ClockCell | null>((best, cell) => (cell.plays > 0 && (!best || cell.plays > best.plays) ? cell : best), null),
    newArtistCount: newArtists.total,
    topNewArtists: newArtists.items,
    months,
  };
}

/** YearFigures as kept in JSON (instants as ISO strings); a review kept in another shape is computed again. */
const count = z.number().int().nonnegative();
const point = z.object({ start: timestamp, plays: count, msPlayed: count });
const ranked = z.object({ id: z.string(), rank: count, plays: count, ms: count, firstPlayedAt: timestamp, lastPlayedAt: timestamp });
const keptFigures = z.object({
  summary: z.object({
    plays: count,
    msPlayed: count,
    distinctTracks: count,
    distinctArtists: count,
    distinctAlbums: count,
    activeDays: count,
    firstPlayedAt: timestamp.nullable(),
    lastPlayedAt: timestamp.nullable(),
    longestStreak: z.object({ days: count, from: z.string(), to: z.string() }).nullable(),
  }),
  topTracks: z.array(ranked),
  topArtists: z.array(ranked),
  topAlbums: z.array(ranked),
  busiestDay: point.nullable(),
  busiestHour: z.object({ weekday: count, hour: count, plays: count, msPlayed: count }).nullable(),
  newArtistCount: count,
  topNewArtists: z.array(ranked),
  months: z.array(point),
});
