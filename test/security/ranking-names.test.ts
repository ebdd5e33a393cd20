import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type LoggedIn } from '../../test/api/api-harness.js';
import { sqlRecorder, type RecordedStatement } from '../support/sql-recorder.js';

/**
 * A listener whose history holds thousands of tracks Spotify no longer knows, each named by their own
 * streaming history (issue 29, finding 6): a ranking page, a `nodes` lookup and a filtered history read
 * the names of the artists and albums they show, found by their ids, never every name the listener's
 * streaming histories gave.
 * Measured as rows Postgres returns to the API, not as time.
 */
let h: ApiHarness;
let user: LoggedIn;
const recorder = sqlRecorder();

/** Tracks Spotify no longer knows, each named by the user's streaming history: many more than any page shows. */
const TRACKS = 4_000;
const ARTISTS = 1_500;
/** Album names repeat more often than artists' (an album is named with its artist): one album per artist. */
const ALBUM_NAMES = 500;
/** Tracks 0–4 are played far more than the rest (track i: 100 - 10i plays), so the top five are known. */
const HEAVY = 5;

beforeAll(async () => {
  h = await startApiHarness({ label: 'ranking_names', env: { RATE_LIMIT_GRAPHQL: '0' } });
  user = await h.login(h.emulator.users()[0]!.id);
  // Bulk, as an import of an old history would leave them: the catalogue knows the ids alone, the names are the user's.
  await h.db.sql.query(
    `insert into tracks (id, name, uri, duration_ms, album_id)
     select 'lostTrack' || lpad(i::text, 13, '0'), '', 'spotify:track:lostTrack' || lpad(i::text, 13, '0'), 0, null from generate_series(0, $1 - 1) i`,
    [TRACKS],
  );
  await h.db.sql.query(
    `insert into export_track_names (user_id, track_id, track_name, artist_name, album_name)
     select $1, 'lostTrack' || lpad(i::text, 13, '0'), 'Song ' || i, 'Band ' || (i % $3), 'Album ' || (i % $4) from generate_series(0, $2 - 1) i`,
    [user.userId, TRACKS, ARTISTS, ALBUM_NAMES],
  );
  await h.db.sql.query(
    `insert into listening_events (user_id, played_at, track_id, source, ms_played)
     select $1, timestamptz '2026-03-01T00:00:00Z' + (i * interval '1 hour') + (k * interval '1 minute'), 'lostTrack' || lpad(i::text, 13, '0'), 'import', 200000
       from generate_series(0, $2 - 1) i, generate_series(1, case when i < $3 then 100 - 10 * i else 1 end) k`,
    [user.userId, TRACKS, HEAVY],
  );
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

const ask = <T>(query: string, variables: Record<string, unknown> = {}) => h.client(user.token).request<T>(query, variables);

/** What one request made Postgres return: its statements, and of them those that read streaming-history names. */
async function measured<T>(work: () => Promise<T>): Promise<{ answer: T; statements: RecordedStatement[]; nameRows: number }> {
  let answer: T | undefined;
  const statements = await recorder.withRows(async () => {
    answer = await work();
  });
  // The ranking statements read export_track_names too, but answer one row per item of the page.
  const lookups = statements.filter((statement) => statement.text.includes('export_track_names') && !statement.text.includes('row_number()'));
  return { answer: answer as T, statements, nameRows: lookups.reduce((sum, statement) => sum + (statement.rows ?? 0), 0) };
}

const rowsOf = (statements: RecordedStatement[]) => statements.reduce((sum, statement) => sum + (statement.rows ?? 0), 0);

type Ranking<K extends string> = { totalCount: number; edges: Array<{ node: { rank: number; plays: number } & Record<K, { id: string; name: string }> }> };

describe('names of artists and albums named by a streaming history on a ranking page', () => {
  it('are read for the page alone, whatever the size of the history', async () => {
    for (const first of [5, 50]) {
      for (const range of [null, { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' }]) {
        const artists = await measured(() => ask<{ topArtists: Ranking<'artist'> }>('query ($first: Int, $range: StatsRange) { topArtists(first: $first, range: $range) { totalCount edges { node { rank plays artist { id name } } } } }', { first, range }));
        const albums = await measured(() => ask<{ topAlbums: Ranking<'album'> }>('query ($first: Int, $range: StatsRange) { topAlbums(first: $first, range: $range) { totalCount edges { node { rank plays album { id name } } } } }', { first, range }));
        for (const { statements, nameRows } of [artists, albums]) {
          // One name per item shown: the page, never the 4,000 names of the history.
          expect(nameRows).toBeLessThanOrEqual(first);
          expect(rowsOf(statements)).toBeLessThan(3 * first + 20);
        }
        // And the answers are the listener's own names, ranked as before.
        expect(artists.answer.topArtists.totalCount).toBe(ARTISTS);
        expect(albums.answer.topAlbums.totalCount).toBe(ARTISTS);
        expect(artists.answer.topArtists.edges).toHaveLength(first);
        expect(artists.answer.topArtists.edges.slice(0, HEAVY).map(({ node }) => [node.rank, node.artist.name, node.plays])).toEqual(
          Array.from({ length: HEAVY }, (_, i) => [i + 1, `Band ${i}`, 100 - 10 * i + Math.ceil((TRACKS - i) / ARTISTS) - 1]),
        );
        expect(albums.answer.topAlbums.edges.slice(0, HEAVY).map(({ node }) => [node.rank, node.album.name, node.plays])).toEqual(
          Array.from({ length: HEAVY }, (_, i) => [i + 1, `Album ${i}`, 100 - 10 * i + Math.ceil((TRACKS - i) / ARTISTS) - 1]),
        );
        for (const { node } of artists.answer.topArtists.edges) expect(node.artist.name).toMatch(/^Band \d+$/);
        for (const { node } of albums.answer.topAlbums.edges) expect(node.album.name).toMatch(/^Album \d+$/);
      }
    }
  });

  it('are read for the year in review’s few items alone', async () => {
    const year = await measured(() =>
      ask<{ yearInReview: { topArtists: Array<{ artist: { name: string } }>; topAlbums: Array<{ album: { name: string } }>; topNewArtists: Array<{ artist: { name: string } }> } }>(
        'query { yearInReview(year: 2026, timeZone: "UTC") { topArtists { artist { name } } topAlbums { album { name } } topNewArtists { artist { name } } } }',
      ),
    );
    // Its five tracks, artists, albums and new artists: a name each.
    expect(year.nameRows).toBeLessThanOrEqual(4 * HEAVY);
    const names = (list: Array<{ artist?: { name: string }; album?: { name: string } }>) => list.map((item) => (item.artist ?? item.album)!.name);
    expect(names(year.answer.yearInReview.topArtists)).toEqual(['Band 0', 'Band 1', 'Band 2', 'Band 3', 'Band 4']);
    expect(names(year.answer.yearInReview.topNewArtists)).toEqual(['Band 0', 'Band 1', 'Band 2', 'Band 3', 'Band 4']);
    expect(names(year.answer.yearInReview.topAlbums)).toEqual(['Album 0', 'Album 1', 'Album 2', 'Album 3', 'Album 4']);
  });

  it('are found by id for nodes and for a filtered history, reading only the tracks those names cover', async () => {
    const { topArtists } = await ask<{ topArtists: Ranking<'artist'> }>('{ topArtists(first: 2) { totalCount edges { node { rank plays artist { id name } } } } }');
    const { topAlbums } = await ask<{ topAlbums: Ranking<'album'> }>('{ topAlbums(first: 1) { totalCount edges { node { rank plays album { id name } } } } }');
    const [band0, band1] = topArtists.edges.map(({ node }) => node.artist);
    const album0 = topAlbums.edges[0]!.node.album;
    const nodes = await measured(() => ask<{ nodes: Array<{ id: string; name: string } | null> }>('query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Artist { name } ... on Album { name } } }', { ids: [band0!.id, album0.id, band1!.id] }));
    expect(nodes.answer.nodes).toEqual([band0, album0, band1]);
    expect(nodes.nameRows).toBeLessThanOrEqual(3);

    // Band 0 names tracks 0, 1500 and 3000: their plays, and no other name read.
    const filtered = await measured(() =>
      ask<{ listeningHistory: { totalCount: number; edges: Array<{ node: { track: { spotifyId: string; name: string } } }> } }>(
        'query ($artistId: ID) { listeningHistory(first: 200, artistId: $artistId) { totalCount edges { node { track { spotifyId name } } } } }',
        { artistId: band0!.id },
      ),
    );
    expect(filtered.answer.listeningHistory.totalCount).toBe(100 + 2);
    expect(new Set(filtered.answer.listeningHistory.edges.map(({ node }) => node.track.name))).toEqual(new Set(['Song 0', 'Song 1500', 'Song 3000']));
    expect(filtered.nameRows).toBeLessThanOrEqual(10);
  });
});
