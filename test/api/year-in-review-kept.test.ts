import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { oraclePlayInput } from '../support/plays.js';
import { rebuildUserRollups } from '../../services/features/statistics/data/stats-rebuild.repository.js';
import { YEAR_REVIEWS_KEPT_PER_USER } from '../../services/features/statistics/data/year-reviews.repository.js';
import { yearInReviewOf, type OraclePlay } from '../support/stats-oracle.js';
import { startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

/**
 * The year in review is kept once computed and served while nothing it counts has changed (docs/stats.md, "The
 * year in review"). What must hold: every answer is what the plays say now (the oracle), through an import into
 * the year, a delete from it, an import into an earlier year (its new artists), a track gaining its credits, and
 * plays stored while a review is being computed; and a poll of today's plays leaves a finished year's review kept.
 */
let h: ApiHarness;
let user: LoggedIn;
const ZONE = 'Europe/Berlin';

beforeAll(async () => {
  h = await startApiHarness({ label: 'year_review_kept', env: { RATE_LIMIT_GRAPHQL: '0' } });
  user = await h.login(h.emulator.users()[0]!.id);
});
afterAll(async () => {
  await h?.stop();
});

const TRACKS = Array.from({ length: 8 }, (_, i) => ({
  trackId: `yearTrack${String(i).padStart(13, '0')}`,
  albumId: `yearAlbum${String(i % 3).padStart(13, '0')}`,
  artistIds: [`yearArtist${String(i % 5).padStart(12, '0')}`],
  durationMs: 150_000 + i * 1_000,
}));

const REVIEW = `query ($year: Int!, $timeZone: String) { yearInReview(year: $year, timeZone: $timeZone) {
  year timeZone
  summary { plays msPlayed distinctTracks distinctArtists distinctAlbums activeDays firstPlayedAt lastPlayedAt longestStreak { days from to } }
  topTracks { rank plays track { spotifyId } } topArtists { rank plays artist { spotifyId } } topAlbums { rank plays album { spotifyId } }
  busiestDay { date plays msPlayed } busiestHour { weekday hour plays msPlayed }
  newArtistCount topNewArtists { rank plays artist { spotifyId } }
  months { start plays msPlayed } } }`;


const play = (at: string, track: number, source: 'poll' | 'import'): OraclePlay => ({ playedAt: at, ...TRACKS[track]!, source, msPlayed: source === 'poll' ? null : 200_000 });
/** `count` plays from `start`, `stepHours` apart, cycling through tracks from `firstTrack`. */
const series = (start: string, count: number, stepHours: number, firstTrack: number, source: 'poll' | 'import') =>
  Array.from({ length: count }, (_, i) => play(new Date(Date.parse(start) + i * stepHours * 3_600_000).toISOString(), (firstTrack + i) % TRACKS.length, source));

async function store(plays: readonly OraclePlay[]): Promise<void> {
  for (const source of ['poll', 'import'] as const) {
    const inputs = plays.filter((p) => p.source === source).map(oraclePlayInput);
    if (inputs.length > 0) await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays: inputs, source });
  }
}

async function review(year: number): Promise<unknown> {
  const { yearInReview } = await h.client(user.token).request<{ yearInReview: { months: Array<{ start: string; plays: number; msPlayed: number }> } & Record<string, unknown> }>(REVIEW, { year, timeZone: ZONE });
  // Months by their local date, as the oracle names them.
  const date = (instant: string) => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
  return { ...yearInReview, months: yearInReview.months.map((month) => ({ date: date(month.start), plays: month.plays, msPlayed: month.msPlayed })) };
}

/** When the kept review of the year was computed, if one is kept. */
async function keptAt(year: number): Promise<Date | null> {
  const { rows } = await h.db.sql.query<{ computed_at: Date }>('select computed_at from year_reviews where user_id = $1 and year = $2 and time_zone = $3', [user.userId, year, ZONE]);
  return rows[0]?.computed_at ?? null;
}

describe('a kept year in review', () => {
  it('is served while nothing it counts changed, and answers what the plays say after an import into the year, a delete from it and an import before it', async () => {
    let plays = [...series('2023-11-01T10:00:00Z', 2, 30, 0, 'poll'), ...series('2024-01-01T05:00:00Z', 60, 100, 2, 'poll'), ...series('2026-01-10T08:00:00Z', 10, 24, 1, 'poll')];
    await store(plays);
    expect(await review(2024)).toEqual(yearInReviewOf(plays, 2024, ZONE));
    const first = await keptAt(2024);
    expect(first).not.toBeNull();

    // Asked again, and after a poll of today's plays: the kept review answers.
    expect(await review(2024)).toEqual(yearInReviewOf(plays, 2024, ZONE));
    const today = series('2026-12-01T08:00:00Z', 3, 1, 5, 'poll');
    await store(today);
    plays = [...plays, ...today];
    expect(await review(2024)).toEqual(yearInReviewOf(plays, 2024, ZONE));
    expect(await keptAt(2024)).toEqual(first);

    // An import into the year: a new top track, artist and album (track 7 alone is artist 2's second track).
    const imported = series('2024-07-01T10:00:00Z', 30, 1, 7, 'import').map((p) => ({ ...p, ...TRACKS[7]! }));
    await store(imported);
    plays = [...plays, ...imported];
    const afterImport = yearInReviewOf(plays, 2024, ZONE);
    expect(afterImport.topTracks[0]!.track).toEqual({ spotifyId: TRACKS[7]!.trackId });
    expect(await review(2024)).toEqual(afterImport);

    // A delete from the year: the imported plays of one day go.
    const { rowCount } = await h.db.sql.query(`delete from listening_events where user_id = $1 and played_at >= '2024-07-01T10:00:00Z' and played_at < '2024-07-01T20:00:00Z'`, [user.userId]);
    expect(rowCount).toBe(10);
    plays = plays.filter((p) => !(p.playedAt >= '2024-07-01T10:00:00.000Z' && p.playedAt < '2024-07-01T20:00:00.000Z'));
    expect(await review(2024)).toEqual(yearInReviewOf(plays, 2024, ZONE));

    // An import into an earlier year: the artists it holds are no longer new in 2024.
    const before = yearInReviewOf(plays, 2024, ZONE).newArtistCount;
    const earlier = series('2022-05-01T10:00:00Z', 8, 5, 0, 'import');
    await store(earlier);
    plays = [...plays, ...earlier];
    const afterEarlier = yearInReviewOf(plays, 2024, ZONE);
    expect(afterEarlier.newArtistCount).toBeLessThan(before);
    expect(await review(2024)).toEqual(afterEarlier);
  });

  it('counts a track for the artists it is credited with later (a track first known by its id alone)', async () => {
    await h.db.sql.query('delete from listening_events where user_id = $1', [user.userId]);
    // Known by id alone, as an import keeps a track Spotify did not return: no album, no artist, no duration.
    const lost = { trackId: 'yearLostTrack000000001', albumId: null, artistIds: [] as string[], durationMs: 0 };
    const imported = Array.from({ length: 4 }, (_, i): OraclePlay => ({ playedAt: `2024-03-0${i + 1}T12:00:00.000Z`, ...lost, source: 'import', msPlayed: 200_000 }));
    await store(imported);
    let plays: OraclePlay[] = imported;
    expect(await review(2024)).toEqual(yearInReviewOf(plays, 2024, ZONE));

    // Spotify returns it again, now with its artist: the catalogue keeps the track's row and gains its credit.
    const credited = { ...lost, artistIds: ['yearFoundArtist0000001'] };
    const polled: OraclePlay = { playedAt: '2026-06-01T12:00:00.000Z', ...credited, source: 'poll', msPlayed: null };
    await store([polled]);
    plays = [...imported.map((p) => ({ ...p, ...credited })), polled];
    const expected = yearInReviewOf(plays, 2024, ZONE);
    expect(expected.topArtists).toEqual([{ rank: 1, plays: 4, artist: { spotifyId: 'yearFoundArtist0000001' } }]);
    expect(await review(2024)).toEqual(expected);
  });

  it('counts a track for the artist a streaming history names after its plays were stored', async () => {
    await h.db.sql.query('delete from listening_events where user_id = $1', [user.userId]);
    const lost = { trackId: 'yearNamedTrack00000001', albumId: null, artistIds: [] as string[], durationMs: 0 };
    await store(Array.from({ length: 3 }, (_, i): OraclePlay => ({ playedAt: `2024-04-0${i + 1}T12:00:00.000Z`, ...lost, source: 'import', msPlayed: 200_000 })));
    const TOP = 'query { yearInReview(year: 2024, timeZone: "Europe/Berlin") { topArtists { plays artist { spotifyId name } } } }';
    const ask = async () => (await h.client(user.token).request<{ yearInReview: { topArtists: unknown[] } }>(TOP)).yearInReview.topArtists;
    expect(await ask()).toEqual([]);
    await h.db.sql.query('insert into export_track_names (user_id, track_id, track_name, artist_name, album_name) values ($1, $2, $3, $4, $5)', [user.userId, lost.trackId, 'A Song', 'A Named Artist', 'An Album']);
    expect(await ask()).toEqual([{ plays: 3, artist: { spotifyId: null, name: 'A Named Artist' } }]);
  });

  it('is computed again after stats:rebuild, which may change the rollups a review reads without a play changing', async () => {
    await h.db.sql.query('delete from listening_events where user_id = $1', [user.userId]);
    const plays = series('2024-05-01T10:00:00Z', 20, 7, 0, 'poll');
    await store(plays);
    expect(await review(2024)).toEqual(yearInReviewOf(plays, 2024, ZONE));
    const before = await keptAt(2024);
    expect(await review(2024)).toEqual(yearInReviewOf(plays, 2024, ZONE));
    expect(await keptAt(2024)).toEqual(before);
    expect(await rebuildUserRollups(h.db.orm.em, user.userId)).toBe(true);
    expect(await review(2024)).toEqual(yearInReviewOf(plays, 2024, ZONE));
    expect((await keptAt(2024))!.getTime()).toBeGreaterThan(before!.getTime());
  });

  it('is never kept from plays that changed while it was computed', async () => {
    await h.db.sql.query('delete from listening_events where user_id = $1', [user.userId]);
    let plays = series('2024-02-01T10:00:00Z', 200, 20, 0, 'poll');
    await store(plays);
    for (let round = 0; round < 16; round++) {
      const added = series(`2024-0${3 + (round % 6)}-1${round % 10}T0${round % 10}:30:00Z`, 3, 1, round, 'import');
      plays = [...plays, ...added];
      await h.db.sql.query('delete from year_reviews where user_id = $1', [user.userId]);
      // The import commits at another moment of the review's computation in each round: what is kept must be the plays' review after both.
      await Promise.all([review(2024), new Promise((resolve) => setTimeout(resolve, round * 4)).then(() => store(added))]);
      expect(await review(2024), `round ${round}`).toEqual(yearInReviewOf(plays, 2024, ZONE));
    }
  });

  it(`keeps at most ${YEAR_REVIEWS_KEPT_PER_USER} reviews of a listener, the most recently computed`, async () => {
    for (let year = 1950; year < 1950 + YEAR_REVIEWS_KEPT_PER_USER + 6; year++) await review(year);
    const { rows } = await h.db.sql.query<{ year: number }>('select year from year_reviews where user_id = $1 order by year', [user.userId]);
    expect(rows.length).toBe(YEAR_REVIEWS_KEPT_PER_USER);
    expect(rows[0]!.year).toBe(1956);
  });
});
