import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtendedHistoryRow } from '../../services/spotify-emulator/streaming-history.js';
// Spelled from the root: the lint rule keeping services apart matches `../api/*` and means services/api.
import { postGraphql, startApiHarness, type ApiHarness, type LoggedIn } from '../../test/api/api-harness.js';
import { startApiImportWorker, type ApiImportWorker } from './api-import-worker.js';
import { zipFiles } from './zip-writer.js';

/**
 * A streaming history as users really get it: a zip with audio files, a video file and a ReadMe, holding podcasts,
 * local files, skips, tracks Spotify no longer knows and broken rows — uploaded over HTTP, imported by
 * the worker, reported over GraphQL; and nothing private from it anywhere.
 */
let h: ApiHarness;
let user: LoggedIn;
let worker: ApiImportWorker;
const importDir = `/tmp/playlog-import-odd-${process.pid}`;

beforeAll(async () => {
  h = await startApiHarness({ label: 'imports_odd', env: { IMPORT_DIR: importDir, IMPORT_MAX_BYTES: String(5 * 1024 * 1024) } });
  user = await h.login(h.emulator.users()[0]!.id);
  worker = await startApiImportWorker(h);
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await h?.stop();
});

const UNKNOWN_TRACK = 'Zz9Zz9Zz9Zz9Zz9Zz9Zz9Z';
const base = { ms_played: 200_000, conn_country: 'NO', platform: 'Android OS 9 API 28 (Fairphone, FP3)', ip_addr: '203.0.113.77', user_agent_decrypted: 'Spotify/8.8.0 Android/28 (FP3)' };
const nulls = { master_metadata_track_name: null, master_metadata_album_artist_name: null, master_metadata_album_album_name: null, spotify_track_uri: null };
const ODD_ROWS: unknown[] = [
  { ...base, ...nulls, ts: '2026-11-20T08:00:00Z', episode_name: 'Episode 1', episode_show_name: 'A Show', spotify_episode_uri: 'spotify:episode:0000000000000000000001' },
  { ...base, ...nulls, ts: '2026-11-20T08:30:00Z', episode_name: 'Episode 2', episode_show_name: 'A Show', spotify_episode_uri: 'spotify:episode:0000000000000000000002' },
  { ...base, ...nulls, ts: '2026-11-20T09:00:00Z', audiobook_title: 'A Book', audiobook_uri: 'spotify:audiobook:0000000000000000000003', audiobook_chapter_uri: 'spotify:chapter:0000000000000000000004' },
  { ...base, ...nulls, ts: '2026-11-20T09:10:00Z', master_metadata_track_name: 'My Demo Tape' },
  { ...base, ...nulls, ts: '2026-11-20T09:15:00Z', master_metadata_track_name: 'Bootleg', spotify_track_uri: 'spotify:local:Someone:Bootleg:Bootleg:215' },
  { ...base, ts: '2026-11-20T09:20:00Z', master_metadata_track_name: 'Gone Song', master_metadata_album_artist_name: 'Gone Band', master_metadata_album_album_name: 'Gone Album', spotify_track_uri: `spotify:track:${UNKNOWN_TRACK}` },
  { ...base, ts: '2026-11-20T09:25:00Z', ms_played: 12_000, master_metadata_track_name: 'Gone Song', master_metadata_album_artist_name: 'Gone Band', master_metadata_album_album_name: 'Gone Album', spotify_track_uri: `spotify:track:${UNKNOWN_TRACK}` },
  { ...base, ts: 'yesterday', master_metadata_track_name: 'x', spotify_track_uri: `spotify:track:${UNKNOWN_TRACK}` },
  { ...base, master_metadata_track_name: 'x', spotify_track_uri: `spotify:track:${UNKNOWN_TRACK}` },
  { ...base, ts: '2026-11-20T09:30:00Z', ms_played: -5, master_metadata_track_name: 'x', spotify_track_uri: `spotify:track:${UNKNOWN_TRACK}` },
  { ...base, ts: '2026-11-20T09:35:00Z', master_metadata_track_name: 'x', spotify_track_uri: 'spotify:track:tooShort' },
  42,
  { ...base, ...nulls, ts: '2026-11-20T09:40:00Z' },
];

async function upload(body: Buffer, headers: Record<string, string>, url = `${h.api.url}/imports`): Promise<Response> {
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/zip', ...headers } });
}

const CANCEL = 'mutation ($id: ID!) { cancelImport(input: { id: $id }) { import { status } errors { code } } }';

async function importStatus(id: string, token = user.token) {
  const response = await postGraphql(
    h.graphqlUrl,
    {
      query: `query ($id: ID!) { node(id: $id) { ... on Import { id status fileName error
        counts { rowsRead stored duplicates shortPlays unknownTracks skippedPodcast skippedLocal skippedMalformed tracksFetched }
        problems { file row message } } } }`,
      variables: { id },
    },
    { authorization: `Bearer ${token}` },
  );
  return response.body.data.node;
}

async function waitForImport(id: string) {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const current = await importStatus(id);
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(current.status)) return current;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`import ${id} did not finish`);
}

describe('a streaming history with every odd kind of row, uploaded as Spotify’s zip', () => {
  let real: ExtendedHistoryRow[];
  let result: Awaited<ReturnType<typeof importStatus>>;

  beforeAll(async () => {
    const downloaded = await fetch(`${h.emulator.adminUrl}/users/${user.spotifyUserId}/streaming-history?from=2026-11-19T00:00:00Z`);
    real = (await downloaded.json()) as ExtendedHistoryRow[];
    const half = Math.floor(real.length / 2);
    const zip = zipFiles([
      { name: 'Spotify Extended Streaming History/ReadMeFirst_ExtendedStreamingHistory.pdf', content: '%PDF-1.4 not json' },
      { name: 'Spotify Extended Streaming History/Streaming_History_Audio_2026_1.json', content: JSON.stringify([...real.slice(half), ...ODD_ROWS]) },
      { name: 'Spotify Extended Streaming History/Streaming_History_Audio_2025-2026_0.json', content: JSON.stringify(real.slice(0, half)) },
      { name: 'Spotify Extended Streaming History/Streaming_History_Video_2026.json', content: JSON.stringify([{ ts: '2026-11-20T10:00:00Z', ip_addr: base.ip_addr }]) },
    ]);
    const response = await upload(zip, { authorization: `Bearer ${user.token}` }, `${h.api.url}/imports?filename=my_spotify_data.zip`);
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    result = await waitForImport(id);
  }, 90_000);

  it('counts each row under its reason and loses nothing else', () => {
    const shortReal = real.filter((row) => row.ms_played <= 30_000).length;
    expect(result.status).toBe('COMPLETED');
    expect(result.fileName).toBe('my_spotify_data.zip');
    expect(result.counts).toEqual({
      rowsRead: real.length + ODD_ROWS.length,
      stored: real.length + 2,
      duplicates: 0,
      shortPlays: shortReal + 1,
      unknownTracks: 2,
      skippedPodcast: 3,
      skippedLocal: 2,
      skippedMalformed: 6,
      tracksFetched: new Set(real.map((row) => row.spotify_track_uri)).size + 1,
    });
    const c = result.counts;
    expect(c.stored + c.duplicates + c.skippedPodcast + c.skippedLocal + c.skippedMalformed).toBe(c.rowsRead);
    expect(result.problems.map((p: { message: string }) => p.message)).toHaveLength(6);
    expect(result.problems.every((p: { file: string }) => p.file === 'Streaming_History_Audio_2026_1.json')).toBe(true);
  });

  it('stores every real play with its duration, and keeps plays of a track Spotify no longer knows under the streaming history’s names, for this user', async () => {
    const { rows } = await h.db.sql.query(
      `select e.played_at, e.track_id, e.ms_played, e.source, t.name, t.duration_ms, t.album_id from listening_events e join tracks t on t.id = e.track_id
       where e.user_id = $1 order by e.played_at`,
      [user.userId],
    );
    expect(rows).toHaveLength(real.length + 2);
    expect(rows.every((row) => row.source === 'import')).toBe(true);
    // The shared catalogue keeps the unknown track by its id alone; the streaming history's names are the user's.
    const unknown = rows.filter((row) => row.track_id === UNKNOWN_TRACK);
    expect(unknown.map((row) => [row.name, row.album_id, row.ms_played])).toEqual([
      ['', null, 200_000],
      ['', null, 12_000],
    ]);
    const artists = await h.db.sql.query('select count(*)::int as n from track_artists where track_id = $1', [UNKNOWN_TRACK]);
    expect(artists.rows).toEqual([{ n: 0 }]);
    const names = await h.db.sql.query('select user_id, track_name, artist_name, album_name from export_track_names where track_id = $1', [UNKNOWN_TRACK]);
    expect(names.rows).toEqual([{ user_id: user.userId, track_name: 'Gone Song', artist_name: 'Gone Band', album_name: 'Gone Album' }]);
    const realTrack = rows.find((row) => row.track_id !== UNKNOWN_TRACK)!;
    expect(realTrack.duration_ms).toBeGreaterThan(0);

    const history = await postGraphql(
      h.graphqlUrl,
      { query: '{ listeningHistory(first: 200, to: "2026-11-20T09:30:00Z") { edges { node { playedAt track { spotifyId name durationMs album { name } artists { name } } } } } }' },
      { authorization: `Bearer ${user.token}` },
    );
    const gone = history.body.data.listeningHistory.edges
      .map((edge: { node: { track: { spotifyId: string } } }) => edge.node.track)
      .filter((track: { spotifyId: string }) => track.spotifyId === UNKNOWN_TRACK);
    expect(gone).toEqual([
      { spotifyId: UNKNOWN_TRACK, name: 'Gone Song', durationMs: null, album: { name: 'Gone Album' }, artists: [{ name: 'Gone Band' }] },
      { spotifyId: UNKNOWN_TRACK, name: 'Gone Song', durationMs: null, album: { name: 'Gone Album' }, artists: [{ name: 'Gone Band' }] },
    ]);
  });

  it('keeps no IP address, device or user agent from the streaming history in the database, the logs or the upload directory', async () => {
    const tables = await h.db.sql.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
    let dump = '';
    for (const { table_name } of tables.rows) {
      const { rows } = await h.db.sql.query(`select t::text as row from "${table_name}" t`);
      dump += rows.map((row) => row.row).join('\n');
    }
    expect(dump).toContain('Gone Song');
    const logs = h.logs.lines.join('\n');
    expect(logs).toMatch(/import completed/);
    const secrets = [base.ip_addr, base.platform, base.user_agent_decrypted, 'Fairphone', ...new Set(real.map((row) => row.ip_addr)), ...new Set(real.map((row) => row.platform))];
    for (const secret of secrets) {
      expect(dump, `database holds ${secret}`).not.toContain(secret);
      expect(logs, `logs hold ${secret}`).not.toContain(secret);
    }
    expect(await readdir(importDir)).toEqual([]);
  });
});

describe('POST /imports', () => {
  it('refuses a request without a session (401), and a body of another type (415)', async () => {
    expect((await upload(Buffer.from('[]'), {})).status).toBe(401);
    const form = await upload(Buffer.from('a=b'), { authorization: `Bearer ${user.token}`, 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
  });

  it('cuts off an upload larger than IMPORT_MAX_BYTES with 413 and keeps nothing of it', async () => {
    const small = await h.startAnotherApi({ IMPORT_MAX_BYTES: '1000' });
    const before = (await h.db.sql.query('select count(*)::int as n from imports')).rows[0].n;
    // Chunked (no Content-Length): the limit is enforced while streaming, not only from the header.
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(500)));
        controller.close();
      },
    });
    const response = await fetch(`${small.url}/imports`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await h.db.sql.query('select count(*)::int as n from imports')).rows[0].n).toBe(before);
    expect(await readdir(importDir)).toEqual([]);
  });

  it('lets only the owner see and cancel an import, and a cancelled queued import never runs', async () => {
    await worker.worker.pause();
    try {
      const response = await upload(Buffer.from(JSON.stringify(ODD_ROWS)), { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' });
      const { id } = (await response.json()) as { id: string };
      const other = await h.login(h.emulator.users()[1]!.id);
      expect(await importStatus(id, other.token)).toBeNull();
      const cancelByOther = await postGraphql(h.graphqlUrl, { query: CANCEL, variables: { id } }, { authorization: `Bearer ${other.token}` });
      expect(cancelByOther.body.data.cancelImport).toEqual({ import: null, errors: [{ code: 'IMPORT_NOT_FOUND' }] });
      const cancel = await postGraphql(h.graphqlUrl, { query: CANCEL, variables: { id } }, { authorization: `Bearer ${user.token}` });
      expect(cancel.body.data.cancelImport).toEqual({ import: { status: 'CANCELLED' }, errors: [] });
      // Cancelling again changes nothing and is no error.
      const again = await postGraphql(h.graphqlUrl, { query: CANCEL, variables: { id } }, { authorization: `Bearer ${user.token}` });
      expect(again.body.data.cancelImport).toEqual({ import: { status: 'CANCELLED' }, errors: [] });
      expect(await readdir(importDir)).toEqual([]);
      worker.worker.resume();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await importStatus(id)).counts.rowsRead).toBe(0);
    } finally {
      worker.worker.resume();
    }
  });
});
