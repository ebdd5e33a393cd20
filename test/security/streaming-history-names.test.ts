import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphql, startApiHarness, type ApiHarness, type LoggedIn } from '../../test/api/api-harness.js';
import { startApiImportWorker, type ApiImportWorker } from '../imports/api-import-worker.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * A track Spotify no longer knows is named only by the streaming histories that hold it. What one
 * user's streaming history calls it is that user's to see: the shared catalogue keeps the track's id alone, and no other user's
 * history shows those names.
 */
let h: ApiHarness;
let worker: ApiImportWorker;
let alice: LoggedIn;
let bob: LoggedIn;
let carol: LoggedIn;
const importDir = `/tmp/playlog-streaming-history-names-${process.pid}`;
// Not a track the emulator knows: Spotify answers 404 for it.
const GONE = 'Qq1Qq1Qq1Qq1Qq1Qq1Qq1Q';
const MARKUP = '<img src=x onerror="alert(document.cookie)">';

beforeAll(async () => {
  h = await startApiHarness({ label: 'streaming_history_names', env: { IMPORT_DIR: importDir } });
  const [a, b, c] = h.emulator.users();
  alice = await h.login(a!.id);
  bob = await h.login(b!.id);
  carol = await h.login(c!.id);
  worker = await startApiImportWorker(h);
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await h?.stop();
});

const row = (ts: string, names: { track: string | null; artist: string | null; album: string | null }) => ({
  ts,
  ms_played: 200_000,
  master_metadata_track_name: names.track,
  master_metadata_album_artist_name: names.artist,
  master_metadata_album_album_name: names.album,
  spotify_track_uri: `spotify:track:${GONE}`,
});

async function graphql(user: LoggedIn, query: string, variables: Record<string, unknown> = {}) {
  return (await postGraphql(h.graphqlUrl, { query, variables }, { authorization: `Bearer ${user.token}` })).body;
}

async function importRows(user: LoggedIn, rows: unknown[]): Promise<void> {
  const response = await fetch(`${h.api.url}/imports`, { method: 'POST', body: JSON.stringify(rows), headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` } });
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as { id: string };
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const status = (await graphql(user, 'query ($id: ID!) { node(id: $id) { ... on Import { status counts { stored unknownTracks } } } }', { id })).data.node;
    if (status.status === 'COMPLETED') {
      expect(status.counts).toEqual({ stored: rows.length, unknownTracks: rows.length });
      return;
    }
    expect(status.status).not.toBe('FAILED');
  }
  throw new Error(`import ${id} did not complete`);
}

async function goneTrackOf(user: LoggedIn) {
  const history = await graphql(user, '{ listeningHistory { edges { node { track { spotifyId name uri durationMs album { id spotifyId name uri } artists { id spotifyId name uri } } } } } }');
  const tracks = history.data.listeningHistory.edges
    .map((edge: { node: { track: { spotifyId: string } } }) => edge.node.track)
    .filter((track: { spotifyId: string }) => track.spotifyId === GONE);
  expect(tracks.length).toBeGreaterThan(0);
  return tracks[0];
}

describe('names from one user’s streaming history', () => {
  beforeAll(async () => {
    await importRows(alice, [row('2026-10-01T10:00:00Z', { track: MARKUP, artist: `${MARKUP} Band`, album: `${MARKUP} Album` })]);
    await importRows(bob, [row('2026-10-02T10:00:00Z', { track: 'Bob’s name for it', artist: 'Bob’s band', album: null })]);
    await importRows(carol, [row('2026-10-03T10:00:00Z', { track: null, artist: null, album: null })]);
  }, 90_000);

  it('are shown to that user', async () => {
    const track = await goneTrackOf(alice);
    expect(track).toMatchObject({
      name: MARKUP,
      uri: `spotify:track:${GONE}`,
      durationMs: null,
      album: { name: `${MARKUP} Album`, spotifyId: null, uri: null },
      artists: [{ name: `${MARKUP} Band`, spotifyId: null, uri: null }],
    });
  });

  it('are found again by node, by that user alone', async () => {
    const track = await goneTrackOf(alice);
    const ask = (user: LoggedIn) => graphql(user, 'query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Artist { name } ... on Album { name } } }', { ids: [track.artists[0].id, track.album.id] });
    expect((await ask(alice)).data.nodes).toEqual([
      { id: track.artists[0].id, name: `${MARKUP} Band` },
      { id: track.album.id, name: `${MARKUP} Album` },
    ]);
    expect((await ask(bob)).data.nodes).toEqual([null, null]);
  });

  it('are never shown to another user with plays of the same track: each sees their own, or none', async () => {
    expect(await goneTrackOf(bob)).toMatchObject({ name: 'Bob’s name for it', album: null, artists: [{ name: 'Bob’s band' }] });
    expect(await goneTrackOf(carol)).toEqual({ spotifyId: GONE, name: 'Unknown track', uri: `spotify:track:${GONE}`, durationMs: null, album: null, artists: [] });
  });

  it('stay out of the shared catalogue', async () => {
    const catalogue = await h.db.sql.query(
      `select (select coalesce(string_agg(t::text, ' '), '') from tracks t) || (select coalesce(string_agg(a::text, ' '), '') from artists a)
              || (select coalesce(string_agg(al::text, ' '), '') from albums al) as dump`,
    );
    expect(catalogue.rows[0].dump).not.toContain('onerror');
    expect(catalogue.rows[0].dump).not.toContain('Bob’s');
    const track = await h.db.sql.query('select name, album_id, duration_ms from tracks where id = $1', [GONE]);
    expect(track.rows).toEqual([{ name: '', album_id: null, duration_ms: 0 }]);
  });

  it('go with the user’s account', async () => {
    await graphql(alice, 'mutation { deleteMyAccount { deletedUserId } }');
    const names = await h.db.sql.query('select count(*)::int as n from export_track_names where user_id = $1', [alice.userId]);
    expect(names.rows).toEqual([{ n: 0 }]);
    expect((await goneTrackOf(bob)).name).toBe('Bob’s name for it');
  });
});

describe('the migration that moves streaming-history names out of the catalogue', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('streaming_history_names_migration');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('gives the names to the user whose import made the row, and leaves the catalogue holding the id alone', async () => {
    const migrator = db.orm.getMigrator();
    await migrator.down({ to: 'Migration20261201120000_import_limits' });
    const [first, second] = [randomUUID(), randomUUID()];
    const artist = 'export-AAAAAAAAAAAAAAAAAAAAAA';
    const album = 'export-BBBBBBBBBBBBBBBBBBBBBB';
    await db.sql.query(`insert into users (id, spotify_user_id) values ($1, 'first'), ($2, 'second')`, [first, second]);
    await db.sql.query(`insert into artists (id, name, uri) values ($1, 'Old Band', 'playlog:export-artist:x'), ('realArtist000000000000', 'Real', 'spotify:artist:r')`, [artist]);
    await db.sql.query(`insert into albums (id, name, uri) values ($1, 'Old Album', 'playlog:export-album:x'), ('realAlbum0000000000000', 'Real', 'spotify:album:r')`, [album]);
    await db.sql.query(
      `insert into tracks (id, name, uri, duration_ms, album_id) values ($1, 'Old Name', 'spotify:track:g', 0, $2), ('realTrack0000000000000', 'Real', 'spotify:track:r', 1000, 'realAlbum0000000000000')`,
      [GONE, album],
    );
    await db.sql.query(`insert into track_artists (track_id, position, artist_id) values ($1, 0, $2), ('realTrack0000000000000', 0, 'realArtist000000000000')`, [GONE, artist]);
    await db.sql.query(
      `insert into listening_events (user_id, played_at, track_id, source, ingested_at) values
         ($2, '2026-01-02T00:00:00Z', $3, 'import', '2026-02-02T00:00:00Z'),
         ($1, '2026-01-01T00:00:00Z', $3, 'import', '2026-02-01T00:00:00Z'),
         ($2, '2026-01-03T00:00:00Z', 'realTrack0000000000000', 'poll', '2026-02-01T00:00:00Z')`,
      [first, second, GONE],
    );

    await migrator.up();

    const names = await db.sql.query('select user_id, track_id, track_name, artist_name, album_name from export_track_names');
    expect(names.rows).toEqual([{ user_id: first, track_id: GONE, track_name: 'Old Name', artist_name: 'Old Band', album_name: 'Old Album' }]);
    const tracks = await db.sql.query('select id, name, album_id from tracks order by id');
    expect(tracks.rows).toEqual([
      { id: GONE, name: '', album_id: null },
      { id: 'realTrack0000000000000', name: 'Real', album_id: 'realAlbum0000000000000' },
    ]);
    expect((await db.sql.query('select id from artists')).rows).toEqual([{ id: 'realArtist000000000000' }]);
    expect((await db.sql.query('select id from albums')).rows).toEqual([{ id: 'realAlbum0000000000000' }]);
    expect((await db.sql.query('select track_id from track_artists')).rows).toEqual([{ track_id: 'realTrack0000000000000' }]);
  });
});
