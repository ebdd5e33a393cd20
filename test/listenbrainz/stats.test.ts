import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { startApiHarness, type ApiHarness, type LoggedIn } from '../api/api-harness.js';
import { makePlay } from '../support/plays.js';
import { createToken, lb, listen } from './listenbrainz-harness.js';

/**
 * The statistics players read (Pano Scrobbler) are Playlog's own, from every source: the same figures
 * GraphQL gives for the same range.
 */
let h: ApiHarness;
let user: LoggedIn;
let token: string;
const now = new Date();

beforeAll(async () => {
  h = await startApiHarness({ label: 'lb_stats', env: { LISTENBRAINZ_RATE_LIMIT: '0' } });
  user = await h.login(h.emulator.users()[0]!.id);
  token = (await createToken(h, user)).token;
  // Polled plays last year and in the last days; listens of a song Spotify never described, in the last days.
  const lastYear = Date.UTC(now.getUTCFullYear() - 1, 5, 15, 12);
  const polls = [1, 1, 2, 3, 1].map((track, i) => makePlay(track, new Date(lastYear + i * 600_000).toISOString()));
  const recent = [2, 2, 4].map((track, i) => makePlay(track, new Date(now.getTime() - (i + 1) * 3_600_000).toISOString()));
  await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays: [...polls, ...recent], source: 'poll' });
  const listens = [1, 2, 3].map((i) => listen(Math.floor((now.getTime() - i * 7_200_000 - 1_800_000) / 1000), { artist: 'Nobody Known', title: 'Blue Hour', info: { duration_ms: 200_000 } }));
  expect((await lb(h, '/1/submit-listens', { token, body: { listen_type: 'import', payload: listens } })).status).toBe(200);
});
afterAll(async () => {
  await h?.stop();
});

type Artists = { payload: { artists: Array<{ artist_name: string; listen_count: number }>; total_artist_count: number; range: string } };
const TOP_ARTISTS = /* GraphQL */ `query ($range: StatsRange) { topArtists(first: 50, range: $range) { totalCount edges { node { plays artist { name } } } } }`;
type TopArtists = { topArtists: { totalCount: number; edges: Array<{ node: { plays: number; artist: { name: string } } }> } };

describe('ListenBrainz statistics', () => {
  it('rank artists as GraphQL does, all time, every source together', async () => {
    const answer = (await lb(h, `/1/stats/user/${user.spotifyUserId}/artists?count=50`, { token })).body as Artists;
    const graphql = await h.client(user.token).request<TopArtists>(TOP_ARTISTS);
    expect(answer.payload.range).toBe('all_time');
    expect(answer.payload.total_artist_count).toBe(graphql.topArtists.totalCount);
    expect(answer.payload.artists).toEqual(graphql.topArtists.edges.map(({ node }) => ({ artist_name: node.artist.name, listen_count: node.plays, artist_mbids: [] })));
    expect(answer.payload.artists).toContainEqual({ artist_name: 'Nobody Known', listen_count: 3, artist_mbids: [] });
    expect(answer.payload.artists[0]).toEqual({ artist_name: 'The Testers', listen_count: 8, artist_mbids: [] });
  });

  it('count a range as GraphQL counts it, and page with count and offset', async () => {
    const from = new Date(Date.UTC(now.getUTCFullYear() - 1, 0, 1)).toISOString();
    const to = new Date(Date.UTC(now.getUTCFullYear(), 0, 1)).toISOString();
    const year = (await lb(h, `/1/stats/user/${user.spotifyUserId}/recordings?range=year`, { token })).body as { payload: { recordings: Array<{ track_name: string; listen_count: number }>; total_recording_count: number } };
    const graphql = await h.client(user.token).request<{ topTracks: { totalCount: number; edges: Array<{ node: { plays: number; track: { name: string } } }> } }>(
      'query ($range: StatsRange) { topTracks(first: 50, range: $range) { totalCount edges { node { plays track { name } } } } }',
      { range: { from, to } },
    );
    expect(year.payload.total_recording_count).toBe(3);
    expect(year.payload.recordings.map((r) => [r.track_name, r.listen_count])).toEqual(graphql.topTracks.edges.map(({ node }) => [node.track.name, node.plays]));
    const second = (await lb(h, `/1/stats/user/${user.spotifyUserId}/recordings?range=year&count=1&offset=1`, { token })).body as { payload: { recordings: Array<{ track_name: string }>; offset: number; count: number } };
    expect(second.payload).toMatchObject({ offset: 1, count: 1, recordings: [{ track_name: graphql.topTracks.edges[1]!.node.track.name }] });
  });

  it('answer the listening activity per bucket, summing to the range’s plays', async () => {
    const activity = (await lb(h, `/1/stats/user/${user.spotifyUserId}/listening-activity?range=all_time`, { token })).body as { payload: { listening_activity: Array<{ time_range: string; listen_count: number }> } };
    expect(activity.payload.listening_activity.map((bucket) => [bucket.time_range, bucket.listen_count])).toEqual([
      [String(now.getUTCFullYear() - 1), 5],
      [String(now.getUTCFullYear()), 6],
    ]);
    const week = (await lb(h, `/1/stats/user/${user.spotifyUserId}/listening-activity?range=this_week`, { token })).body as { payload: { listening_activity: Array<{ listen_count: number }> } };
    // The recent plays fall in this week unless the week began within the last hours.
    const weekStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7));
    if (now.getTime() - weekStart > 8 * 3_600_000) expect(week.payload.listening_activity.reduce((sum, bucket) => sum + bucket.listen_count, 0)).toBe(6);
  });

  it('answer 204 for a range without plays, and 400 for a range ListenBrainz does not know', async () => {
    const empty = await fetch(`${h.api.url}/listenbrainz/1/stats/user/${user.spotifyUserId}/artists?range=half_yearly`, { headers: { authorization: `Token ${token}` } });
    // Last year's plays are in June: the last whole half-year holds them only in the first half of this year.
    if (now.getUTCMonth() >= 6) expect(empty.status).toBe(204);
    const bad = await lb(h, `/1/stats/user/${user.spotifyUserId}/artists?range=fortnight`, { token });
    expect(bad).toMatchObject({ status: 400, body: { code: 400, field: 'range' } });
  });
});


describe('ListenBrainz release statistics', () => {
  it('name each release’s artist, as players read it', async () => {
    const releases = (await lb(h, `/1/stats/user/${user.spotifyUserId}/releases?count=10`, { token })).body as { payload: { releases: Array<{ release_name: string; artist_name: string; listen_count: number }> } };
    expect(releases.payload.releases).toEqual([
      { release_name: 'First Album', artist_name: 'The Testers', listen_count: 8, artist_mbids: [], release_mbid: null },
    ]);
  });
});
