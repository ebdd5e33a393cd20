import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUserTimeZone } from '../../services/features/statistics/data/stats-zone.repository.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { oraclePlayInput } from '../support/plays.js';
import { activityOf, clockOf, localDate, rankingOf, summaryOf, yearInReviewOf, type OraclePlay } from '../support/stats-oracle.js';
import { errorCodes, startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

/** Zones with daylight saving time (one whose spring-forward skips midnight), and offsets of 30 and 45 minutes. */
const ZONES = ['UTC', 'Europe/Berlin', 'America/Santiago', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Eucla', 'Pacific/Chatham'] as const;
/** Instants near which local days and hours are easy to get wrong: DST changes in 2026 and local midnights. */
const ANCHORS = [
  '2026-03-29T01:00:00Z', // Europe/Berlin springs forward
  '2026-10-25T01:00:00Z', // Europe/Berlin falls back
  '2026-03-08T07:00:00Z', // America/New_York springs forward
  '2026-11-01T06:00:00Z', // America/New_York falls back
  '2026-04-05T03:00:00Z', // America/Santiago falls back
  '2026-09-06T04:00:00Z', // America/Santiago springs forward: local midnight does not exist
  '2026-06-30T18:30:00Z', // midnight in Asia/Kolkata
  '2026-06-30T18:15:00Z', // midnight in Asia/Kathmandu
  '2026-06-30T15:15:00Z', // midnight in Australia/Eucla
  '2026-12-31T23:59:59Z',
].map(Date.parse);

let h: ApiHarness;
let user: LoggedIn;
beforeAll(async () => {
  // Each check asks in two ways, hundreds of queries a minute: more than a listener's rate limit allows.
  h = await startApiHarness({ label: 'api_stats', env: { RATE_LIMIT_GRAPHQL: '0' } });
  user = await h.login(h.emulator.users()[0]!.id);
});
afterAll(async () => {
  await h?.stop();
});

const TRACKS = Array.from({ length: 8 }, (_, i) => ({
  trackId: `statsTrack${String(i).padStart(12, '0')}`,
  albumId: `statsAlbum${String(i % 3).padStart(12, '0')}`,
  artistIds: [`statsArtist${String(i % 4).padStart(11, '0')}`, ...(i % 2 ? [`statsGuest${String(i).padStart(12, '0')}`] : [])],
  durationMs: 120_000 + i * 1_000,
}));


/** Stores the plays in the given batches, each split by source, as polls and imports would. */
async function store(batches: OraclePlay[][]): Promise<void> {
  await h.db.sql.query('delete from listening_events where user_id = $1', [user.userId]);
  for (const batch of batches) {
    for (const source of ['poll', 'import'] as const) {
      const plays = batch.filter((play) => play.source === source).map(oraclePlayInput);
      if (plays.length > 0) await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays, source });
    }
  }
}

const SUMMARY = `query ($range: StatsRange, $timeZone: String) { listeningSummary(range: $range, timeZone: $timeZone) {
  plays msPlayed distinctTracks distinctArtists distinctAlbums activeDays firstPlayedAt lastPlayedAt longestStreak { days from to } } }`;
const ACTIVITY = 'query ($range: StatsRange!, $bucket: ActivityBucket!, $timeZone: String) { listeningActivity(range: $range, bucket: $bucket, timeZone: $timeZone) { start plays msPlayed } }';
const CLOCK = 'query ($range: StatsRange, $timeZone: String) { listeningClock(range: $range, timeZone: $timeZone) { weekday hour plays msPlayed } }';
const ask = <T>(query: string, variables: Record<string, unknown>) => h.client(user.token).request<T>(query, variables);
type Point = { start: string; plays: number; msPlayed: number };

/** Another zone than this one, for the listener's own while a query asks for this one. */
const otherZone = (zone: string) => (zone === 'UTC' ? 'Asia/Kathmandu' : 'UTC');

/**
 * Asks in `timeZone` both ways: as the listener's own zone (me.timeZone set to it, no argument: the local
 * rollups, recomputed when the zone changes) and as an argument while their own zone is another (the
 * quarter hours).
 */
async function eachWay(timeZone: string, check: (variables: { timeZone?: string }, way: string) => Promise<void>): Promise<void> {
  await setUserTimeZone(h.db.orm.em.fork(), user.userId, timeZone);
  await check({}, `me.timeZone ${timeZone}`);
  await setUserTimeZone(h.db.orm.em.fork(), user.userId, otherZone(timeZone));
  await check({ timeZone }, `timeZone: ${timeZone}`);
}

/** What the API answers for these plays in this zone, against the oracle: summary, activity by day, week and month, clock. */
async function expectStatsOf(plays: OraclePlay[], timeZone: string, range: { from?: string; to?: string } = {}) {
  const inRange = plays.filter((play) => (range.from === undefined || play.playedAt >= range.from) && (range.to === undefined || play.playedAt < range.to));
  await eachWay(timeZone, async (zone, way) => {
    const { listeningSummary } = await ask<{ listeningSummary: unknown }>(SUMMARY, { range, ...zone });
    expect(listeningSummary, way).toEqual(summaryOf(inRange, timeZone));
    const { listeningClock } = await ask<{ listeningClock: unknown }>(CLOCK, { range, ...zone });
    expect(listeningClock, way).toEqual(clockOf(inRange, timeZone));
  });

  for (const kind of ['track', 'album', 'artist'] as const) {
    for (const orderBy of ['PLAYS', 'TIME'] as const) {
      const ranked = await walkRanking(kind, orderBy, range);
      expect(ranked, `${kind} by ${orderBy}`).toEqual(rankingOf(inRange, kind, orderBy === 'PLAYS' ? 'plays' : 'time'));
    }
  }

  const counted = inRange.filter((play) => play.source === 'poll' || (play.msPlayed ?? 0) >= 30_000).map((play) => Date.parse(play.playedAt));
  if (counted.length === 0) return;
  const first = range.from ? Date.parse(range.from) : Math.min(...counted);
  const last = range.to ? Date.parse(range.to) - 1 : Date.now();
  await eachWay(timeZone, async (zone, way) => {
    for (const bucket of ['DAY', 'WEEK', 'MONTH', 'YEAR'] as const) {
      if (bucket === 'DAY' && last - first > 400 * 86_400_000) continue;
      const { listeningActivity } = await ask<{ listeningActivity: Point[] }>(ACTIVITY, { range, bucket, ...zone });
      // Buckets run from the first play to now: none when every play is later than now (the anchors reach into next year).
      const expected = last < first ? [] : activityOf(inRange, timeZone, bucket.toLowerCase() as 'day', first, last);
      expect(listeningActivity.map((point) => ({ date: localDate(Date.parse(point.start), timeZone), plays: point.plays, msPlayed: point.msPlayed })), `${bucket}, ${way}`).toEqual(expected);
      // Each start is the first instant of its local day: a moment before it is the day before.
      for (const point of listeningActivity) expect(localDate(Date.parse(point.start) - 1, timeZone) < localDate(Date.parse(point.start), timeZone), point.start).toBe(true);
    }
  });
}

type RankingPage = {
  totalCount: number;
  edges: Array<{ cursor: string; node: { rank: number; plays: number; msPlayed: number; firstPlayedAt: string; lastPlayedAt: string } & Record<string, { spotifyId: string }> }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
};

/** Every page of a ranking, three items at a time, as the oracle's rows. */
async function walkRanking(kind: 'track' | 'album' | 'artist', orderBy: 'PLAYS' | 'TIME', range: { from?: string; to?: string }) {
  const field = `top${kind[0]!.toUpperCase()}${kind.slice(1)}s`;
  const query = `query ($range: StatsRange, $orderBy: RankOrder, $after: String) { ${field}(range: $range, orderBy: $orderBy, first: 3, after: $after) {
    totalCount edges { cursor node { rank plays msPlayed firstPlayedAt lastPlayedAt ${kind} { spotifyId } } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
  const rows: unknown[] = [];
  let after: string | null = null;
  for (let pages = 0; ; pages++) {
    const page: RankingPage = (await ask<Record<string, RankingPage>>(query, { range, orderBy, after }))[field]!;
    expect(page.pageInfo.hasPreviousPage).toBe(pages > 0 && page.edges.length > 0);
    for (const { node } of page.edges) {
      rows.push({ rank: node.rank, id: node[kind]!.spotifyId, plays: node.plays, msPlayed: node.msPlayed, firstPlayedAt: node.firstPlayedAt, lastPlayedAt: node.lastPlayedAt });
    }
    expect(page.totalCount).toBeGreaterThanOrEqual(rows.length);
    if (!page.pageInfo.hasNextPage) {
      expect(page.totalCount).toBe(rows.length);
      return rows;
    }
    after = page.pageInfo.endCursor;
  }
}

const play = (instant: number, track: number, source: 'poll' | 'import', msPlayed: number | null = null): OraclePlay => ({
  playedAt: new Date(instant).toISOString(),
  ...TRACKS[track]!,
  source,
  msPlayed: source === 'poll' ? null : msPlayed,
});

describe('statistics, recounted in the listener’s time zone', () => {
  it('counts plays around DST changes, skipped midnights and half- and quarter-hour offsets exactly as the oracle', async () => {
    const plays = ANCHORS.flatMap((anchor, i) => [
      play(anchor - 1_000, i % 8, 'poll'),
      play(anchor, (i + 1) % 8, 'import', 200_000),
      play(anchor + 60_000, (i + 2) % 8, 'import', 29_999), // too short: kept, never counted
      play(anchor + 3_600_000, (i + 3) % 8, 'poll'),
    ]);
    await store([plays.slice(0, 17), plays.slice(17)]);
    for (const zone of ZONES) await expectStatsOf(plays, zone);
    await expectStatsOf(plays, 'Asia/Kathmandu', { from: '2026-06-30T18:00:00Z', to: '2026-11-01T06:30:00Z' });
  });

  it('answers random histories, stored in random batches with duplicates, in random zones and ranges, as the oracle (property)', async () => {
    const base = Date.parse('2025-12-20T00:00:00Z');
    const instant = fc.oneof(
      fc.constantFrom(...ANCHORS).chain((anchor) => fc.integer({ min: -7_200, max: 7_200 }).map((seconds) => anchor + seconds * 1_000)),
      fc.integer({ min: 0, max: 420 * 86_400 }).map((seconds) => base + seconds * 1_000),
    );
    const arbitraryPlay = fc.record({ at: instant, track: fc.integer({ min: 0, max: 7 }), source: fc.constantFrom('poll' as const, 'import' as const), ms: fc.constantFrom(0, 10_000, 29_999, 30_000, 245_000) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbitraryPlay, { minLength: 1, maxLength: 50 }),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 1, max: 3 }),
        fc.option(fc.tuple(instant, fc.integer({ min: 1, max: 200 * 86_400 })), { nil: undefined }),
        fc.boolean(),
        async (drawn, zone, batchCount, window, zoneFirst) => {
          // The listener's own zone before the plays arrive (the triggers count them in it) or after (recomputed).
          await setUserTimeZone(h.db.orm.em.fork(), user.userId, zoneFirst ? zone : otherZone(zone));
          // One play of a track per second (what Playlog keeps), each stored once however often it arrives.
          const seen = new Set<string>();
          const plays = drawn
            .map((d) => play(Math.floor(d.at / 1_000) * 1_000, d.track, d.source, d.ms))
            .filter((p) => !seen.has(`${p.trackId}|${p.playedAt}`) && seen.add(`${p.trackId}|${p.playedAt}`));
          const batches = Array.from({ length: batchCount }, (_, i) => plays.filter((_p, j) => j % batchCount === i));
          batches.push(plays.slice(0, Math.ceil(plays.length / 2))); // replayed: changes nothing
          await store(batches);
          const range = window ? { from: new Date(window[0]).toISOString(), to: new Date(window[0] + window[1] * 1_000).toISOString() } : {};
          await expectStatsOf(plays, zone, range);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('reviews a local calendar year as the oracle: summary, top fives, busiest day and hour, new artists, months', async () => {
    // Plays around two new years (local new year is hours apart across zones), artists that return and new ones.
    const plays = [
      ...[0, 1, 2].map((i) => play(Date.parse('2025-06-01T12:00:00Z') + i * 3_600_000, i, 'poll')),
      ...Array.from({ length: 14 }, (_, i) => play(Date.parse('2025-12-31T08:00:00Z') + i * 2 * 3_600_000, (i * 3) % 8, i % 3 ? 'poll' : 'import', i % 2 ? 200_000 : 20_000)),
      ...Array.from({ length: 10 }, (_, i) => play(Date.parse('2026-03-01T10:00:00Z') + i * 86_400_000, 4 + (i % 4), 'poll')),
      ...Array.from({ length: 6 }, (_, i) => play(Date.parse('2026-12-31T09:00:00Z') + i * 3 * 3_600_000, i % 8, 'import', 120_000)),
    ];
    await store([plays]);
    const REVIEW = `query ($year: Int!, $timeZone: String) { yearInReview(year: $year, timeZone: $timeZone) {
      year timeZone
      summary { plays msPlayed distinctTracks distinctArtists distinctAlbums activeDays firstPlayedAt lastPlayedAt longestStreak { days from to } }
      topTracks { rank plays track { spotifyId } } topArtists { rank plays artist { spotifyId } } topAlbums { rank plays album { spotifyId } }
      busiestDay { date plays msPlayed } busiestHour { weekday hour plays msPlayed }
      newArtistCount topNewArtists { rank plays artist { spotifyId } }
      months { start plays msPlayed } } }`;
    for (const zone of ['Pacific/Chatham', 'America/New_York', 'UTC']) {
      for (const year of [2025, 2026]) {
        await eachWay(zone, async (asked, way) => {
          // Each way computes its own review (the one kept by the other way would answer it), then is answered the kept one.
          await h.db.sql.query('delete from year_reviews where user_id = $1', [user.userId]);
          const computed = (await ask<{ yearInReview: Record<string, unknown> & { months: Point[] } }>(REVIEW, { year, ...asked })).yearInReview;
          const kept = (await ask<{ yearInReview: Record<string, unknown> }>(REVIEW, { year, ...asked })).yearInReview;
          expect(kept, `${year}, ${way}, kept`).toEqual(computed);
          const { months, ...rest } = computed;
          const { months: expectedMonths, ...expected } = yearInReviewOf(plays, year, zone);
          expect(rest, `${year}, ${way}`).toEqual(expected);
          expect(months.map((month) => ({ date: localDate(Date.parse(month.start), zone), plays: month.plays, msPlayed: month.msPlayed })), `${year}, ${way}`).toEqual(expectedMonths);
        });
      }
    }
    expect(await errorCodes(ask('{ yearInReview(year: 0) { year } }', {}))).toEqual(['BAD_USER_INPUT']);
  });

  it('uses me.timeZone by default, and refuses unknown zones and reversed or oversized ranges', async () => {
    await store([[play(Date.parse('2026-06-30T18:40:00Z'), 0, 'poll')]]);
    await h.client(user.token).request('mutation { updateSettings(input: { timeZone: "Asia/Kolkata" }) { user { timeZone } } }');
    const { listeningClock } = await ask<{ listeningClock: Array<{ weekday: number; hour: number; plays: number }> }>(CLOCK, {});
    // 18:40Z on a Tuesday is 00:10 on Wednesday in Kolkata.
    expect(listeningClock.filter((cell) => cell.plays > 0)).toEqual([{ weekday: 3, hour: 0, plays: 1, msPlayed: 120_000 }]);
    expect((await ask<{ listeningClock: Array<{ weekday: number; hour: number; plays: number }> }>(CLOCK, { timeZone: 'UTC' })).listeningClock.filter((cell) => cell.plays > 0)).toEqual([
      { weekday: 2, hour: 18, plays: 1, msPlayed: 120_000 },
    ]);

    await expect(ask(SUMMARY, { timeZone: 'Mars/Olympus_Mons' })).rejects.toThrow(/timeZone "Mars\/Olympus_Mons" is not an IANA time zone name/);
    expect(await errorCodes(ask(SUMMARY, { range: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }))).toEqual(['BAD_USER_INPUT']);
    expect(await errorCodes(ask(ACTIVITY, { range: { from: '1990-01-01T00:00:00Z' }, bucket: 'DAY' }))).toEqual(['BAD_USER_INPUT']);
    expect((await ask<{ listeningActivity: Point[] }>(ACTIVITY, { range: { from: '1990-01-01T00:00:00Z' }, bucket: 'YEAR' })).listeningActivity.length).toBeGreaterThan(30);
    expect(await errorCodes(h.client().request(SUMMARY, {}))).toEqual(['UNAUTHENTICATED']);

    // A ranking's cursor belongs to one ranking in one order.
    await store([[play(Date.parse('2026-06-01T10:00:00Z'), 0, 'poll'), play(Date.parse('2026-06-01T11:00:00Z'), 1, 'poll')]]);
    const TOP = 'query ($orderBy: RankOrder, $first: Int, $after: String) { topTracks(orderBy: $orderBy, first: $first, after: $after) { edges { cursor } } }';
    const { topTracks } = await ask<{ topTracks: { edges: Array<{ cursor: string }> } }>(TOP, { first: 1 });
    await expect(ask(TOP, { orderBy: 'TIME', after: topTracks.edges[0]!.cursor })).rejects.toThrow(/after is a cursor of topTracks\(orderBy: PLAYS\), not of topTracks\(orderBy: TIME\)/);
    await expect(ask('query ($after: String) { topArtists(after: $after) { totalCount } }', { after: topTracks.edges[0]!.cursor })).rejects.toThrow(/not of topArtists/);
    for (const first of [0, 201]) expect(await errorCodes(ask(TOP, { first }))).toEqual(['BAD_USER_INPUT']);
  });

  it('counts a track Spotify no longer knows for the artist and album the listener’s streaming history named, never merged with a Spotify id', async () => {
    const known = TRACKS[0]!;
    const lost = { trackId: 'statsLostTrack000000001', albumId: null, artistIds: [], durationMs: 0 };
    await store([
      [
        play(Date.parse('2026-05-01T10:00:00Z'), 0, 'poll'),
        play(Date.parse('2026-05-02T10:00:00Z'), 0, 'poll'),
        ...[0, 1, 2].map((i): OraclePlay => ({ playedAt: new Date(Date.parse('2026-05-03T10:00:00Z') + i * 600_000).toISOString(), ...lost, source: 'import', msPlayed: 200_000 })),
      ],
    ]);
    // The streaming history names the lost track's artist with a string equal to a Spotify artist id: a name, not that artist.
    await h.db.sql.query('insert into export_track_names (user_id, track_id, track_name, artist_name, album_name) values ($1, $2, $3, $4, $5) on conflict do nothing', [
      user.userId,
      lost.trackId,
      'Lost Song',
      known.artistIds[0],
      'Lost Album',
    ]);
    const TOP_ARTISTS = 'query ($range: StatsRange) { topArtists(range: $range) { totalCount edges { node { rank plays msPlayed artist { spotifyId name } } } } }';
    for (const range of [{}, { from: '2026-04-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }]) {
      await eachWay('Europe/Berlin', async (zone, way) => {
        const { listeningSummary } = await ask<{ listeningSummary: Record<string, number> }>(SUMMARY, { range, ...zone });
        expect({ tracks: listeningSummary.distinctTracks, artists: listeningSummary.distinctArtists, albums: listeningSummary.distinctAlbums, plays: listeningSummary.plays }, way).toEqual({
          tracks: 2,
          artists: known.artistIds.length + 1,
          albums: 2,
          plays: 5,
        });
      });
      const { topArtists } = await ask<{ topArtists: { totalCount: number; edges: Array<{ node: { rank: number; plays: number; msPlayed: number; artist: { spotifyId: string | null; name: string } } }> } }>(TOP_ARTISTS, { range });
      expect(topArtists.edges[0]!.node).toEqual({ rank: 1, plays: 3, msPlayed: 600_000, artist: { spotifyId: null, name: known.artistIds[0] } });
      expect(topArtists.edges.slice(1).map(({ node }) => node.artist.spotifyId)).toEqual(known.artistIds);
      expect(topArtists.totalCount).toBe(known.artistIds.length + 1);
    }
  });

  it('answers a listener with no plays with zeros and nulls, and an activity with no bucket', async () => {
    await store([]);
    const { listeningSummary } = await ask<{ listeningSummary: unknown }>(SUMMARY, { timeZone: 'UTC' });
    expect(listeningSummary).toEqual(summaryOf([], 'UTC'));
    expect((await ask<{ listeningActivity: Point[] }>(ACTIVITY, { range: {}, bucket: 'MONTH' })).listeningActivity).toEqual([]);
    const { listeningClock } = await ask<{ listeningClock: unknown[] }>(CLOCK, {});
    expect(listeningClock).toHaveLength(168);
  });
});
