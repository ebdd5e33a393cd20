import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type LoggedIn } from '../api/api-harness.js';
import { endpointOf, fillPlaceholders, loadClientFixtures, replay, type ClientFixture, type RecordedRequest, type ReplayedResponse } from './client-replay.js';
import { createToken, lb } from './listenbrainz-harness.js';

/*
 * Every request of fixtures/clients/*.json — seven real players' requests, read from their sources — sent
 * to the API exactly as the player sends it, and each answer checked against what that player does with
 * it (the fixture's notes): a listen must be stored once however often the player sends it, and an
 * endpoint Playlog does not serve must fail in a way the player copes with.
 */

const fixtures = loadClientFixtures();
/** A short rate-limit window, so that waiting one out as a player does takes a test seconds. */
const WINDOW_SECONDS = 2;

/** The endpoints players call that Playlog does not serve (docs/listenbrainz.md), per fixture: each must get a ListenBrainz 404. */
const NOT_SERVED: Record<string, string[]> = {
  jellyfin: ['POST feedback/recording-feedback', 'GET feedback/user/:user/get-feedback', 'GET user/:user/playlists/createdfor'],
  'listenbrainz-mpd': ['GET metadata/lookup', 'POST feedback/recording-feedback'],
  'pano-scrobbler': ['POST feedback/recording-feedback', 'POST feedback/recording-feedback', 'POST delete-listen', 'GET feedback/user/:user/get-feedback', 'GET user/:user/following'],
};

const HISTORY = /* GraphQL */ `
  query {
    listeningHistory(first: 200) {
      totalCount
      edges { node { playedAt msPlayed source track { name artists { name } } } }
    }
  }
`;
type History = { listeningHistory: { totalCount: number; edges: Array<{ node: { playedAt: string; msPlayed: number | null; source: string; track: { name: string; artists: Array<{ name: string }> } } }> } };

let h: ApiHarness;
/** The listens' base time: recent, whole seconds, as players send it. */
const listenedAt = Math.floor(Date.now() / 1000) - 120;

beforeAll(async () => {
  h = await startApiHarness({ label: 'lb_clients', emulator: { users: fixtures.length }, env: { LISTENBRAINZ_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS) } });
});
afterAll(async () => {
  await h?.stop();
});

interface Player {
  fixture: ClientFixture;
  user: LoggedIn;
  token: string;
  /** Each request as sent and answered, in the fixture's order. */
  exchanges: Array<{ request: RecordedRequest; response: ReplayedResponse }>;
}

/** Sends every request of the fixture, in order, as the player would. */
async function replayAll(player: Player): Promise<Player['exchanges']> {
  const exchanges: Player['exchanges'] = [];
  for (const recorded of player.fixture.requests) {
    const request = await fillPlaceholders(recorded, {
      token: player.token,
      userName: player.user.spotifyUserId,
      listenedAt,
      recordingMsid: async () => {
        const listens = (await lb(h, `/1/user/${player.user.spotifyUserId}/listens`, { token: player.token })).body.payload as { listens: Array<{ recording_msid: string }> };
        return listens.listens[0]!.recording_msid;
      },
    });
    exchanges.push({ request, response: await replay(h.api.url, player.fixture, request) });
  }
  return exchanges;
}

const endpoint = (player: Player, request: RecordedRequest) => `${request.method} ${endpointOf(request.path, player.user.spotifyUserId)}`;
const presentsItsToken = (player: Player, request: RecordedRequest) => (request.headers.Authorization ?? '').split(/\s+/)[1] === player.token;

/** The listens the fixture submits (single and import), once each, with the play Playlog makes of each. */
function submittedListens(player: Player): Array<{ track: string; artist: string; playedAtMs: number; msPlayed: number | null }> {
  const listens = new Map<string, { track: string; artist: string; playedAtMs: number; msPlayed: number | null }>();
  for (const { request } of player.exchanges) {
    if (!request.path.endsWith('submit-listens')) continue;
    const body = request.body as {
      listen_type: string;
      payload: Array<{ listened_at?: number; track_metadata: { track_name: string; artist_name: string; additional_info?: { duration_ms?: number; duration?: number; submission_client?: string } } }>;
    };
    if (body.listen_type === 'playing_now') continue;
    for (const listen of body.payload) {
      const info = listen.track_metadata.additional_info ?? {};
      const msPlayed = info.duration_ms ?? (info.duration === undefined ? null : info.duration * 1000);
      // A play ends its duration after the start the player sent; Jellyfin's plugin sends the end itself (its source says so).
      const sendsTheEnd = info.submission_client === 'ListenBrainz plugin for Jellyfin';
      const playedAtMs = listen.listened_at! * 1000 + (sendsTheEnd ? 0 : (msPlayed ?? 0));
      listens.set(`${playedAtMs}/${listen.track_metadata.artist_name}/${listen.track_metadata.track_name}`, { track: listen.track_metadata.track_name, artist: listen.track_metadata.artist_name, playedAtMs, msPlayed });
    }
  }
  return [...listens.values()].sort((a, b) => b.playedAtMs - a.playedAtMs || a.track.localeCompare(b.track));
}

async function historyOf(player: Player) {
  const { listeningHistory } = await h.client(player.user.token).request<History>(HISTORY);
  expect(listeningHistory.edges.every(({ node }) => node.source === 'LISTENBRAINZ')).toBe(true);
  return {
    totalCount: listeningHistory.totalCount,
    plays: listeningHistory.edges
      .map(({ node }) => ({ track: node.track.name, artist: node.track.artists.map((artist) => artist.name).join(', '), playedAtMs: Date.parse(node.playedAt), msPlayed: node.msPlayed }))
      .sort((a, b) => b.playedAtMs - a.playedAtMs || a.track.localeCompare(b.track)),
  };
}

/** Checks one answer against what any ListenBrainz player expects of that endpoint; returns the endpoint when Playlog does not serve it. */
function expectServedAsListenBrainz(player: Player, request: RecordedRequest, response: ReplayedResponse, listenCount: number): string | null {
  const what = `${player.fixture.client}: ${request.purpose} (${request.method} ${request.path})`;
  const name = endpoint(player, request);
  // Every answer carries the rate-limit headers players pace themselves by.
  expect(Number(response.headers['x-ratelimit-reset-in']), what).toBeGreaterThanOrEqual(1);
  expect(response.headers['x-ratelimit-remaining'], what).toMatch(/^\d+$/);
  if (response.status >= 400) expect(response.json, what).toEqual({ code: response.status, error: expect.any(String) });

  if (name === 'POST submit-listens') {
    expect({ status: response.status, json: response.json }, what).toEqual({ status: 200, json: { status: 'ok' } });
  } else if (name === 'GET validate-token') {
    expect({ status: response.status, json: response.json }, what).toEqual({ status: 200, json: { code: 200, message: 'Token valid.', valid: true, user_name: player.user.spotifyUserId } });
  } else if (name === 'GET user/:user/listens') {
    // Jellyfin's reads send the token in its stored (base64) form: Playlog takes that form too.
    expect(presentsItsToken(player, request) || request.headers.Authorization === `token ${Buffer.from(player.token).toString('base64')}`, what).toBe(true);
    expect(response.status, what).toBe(200);
    const payload = response.json!.payload as { count: number; latest_listen_ts: unknown; oldest_listen_ts: unknown; listens: Array<Record<string, unknown>> };
    expect(payload.count, what).toBe(payload.listens.length);
    expect(payload.count, what).toBeGreaterThan(0);
    // Pano Scrobbler reads both as numbers to page the history.
    expect(typeof payload.latest_listen_ts, what).toBe('number');
    expect(typeof payload.oldest_listen_ts, what).toBe('number');
    for (const listen of payload.listens) {
      expect(listen, what).toMatchObject({ listened_at: expect.any(Number), recording_msid: expect.any(String), track_metadata: { artist_name: expect.any(String), track_name: expect.any(String) } });
    }
    if (request.query.max_ts) expect(payload.listens.every((listen) => (listen.listened_at as number) < Number(request.query.max_ts)), what).toBe(true);
  } else if (name === 'GET user/:user/listen-count') {
    expect({ status: response.status, json: response.json }, what).toEqual({ status: 200, json: { payload: { count: listenCount } } });
  } else if (name === 'GET user/:user/playing-now') {
    expect(response.status, what).toBe(200);
    expect(response.json!.payload, what).toMatchObject({ playing_now: true, user_id: player.user.spotifyUserId, count: expect.any(Number), listens: expect.any(Array) });
  } else if (name.startsWith('GET stats/user/:user/')) {
    // ListenBrainz answers 204 while a range has no statistics; Pano shows an empty chart.
    if (response.status === 204) return null;
    expect(response.status, what).toBe(200);
    const payload = response.json!.payload as Record<string, unknown>;
    // Pano Scrobbler reads every one of these as a number (or the range as a string): a null fails its decoding.
    expect(payload, what).toMatchObject({ from_ts: expect.any(Number), to_ts: expect.any(Number), last_updated: expect.any(Number), range: request.query.range });
    if (!name.endsWith('listening-activity')) expect(payload, what).toMatchObject({ offset: 0, count: expect.any(Number) });
  } else {
    expect({ status: response.status, json: response.json }, what).toEqual({ status: 404, json: { code: 404, error: expect.any(String) } });
    return name;
  }
  return null;
}

/** Uses up the token's requests in this window, then sends the player's request: it must be the one refused. */
async function refusedForRate(player: Player, recorded: RecordedRequest): Promise<ReplayedResponse> {
  const request = await fillPlaceholders(recorded, { token: player.token, userName: player.user.spotifyUserId, listenedAt, recordingMsid: () => Promise.reject(new Error('not needed')) });
  for (let attempt = 0; attempt < 5; attempt++) {
    let refused = false;
    while (!refused) {
      const statuses = await Promise.all(
        Array.from({ length: 25 }, () => fetch(`${h.api.url}/listenbrainz/1/nothing-here`, { headers: { Authorization: `Token ${player.token}` } }).then(async (r) => (await r.arrayBuffer(), r.status))),
      );
      refused = statuses.includes(429);
    }
    const response = await replay(h.api.url, player.fixture, request);
    // The window may have ended between the two: use up the next one.
    if (response.status === 429) return response;
  }
  throw new Error('the rate limit never refused the player’s request');
}

const players = new Map<string, Player>();
const scrobbleOf = (fixture: ClientFixture) => fixture.requests.find((request) => request.path.endsWith('submit-listens') && (request.body as { listen_type: string }).listen_type !== 'playing_now')!;

describe.each(fixtures.map((fixture, index) => ({ fixture, index, name: fixture.client })))('$name', ({ fixture, index }) => {
  const player = () => players.get(fixture.file)!;

  beforeAll(async () => {
    const user = await h.login(h.emulator.users()[index]!.id);
    const { token } = await createToken(h, user, fixture.client.slice(0, 60));
    players.set(fixture.file, { fixture, user, token, exchanges: [] });
  });

  it('answers every recorded request as a ListenBrainz player expects; the endpoints Playlog does not serve get a ListenBrainz 404', async () => {
    const p = player();
    p.exchanges = await replayAll(p);
    const notServed: string[] = [];
    for (const { request, response } of p.exchanges) {
      // The listen count a player reads counts the listens it sent before asking.
      const sentBefore = submittedListens({ ...p, exchanges: p.exchanges.slice(0, p.exchanges.findIndex((exchange) => exchange.request === request)) }).length;
      const unserved = expectServedAsListenBrainz(p, request, response, sentBefore);
      if (unserved) notServed.push(unserved);
    }
    expect(notServed).toEqual(NOT_SERVED[fixture.file] ?? []);
  });

  it('stores each listen it sent once, at its end (its start plus its duration), in the GraphQL history', async () => {
    const p = player();
    const expected = submittedListens(p);
    expect(expected.length).toBeGreaterThan(0);
    const history = await historyOf(p);
    expect(history.totalCount).toBe(expected.length);
    expect(history.plays).toEqual(expected);
  });

  it('sent again (a retry, a resubmitted cache): the same answers, and nothing stored twice', async () => {
    const p = player();
    const before = await historyOf(p);
    const again = await replayAll(p);
    expect(again.map(({ response }) => response.status)).toEqual(p.exchanges.map(({ response }) => response.status));
    for (const { request, response } of again) {
      if (request.path.endsWith('submit-listens')) expect({ status: response.status, json: response.json }).toEqual({ status: 200, json: { status: 'ok' } });
    }
    expect(await historyOf(p)).toEqual(before);
  });
});

describe('what each player needs beyond ListenBrainz’s shapes', () => {
  it('Navidrome: an error is JSON with its code, which decides whether it retries; a GET with a JSON body and Content-Type is read', async () => {
    const p = players.get('navidrome')!;
    const validate = p.exchanges.find(({ request }) => request.path.endsWith('validate-token'))!;
    expect(validate.request.body).toEqual({});
    expect(validate.response.json).toMatchObject({ valid: true, user_name: p.user.spotifyUserId });
    const scrobble = await fillPlaceholders(scrobbleOf(p.fixture), { token: 'plg_not-a-token', userName: p.user.spotifyUserId, listenedAt, recordingMsid: () => Promise.reject(new Error('not needed')) });
    const refused = await replay(h.api.url, p.fixture, scrobble);
    // Code 401 is not 500/503: Navidrome does not retry a listen it cannot send with that token.
    expect({ status: refused.status, json: refused.json }).toEqual({ status: 401, json: { code: 401, error: 'Invalid authorization token.' } });
  });

  it('listenbrainz-mpd: exactly 200 for a finished song, with its string track numbers', () => {
    const p = players.get('listenbrainz-mpd')!;
    const submissions = p.exchanges.filter(({ request }) => request.path.endsWith('submit-listens'));
    expect(submissions.map(({ response }) => response.status)).toEqual([200, 200, 200]);
    expect(submissions.some(({ request }) => JSON.stringify(request.body).includes('"tracknumber":"3/11"'))).toBe(true);
  });

  it('Pano Scrobbler: a user name from validate-token, and recording_msids in the listens it reads', () => {
    const p = players.get('pano-scrobbler')!;
    const validate = p.exchanges.find(({ request }) => request.path.endsWith('validate-token'))!;
    // The request carries Content-Type on a GET without a body.
    expect(validate.request.headers['Content-Type']).toBe('application/json');
    expect(validate.response.json!.user_name).toBe(p.user.spotifyUserId);
    const nowPlaying = p.exchanges.find(({ request }) => request.query.return_msid === 'true')!;
    expect(nowPlaying.response.json).toEqual({ status: 'ok' });
    const history = p.exchanges.find(({ request }) => request.purpose === 'recent listens (history page)')!;
    const listens = (history.response.json!.payload as { listens: Array<{ recording_msid: string; track_metadata: { track_name: string } }> }).listens;
    expect(listens.map((listen) => listen.track_metadata.track_name)).toEqual(['Paranoid Android', 'Paranoid Android', 'Hyperballad']);
    expect(new Set(listens.map((listen) => listen.recording_msid)).size).toBe(3);
  });

  it('Web Scrobbler: JSON status "ok" at the full endpoint URL it is given', () => {
    const p = players.get('web-scrobbler')!;
    expect(p.fixture.configuredUrl).toBe('/listenbrainz/1/submit-listens');
    for (const { request, response } of p.exchanges) {
      expect(request.path).toBe(p.fixture.configuredUrl);
      expect(response.json).toEqual({ status: 'ok' });
    }
  });

  it('gonic: a body ending in a newline (Go’s json.Encoder) is accepted', () => {
    const p = players.get('gonic')!;
    expect(p.exchanges.map(({ response }) => response.status)).toEqual([200, 200]);
  });

  it('Music Assistant: at the origin’s /1, without a Content-Type, its escaped non-ASCII names stored as sent', async () => {
    const p = players.get('music-assistant')!;
    for (const { request } of p.exchanges) {
      expect(request.path.startsWith('/1/')).toBe(true);
      expect(Object.keys(request.headers).map((name) => name.toLowerCase())).not.toContain('content-type');
    }
    expect(p.exchanges[0]!.response.json).toMatchObject({ valid: true });
    const { plays } = await historyOf(p);
    expect(plays.find((play) => play.track === 'Jóga')).toMatchObject({ artist: 'Björk', msPlayed: 305_000 });
  });

  it('Jellyfin: every answer is JSON; its reads with the token’s stored (base64) form are answered', () => {
    const p = players.get('jellyfin')!;
    for (const { response } of p.exchanges) expect(response.json).toBeDefined();
    const reads = p.exchanges.filter(({ request }) => !presentsItsToken(p, request));
    expect(reads.map(({ request, response }) => `${endpoint(p, request)} ${response.status}`)).toEqual([
      'GET user/:user/listens 200',
      'GET feedback/user/:user/get-feedback 404',
      'GET user/:user/playlists/createdfor 404',
    ]);
  });
});

describe('the rate limit, waited out as each player waits', () => {
  it.each(['jellyfin', 'listenbrainz-mpd'])('%s: 429 with X-RateLimit-Reset-In, then the same listen accepted once that many seconds have passed', async (file) => {
    const p = players.get(file)!;
    const refused = await refusedForRate(p, scrobbleOf(p.fixture));
    expect(refused.json).toEqual({ code: 429, error: expect.any(String) });
    const resetIn = Number(refused.headers['x-ratelimit-reset-in']);
    expect(Number.isInteger(resetIn) && resetIn >= 1 && resetIn <= WINDOW_SECONDS).toBe(true);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    await new Promise((resolve) => setTimeout(resolve, resetIn * 1000));
    const request = await fillPlaceholders(scrobbleOf(p.fixture), { token: p.token, userName: p.user.spotifyUserId, listenedAt, recordingMsid: () => Promise.reject(new Error('not needed')) });
    expect((await replay(h.api.url, p.fixture, request)).status).toBe(200);
    expect((await historyOf(p)).totalCount).toBe(submittedListens(p).length);
  });

  it('Music Assistant (urllib3 retries a 429 at once, unless told to wait): 429 with Retry-After as long as X-RateLimit-Reset-In', async () => {
    const p = players.get('music-assistant')!;
    const refused = await refusedForRate(p, scrobbleOf(p.fixture));
    expect(refused.headers['retry-after']).toBe(refused.headers['x-ratelimit-reset-in']);
  });
});
