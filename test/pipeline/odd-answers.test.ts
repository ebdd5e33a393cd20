import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { saveCredentials } from '../../services/features/accounts/data/credentials.repository.js';
import { fromSpotifyItem } from '../../services/features/plays/from-spotify-item.js';
import { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import { playHistoryItemSchema, type SpotifyPlayHistoryItem } from '../../services/features/spotify/spotify-schemas.js';
import { DEFAULT_POLL_LOOKBACK_MS } from '../../services/worker/poll/poll-user.job.js';
import { parsedLogs, startPipeline, type Pipeline } from './pipeline-harness.js';

/** Spotify answers that are odd but real (issue 8), as JSON. */
const track = (id: string | null, overrides: Record<string, unknown> = {}) => ({
  id,
  name: `Song ${id ?? 'local'}`,
  uri: id ? `spotify:track:${id}` : 'spotify:local:Some+Band:Demo:Garage+Tape:214',
  duration_ms: 214_000,
  is_local: id === null,
  album: {
    id: 'album00000000000000001',
    name: 'An Album',
    uri: 'spotify:album:album00000000000000001',
    release_date: '2019',
    images: [
      { url: 'https://i.scdn.co/image/small', width: 64, height: 64 },
      { url: 'https://i.scdn.co/image/large', width: 640, height: 640 },
    ],
  },
  artists: [{ id: 'artist0000000000000001', name: 'Band', uri: 'spotify:artist:artist0000000000000001' }],
  ...overrides,
});
const item = (playedAt: string, trackJson: Record<string, unknown>, context: Record<string, unknown> | null = null) => ({ played_at: playedAt, track: trackJson, context });
const parse = (json: unknown): SpotifyPlayHistoryItem => playHistoryItemSchema.parse(json);

describe('mapping a play-history item', () => {
  it('skips a local file with its reason: a play is keyed by a Spotify track id', () => {
    expect(fromSpotifyItem(parse(item('2026-11-23T10:00:00.000Z', track(null, { album: { id: null, name: 'Garage Tape', uri: null, images: [] }, artists: [{ id: null, name: 'Some Band', uri: null }] }))))).toEqual({
      skipped: 'local_file',
      detail: 'local file "Song local" played at 2026-11-23T10:00:00.000Z',
    });
  });

  it('keeps the largest album image, leaves out artists without id, and keeps unknown context types', () => {
    const mapped = fromSpotifyItem(
      parse(
        item(
          '2026-11-23T10:00:00Z',
          track('track00000000000000001', {
            artists: [
              { id: null, name: 'Nobody', uri: null },
              { id: 'artist0000000000000002', name: 'Somebody' },
            ],
          }),
          { type: 'collection', uri: 'spotify:user:ann:collection' },
        ),
      ),
    );
    expect(mapped.play).toMatchObject({
      playedAt: '2026-11-23T10:00:00Z',
      context: { type: 'collection', uri: 'spotify:user:ann:collection' },
      track: { album: { imageUrl: 'https://i.scdn.co/image/large', releaseDate: '2019' }, artists: [{ id: 'artist0000000000000002', uri: 'spotify:artist:artist0000000000000002' }] },
    });
    expect(mapped.artistsWithoutId).toBe(1);
  });

  it('stores an album without images with no image, and a context without uri as no context', () => {
    const mapped = fromSpotifyItem(parse(item('2026-11-23T10:00:00.5Z', track('track00000000000000001', { album: { ...track('x').album, images: [] } }), { type: 'playlist', uri: null })));
    expect(mapped.play?.track.album?.imageUrl).toBeNull();
    expect(mapped.play?.context).toBeNull();
  });
});

/** A stand-in for Spotify's Web API whose recently-played answers the test scripts one by one. */
interface Scripted {
  status?: number;
  contentType?: string;
  body: string | ((requestUrl: URL, base: string) => unknown);
}

describe('a poll that meets odd answers', () => {
  let pipeline: Pipeline;
  let server: Server;
  let base: string;
  let userId: string;
  const script: Scripted[] = [];
  const requests: URL[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', base);
      requests.push(url);
      const next = script.shift() ?? { body: () => ({ items: [], next: null, cursors: null, limit: 50 }) };
      const body = typeof next.body === 'string' ? next.body : JSON.stringify(next.body(url, base));
      res.writeHead(next.status ?? 200, { 'content-type': next.contentType ?? 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;

    pipeline = await startPipeline('odd', { users: 0 });
    const { rows } = await pipeline.db.sql.query<{ id: string }>(`insert into users (id, spotify_user_id) values (gen_random_uuid(), 'odd') returning id`);
    userId = rows[0]!.id;
    await saveCredentials(pipeline.db.orm.em.fork(), pipeline.cipher, userId, {
      accessToken: 'not-a-real-access-token',
      refreshToken: 'not-a-real-refresh-token',
      accessTokenExpiresAt: new Date(Date.now() + 3_600_000),
      scopes: ['user-read-recently-played'],
    });
    await pipeline.startWorker({ deps: { api: new SpotifyApiClient({ apiUrl: base, timeoutMs: 2_000 }) } });
  }, 60_000);
  afterAll(async () => {
    await pipeline?.close();
    await new Promise((resolve) => server?.close(resolve));
  });
  beforeEach(async () => {
    script.length = 0;
    requests.length = 0;
    await pipeline.queue.obliterate({ force: true });
    await pipeline.db.sql.query('delete from listening_events');
    await pipeline.db.sql.query('delete from poll_state');
  });

  const poll = async () => {
    await pipeline.queue.add('poll-user', { userId, reason: 'manual' }, { jobId: `poll-${userId}-${Date.now()}`, attempts: 3, backoff: { type: 'jitteredExponential', delay: 10 } });
    await pipeline.waitUntilIdle();
  };
  const cursor = async () => (await pipeline.db.sql.query('select after_cursor_ms from poll_state where user_id = $1', [userId])).rows[0]?.after_cursor_ms ?? null;
  const stored = async () =>
    (await pipeline.db.sql.query<{ played_at: Date; track_id: string; context_type: string | null; image_url: string | null }>(
      `select e.played_at, e.track_id, e.context_type, a.image_url from listening_events e join tracks t on t.id = e.track_id left join albums a on a.id = t.album_id
        where e.user_id = $1 order by e.played_at`,
      [userId],
    )).rows.map((row) => ({ ...row, played_at: row.played_at.toISOString() }));

  it('stores what it can and skips local files with a logged reason, without failing the job', async () => {
    script.push({
      body: () => ({
        items: [
          item('2026-11-23T10:03:00Z', track(null)),
          item('2026-11-23T10:02:00.250Z', track('track00000000000000002', { album: { ...track('x').album, id: 'album00000000000000002', images: [] } }), { type: 'collection', uri: 'spotify:user:odd:collection' }),
          item('2026-11-23T10:01:00Z', track('track00000000000000001', { artists: [{ id: null, name: 'Nobody', uri: null }] })),
        ],
        next: null,
        cursors: null,
        limit: 50,
      }),
    });
    await poll();

    expect(await pipeline.queue.getCompletedCount()).toBe(1);
    expect(await stored()).toEqual([
      { played_at: '2026-11-23T10:01:00.000Z', track_id: 'track00000000000000001', context_type: null, image_url: 'https://i.scdn.co/image/large' },
      { played_at: '2026-11-23T10:02:00.250Z', track_id: 'track00000000000000002', context_type: 'collection', image_url: null },
    ]);
    // The cursor passes the local file too: it will never be stored, so it is not fetched again.
    expect(Number(await cursor())).toBe(Date.parse('2026-11-23T10:03:00Z'));
    const line = parsedLogs(pipeline.logLines).find((log) => log.skip === 'local_file');
    expect(line?.msg).toBe('play not stored: local file "Song local" played at 2026-11-23T10:03:00Z');
    expect(parsedLogs(pipeline.logLines).filter((log) => log.status === 'polled').at(-1)).toMatchObject({ fetched: 3, new: 2, skipped: { local_file: 1 }, artistsWithoutId: 1 });
  });

  it('accepts an empty page with cursors: null', async () => {
    await poll();
    expect(await pipeline.queue.getCompletedCount()).toBe(1);
    expect(await stored()).toEqual([]);
    expect(await cursor()).toBeNull();
  });

  it('stops paging when next does not move forward, keeping what the pages held', async () => {
    const repeating = (url: URL, apiBase: string) => ({
      items: [item('2026-11-23T11:00:00.000Z', track('track00000000000000003'))],
      // Always the same `next`, whatever was asked.
      next: `${apiBase}/me/player/recently-played?after=${Date.parse('2026-11-23T11:00:00.000Z')}&limit=50`,
      cursors: { after: String(Date.parse('2026-11-23T11:00:00.000Z')), before: url.searchParams.get('after') },
      limit: 50,
    });
    script.push({ body: repeating }, { body: repeating }, { body: repeating });
    await poll();
    expect(await pipeline.queue.getCompletedCount()).toBe(1);
    expect(requests.map((url) => url.searchParams.get('after'))).toEqual(['0', String(Date.parse('2026-11-23T11:00:00.000Z'))]);
    expect(await stored()).toHaveLength(1);
    expect(parsedLogs(pipeline.logLines).some((log) => String(log.msg).startsWith('Spotify returned a next page that does not move forward'))).toBe(true);
  });

  it.each([
    ['a truncated body', { body: '{"items":[{"played_at":"2026-11-23T12:00:00Z","tra' }, /answered 200 with a body that is not JSON \(application\/json, \d+ bytes\)/],
    ['an HTML error page', { status: 503, contentType: 'text/html', body: '<html><body>Service Unavailable</body></html>' }, /answered 503 \(server error\) \(text\/html, not JSON\)/],
    ['a 200 of the wrong shape', { body: () => ({ tracks: [] }) }, /answered an unexpected shape: items: /],
  ] as const)('fails the attempt on %s with a clear error, keeps only whole pages, and continues from the cursor on retry', async (_name, bad, message) => {
    const firstAt = Date.parse('2026-11-23T11:59:00Z');
    script.push(
      { body: (_url, apiBase) => ({ items: [item('2026-11-23T11:59:00Z', track('track00000000000000005'))], next: `${apiBase}/me/player/recently-played?after=${firstAt}&limit=50`, cursors: null, limit: 50 }) },
      bad,
      { body: () => ({ items: [item('2026-11-23T12:00:00Z', track('track00000000000000004'))], next: null, cursors: null, limit: 50 }) },
    );
    await poll();

    const [job] = await pipeline.queue.getCompleted();
    expect(job?.attemptsMade).toBe(2);
    // First attempt: page 1 stored whole (cursor moved), page 2 refused; the retry starts from page 1's cursor,
    // less the lookback that reads plays Spotify delivered late.
    expect(requests.map((url) => url.searchParams.get('after'))).toEqual(['0', String(firstAt), String(firstAt - DEFAULT_POLL_LOOKBACK_MS)]);
    const state = (await pipeline.db.sql.query('select last_error, consecutive_failures from poll_state where user_id = $1', [userId])).rows[0];
    expect(state.last_error).toMatch(message);
    expect(state.last_error).toMatch(/attempt 1 of 3, will retry/);
    expect(state.consecutive_failures).toBe(0);
    expect((await stored()).map((play) => play.track_id)).toEqual(['track00000000000000005', 'track00000000000000004']);
  });
});
