import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { countRows, errorCodes, startApiHarness, type ApiHarness, type LoggedIn } from '../api/api-harness.js';
import { makePlay } from '../support/plays.js';
import { createToken, lb, listen } from './listenbrainz-harness.js';

let h: ApiHarness;
let alice: LoggedIn;
let bob: LoggedIn;
const now = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  h = await startApiHarness({ label: 'lb_tokens', env: { LISTENBRAINZ_RATE_LIMIT: '1000' } });
  alice = await h.login(h.emulator.users()[0]!.id);
  bob = await h.login(h.emulator.users()[1]!.id);
});
afterAll(async () => {
  await h?.stop();
});

const TOKENS = '{ apiTokens { id name createdAt lastUsedAt } }';
type Tokens = { apiTokens: Array<{ id: string; name: string; createdAt: string; lastUsedAt: string | null }> };

describe('API tokens', () => {
  it('are made, listed (never shown again), used and revoked by their listener, and refused at once when revoked', async () => {
    const made = await createToken(h, alice, 'Pano on my phone');
    expect(made.token).toMatch(/^plg_[A-Za-z0-9_-]{43}$/);
    let listed = (await h.client(alice.token).request<Tokens>(TOKENS)).apiTokens;
    expect(listed).toEqual([{ id: made.id, name: 'Pano on my phone', createdAt: expect.any(String), lastUsedAt: null }]);
    expect(JSON.stringify(listed)).not.toContain(made.token);
    // Only the hash is kept.
    const { rows } = await h.db.sql.query<{ token_hash: string }>('select token_hash from api_tokens where id = $1', [made.id]);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.token_hash).not.toContain(made.token);

    expect((await lb(h, `/1/user/${alice.spotifyUserId}/listen-count`, { token: made.token })).status).toBe(200);
    listed = (await h.client(alice.token).request<Tokens>(TOKENS)).apiTokens;
    expect(Date.parse(listed[0]!.lastUsedAt!)).toBeGreaterThan(Date.now() - 60_000);

    const revoke = '($id: ID!) { revokeApiToken(input: { id: $id }) { revokedApiTokenId } }';
    // Another listener cannot revoke it: nothing happens, and it still works.
    expect((await h.client(bob.token).request<{ revokeApiToken: { revokedApiTokenId: string | null } }>(`mutation ${revoke}`, { id: made.id })).revokeApiToken.revokedApiTokenId).toBeNull();
    expect((await lb(h, `/1/user/${alice.spotifyUserId}/listen-count`, { token: made.token })).status).toBe(200);
    expect((await h.client(alice.token).request<{ revokeApiToken: { revokedApiTokenId: string | null } }>(`mutation ${revoke}`, { id: made.id })).revokeApiToken.revokedApiTokenId).toBe(made.id);
    const refused = await lb(h, '/1/submit-listens', { token: made.token, body: { listen_type: 'single', payload: [listen(now - 60, { artist: 'A', title: 'T' })] } });
    expect(refused).toMatchObject({ status: 401, body: { code: 401, error: 'Invalid authorization token.' } });
    expect((await lb(h, '/1/validate-token', { token: made.token })).body).toMatchObject({ valid: false });
    // Used in headers and in validate-token's query, made, revoked: never in a log line.
    await lb(h, `/1/validate-token?token=${made.token}`);
    expect(h.logs.lines.join('\n')).not.toContain(made.token);
    expect(h.logs.lines.join('\n')).not.toContain(made.token.slice(4, 20));
  });

  it('refuse a name that is empty, too long or has control characters', async () => {
    for (const name of ['', '   ', 'x'.repeat(101), 'a\nb']) {
      expect(await errorCodes(h.client(alice.token).request('mutation ($name: String!) { createApiToken(input: { name: $name }) { token } }', { name }))).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('are not sessions, and sessions are not API tokens', async () => {
    const { token } = await createToken(h, alice, 'not a session');
    expect(await errorCodes(h.client(token).request(TOKENS))).toEqual(['UNAUTHENTICATED']);
    expect((await lb(h, `/1/user/${alice.spotifyUserId}/listen-count`, { token: alice.token })).status).toBe(401);
    expect((await lb(h, '/1/validate-token', { token: alice.token })).body).toMatchObject({ valid: false });
  });
});

describe('a listener reads only their own listens', () => {
  it('answers the same 404 for another listener’s name and for a name nobody has, on every read endpoint', async () => {
    const { token } = await createToken(h, bob, 'bob’s player');
    for (const endpoint of ['listens', 'listen-count', 'playing-now']) {
      const other = await lb(h, `/1/user/${alice.spotifyUserId}/${endpoint}`, { token });
      const nobody = await lb(h, `/1/user/nobody-at-all/${endpoint}`, { token });
      expect([other.status, nobody.status]).toEqual([404, 404]);
      expect(other.body.error).toBe(`Cannot find user: ${alice.spotifyUserId}`);
      expect(nobody.body.error).toBe('Cannot find user: nobody-at-all');
      expect((await lb(h, `/1/user/${alice.spotifyUserId}/${endpoint}`)).status).toBe(401);
    }
    for (const stat of ['artists', 'releases', 'recordings', 'listening-activity']) {
      expect((await lb(h, `/1/stats/user/${alice.spotifyUserId}/${stat}`, { token })).status).toBe(404);
    }
  });

  it('keeps the names of a listen without a Spotify id its listener’s own', async () => {
    const aliceToken = (await createToken(h, alice, 'alice names')).token;
    const bobToken = (await createToken(h, bob, 'bob names')).token;
    // The same song by both, written differently: each sees their own spelling.
    await lb(h, '/1/submit-listens', { token: aliceToken, body: { listen_type: 'single', payload: [listen(now - 10_000, { artist: 'Sigur Rós', title: 'Hoppípolla', release: 'Takk...' })] } });
    await lb(h, '/1/submit-listens', { token: bobToken, body: { listen_type: 'single', payload: [listen(now - 10_000, { artist: 'sigur rós', title: 'hoppípolla' })] } });
    const names = async (token: string, user: LoggedIn) =>
      ((await lb(h, `/1/user/${user.spotifyUserId}/listens?count=1&max_ts=${now - 9_000}`, { token })).body.payload as { listens: Array<{ track_metadata: Record<string, unknown> }> }).listens[0]!.track_metadata;
    expect(await names(aliceToken, alice)).toMatchObject({ artist_name: 'Sigur Rós', track_name: 'Hoppípolla', release_name: 'Takk...' });
    expect(await names(bobToken, bob)).toMatchObject({ artist_name: 'sigur rós', track_name: 'hoppípolla' });
  });

  it('joins a listen naming a Spotify track the catalogue knows to that track, and one of the listener’s own tracks by its names', async () => {
    const token = (await createToken(h, bob, 'web scrobbler')).token;
    const polled = makePlay(7, new Date((now - 200_000) * 1000).toISOString());
    await ingestPlays(h.db.orm.em.fork(), { userId: bob.userId, plays: [polled], source: 'poll' });
    const byId = listen(now - 50_000, { artist: 'Somebody Else', title: 'Other Title', info: { spotify_id: `https://open.spotify.com/track/${polled.track.id}` } });
    const byName = listen(now - 40_000, { artist: 'the testers', title: 'SONG 7' });
    expect((await lb(h, '/1/submit-listens', { token, body: { listen_type: 'import', payload: [byId, byName] } })).status).toBe(200);
    const { rows } = await h.db.sql.query<{ track_id: string; n: string }>(`select track_id, count(*) as n from listening_events where user_id = $1 and track_id = $2 group by 1`, [bob.userId, polled.track.id]);
    expect(rows).toEqual([{ track_id: polled.track.id, n: '3' }]);
    const read = (await lb(h, `/1/user/${bob.spotifyUserId}/listens?count=1&max_ts=${now - 49_000}`, { token })).body.payload as { listens: Array<{ track_metadata: Record<string, unknown> }> };
    // Named as Spotify names it, with the track's Spotify link.
    expect(read.listens[0]!.track_metadata).toMatchObject({ track_name: 'Song 7', artist_name: 'The Testers, Guest 7', additional_info: { spotify_id: `https://open.spotify.com/track/${polled.track.id}` } });
  });
});

describe('rate limits', () => {
  it('count per token with ListenBrainz’s headers, and answer 429 once spent', async () => {
    const limited = await h.startAnotherApi({ LISTENBRAINZ_RATE_LIMIT: '5', LISTENBRAINZ_RATE_LIMIT_WINDOW_SECONDS: '60' });
    const ask = async (token: string) => {
      const response = await fetch(`${limited.url}/listenbrainz/1/validate-token`, { headers: { Authorization: `Token ${token}` } });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
    };
    const { token } = await createToken(h, alice, 'busy player');
    const statuses: number[] = [];
    let last = await ask(token);
    statuses.push(last.status);
    for (let i = 0; i < 5; i++) {
      last = await ask(token);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(last.body).toMatchObject({ code: 429 });
    expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(last.headers.get('x-ratelimit-reset-in'))).toBeGreaterThan(0);
    expect(Number(last.headers.get('x-ratelimit-reset'))).toBeGreaterThan(now);
    // Another token of the same listener has its own count.
    const other = (await createToken(h, alice, 'quiet player')).token;
    expect((await ask(other)).status).toBe(200);
  });
});

describe('deleteMyAccount', () => {
  it('removes the listener’s tokens, listens and playing-now state', async () => {
    const carol = await h.login(h.emulator.users()[2]!.id);
    const { token } = await createToken(h, carol, 'carol');
    await lb(h, '/1/submit-listens', { token, body: { listen_type: 'single', payload: [listen(now - 100, { artist: 'A', title: 'T' })] } });
    await lb(h, '/1/submit-listens', { token, body: { listen_type: 'playing_now', payload: [{ track_metadata: { artist_name: 'A', track_name: 'Now' } }] } });
    expect(await countRows(h.db, 'listening_events', carol.userId)).toBe(1);
    expect(await h.redis.keys(`${h.config.QUEUE_PREFIX}:listenbrainz:playing-now:${carol.userId}`)).toHaveLength(1);
    await h.client(carol.token).request('mutation { deleteMyAccount(input: {}) { deletedUserId } }');
    expect(await countRows(h.db, 'listening_events', carol.userId)).toBe(0);
    expect(await countRows(h.db, 'api_tokens', carol.userId)).toBe(0);
    expect(await h.redis.keys(`${h.config.QUEUE_PREFIX}:listenbrainz:playing-now:${carol.userId}`)).toHaveLength(0);
    expect((await lb(h, '/1/validate-token', { token })).body).toMatchObject({ valid: false });
  });
});

describe('a listen’s track by its MusicBrainz recording', () => {
  it('is one track for every listen naming the same recording, however the players write its names', async () => {
    const dana = await h.login(h.emulator.users()[3]!.id);
    const { token } = await createToken(h, dana, 'two players');
    const mbid = 'b1a9c0e9-d987-4042-ae91-78d6a3267d69';
    const first = listen(now - 30_000, { artist: 'Björk', title: 'Jóga', info: { recording_mbid: mbid } });
    // Another player, another spelling, the MBID in another of the forms ListenBrainz accepts.
    const second = listen(now - 20_000, { artist: 'Bjork', title: 'Joga (Remastered)', info: { recording_mbid: `{${mbid.toUpperCase()}}` } });
    const third = listen(now - 10_000, { artist: 'Björk', title: 'Jóga' });
    for (const one of [first, second, third]) expect((await lb(h, '/1/submit-listens', { token, body: { listen_type: 'single', payload: [one] } })).status).toBe(200);
    const { rows } = await h.db.sql.query<{ tracks: string }>('select count(distinct track_id) as tracks from listening_events where user_id = $1', [dana.userId]);
    expect(rows).toEqual([{ tracks: '1' }]);
    const read = (await lb(h, `/1/user/${dana.spotifyUserId}/listens`, { token })).body.payload as { listens: Array<{ track_metadata: { track_name: string } }> };
    // Named as the first listen named it.
    expect(read.listens.map((l) => l.track_metadata.track_name)).toEqual(['Jóga', 'Jóga', 'Jóga']);
  });
});
