import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type LoggedIn } from '../api/api-harness.js';
import { createToken, HISTORY, lb, listen, type History } from './listenbrainz-harness.js';

let h: ApiHarness;
let alice: LoggedIn;
let token: string;
const now = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  h = await startApiHarness({ label: 'lb_submit_read' });
  alice = await h.login(h.emulator.users()[0]!.id);
  token = (await createToken(h, alice)).token;
});
afterAll(async () => {
  await h?.stop();
});


describe('submit-listens and reading back', () => {
  it('stores a single listen, answers ok, and shows it in the history, the listens and the listen count', async () => {
    const sent = await lb(h, '/1/submit-listens', {
      token,
      body: { listen_type: 'single', payload: [listen(now - 600, { artist: 'Nils Frahm', title: 'Says', release: 'Spaces', info: { duration_ms: 488_000 } })] },
    });
    expect(sent).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(sent.headers.get('x-ratelimit-limit')).toBe('100');
    expect(Number(sent.headers.get('x-ratelimit-remaining'))).toBeLessThan(100);
    expect(Number(sent.headers.get('x-ratelimit-reset-in'))).toBeGreaterThan(0);

    const history = await h.client(alice.token).request<History>(HISTORY);
    expect(history.listeningHistory.totalCount).toBe(1);
    const play = history.listeningHistory.edges[0]!.node;
    expect(play.track).toEqual({ id: expect.any(String), name: 'Says', artists: [{ name: 'Nils Frahm' }], album: { name: 'Spaces' } });
    expect(play.source).toBe('LISTENBRAINZ');
    // Stored at its end: the start the player sent plus the duration.
    expect(Date.parse(play.playedAt)).toBe((now - 600) * 1000 + 488_000);

    const read = await lb(h, `/1/user/${alice.spotifyUserId}/listens`, { token });
    expect(read.status).toBe(200);
    const payload = read.body.payload as { count: number; listens: Array<{ listened_at: number; track_metadata: Record<string, unknown> }> };
    expect(payload.count).toBe(1);
    expect(payload.listens[0]).toMatchObject({ listened_at: now - 600, track_metadata: { artist_name: 'Nils Frahm', track_name: 'Says', release_name: 'Spaces' } });

    expect((await lb(h, `/1/user/${alice.spotifyUserId}/listen-count`, { token })).body).toEqual({ payload: { count: 1 } });
  });

  it('answers ok to the same listen again, and stores it once', async () => {
    const body = { listen_type: 'single', payload: [listen(now - 600, { artist: 'Nils Frahm', title: 'Says', release: 'Spaces', info: { duration_ms: 488_000 } })] };
    expect((await lb(h, '/1/submit-listens', { token, body })).body).toEqual({ status: 'ok' });
    expect((await lb(h, `/1/user/${alice.spotifyUserId}/listen-count`, { token })).body).toEqual({ payload: { count: 1 } });
  });

  it('stores an import of many listens, and pages them newest first by max_ts and min_ts', async () => {
    const payload = Array.from({ length: 30 }, (_, i) => listen(now - 86_400 + i * 300, { artist: 'Floating Points', title: `Track ${i}`, info: { duration_ms: 200_000 } }));
    expect((await lb(h, '/1/submit-listens', { token, body: { listen_type: 'import', payload } })).status).toBe(200);
    const first = (await lb(h, `/1/user/${alice.spotifyUserId}/listens?count=10`, { token })).body.payload as { listens: Array<{ listened_at: number }> };
    expect(first.listens.map((l) => l.listened_at)).toEqual([now - 600, ...Array.from({ length: 9 }, (_, i) => now - 86_400 + (29 - i) * 300)]);
    const older = (await lb(h, `/1/user/${alice.spotifyUserId}/listens?count=5&max_ts=${now - 86_400 + 5 * 300}`, { token })).body.payload as { listens: Array<{ listened_at: number }> };
    expect(older.listens.map((l) => l.listened_at)).toEqual([4, 3, 2, 1, 0].map((i) => now - 86_400 + i * 300));
    const after = (await lb(h, `/1/user/${alice.spotifyUserId}/listens?count=3&min_ts=${now - 86_400}`, { token })).body.payload as { listens: Array<{ listened_at: number }> };
    expect(after.listens.map((l) => l.listened_at)).toEqual([3, 2, 1].map((i) => now - 86_400 + i * 300));
    expect((await lb(h, `/1/user/${alice.spotifyUserId}/listen-count`, { token })).body).toEqual({ payload: { count: 31 } });
  });

  it('keeps playing_now until the track would end, and shows it in GraphQL', async () => {
    const sent = await lb(h, '/1/submit-listens', {
      token,
      body: { listen_type: 'playing_now', payload: [{ track_metadata: { artist_name: 'Jon Hopkins', track_name: 'Emerald Rush', additional_info: { duration_ms: 4_000, media_player: 'Navidrome' } } }] },
    });
    expect(sent.body).toEqual({ status: 'ok' });
    const playing = (await lb(h, `/1/user/${alice.spotifyUserId}/playing-now`, { token })).body.payload as { count: number; listens: Array<{ track_metadata: { track_name: string } }> };
    expect(playing.count).toBe(1);
    expect(playing.listens[0]!.track_metadata.track_name).toBe('Emerald Rush');
    const graphql = await h.client(alice.token).request<{ nowPlaying: { trackName: string; client: string; endsAt: string } | null }>('{ nowPlaying { trackName client endsAt } }');
    expect(graphql.nowPlaying).toMatchObject({ trackName: 'Emerald Rush', client: 'Navidrome' });
    // Nothing was stored: playing now is not a listen.
    expect((await lb(h, `/1/user/${alice.spotifyUserId}/listen-count`, { token })).body).toEqual({ payload: { count: 31 } });
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect(((await lb(h, `/1/user/${alice.spotifyUserId}/playing-now`, { token })).body.payload as { count: number }).count).toBe(0);
  });

  it('accepts a body without a Content-Type and a lowercase token scheme, at the base URL without /1', async () => {
    const response = await fetch(`${h.api.url}/listenbrainz/submit-listens`, {
      method: 'POST',
      headers: { authorization: `token ${token}` },
      body: JSON.stringify({ listen_type: 'single', payload: [listen(now - 5_000, { artist: 'Bonobo', title: 'Kerala' })] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('validates tokens as ListenBrainz does', async () => {
    expect((await lb(h, `/1/validate-token?user_name=${alice.spotifyUserId}`, { token })).body).toEqual({ code: 200, message: 'Token valid.', valid: true, user_name: alice.spotifyUserId });
    expect((await lb(h, '/1/validate-token', { token: 'plg_not-a-token' })).body).toEqual({ code: 200, message: 'Token invalid.', valid: false });
    expect((await lb(h, `/1/validate-token?token=${token}`)).body).toMatchObject({ valid: true });
    expect((await lb(h, '/1/validate-token')).status).toBe(400);
  });
});

describe('metrics', () => {
  it('count listens by type, new plays by source, and each endpoint as one route label without the user name', async () => {
    const text = await (await fetch(h.api.metricsUrl)).text();
    expect(text).toMatch(/playlog_listens_received_total\{listen_type="single"\} [1-9]/);
    expect(text).toMatch(/playlog_listens_received_total\{listen_type="import"\} 30/);
    expect(text).toMatch(/playlog_plays_stored_total\{source="listenbrainz"\} 32/);
    expect(text).toContain('route="/listenbrainz/1/user/:user/listens"');
    expect(text).toContain('route="/listenbrainz/1/submit-listens"');
    expect(text).not.toContain(alice.spotifyUserId);
  });
});
