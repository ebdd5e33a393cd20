import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { removePollJobs } from '../../services/features/polling/poll-jobs.js';
// Spelled from the root: the lint rule keeping services apart matches `../api/*` and means services/api.
import { importIdOf, postGraphql, startApiHarness, type ApiHarness, type LoggedIn } from '../../test/api/api-harness.js';
import { toGlobalId } from '../../services/api/relay/global-id.js';
import { makePlay } from '../support/plays.js';

/**
 * Every query and mutation of the schema × anonymous / user A / user B / admin, in one table.
 * "admin" is the only administrator credential Playlog has: the job dashboard's basic auth. It opens the
 * dashboard and nothing in GraphQL (an operator reads queues, never listening histories).
 * test/api/authorization.test.ts goes deeper on histories (cursors, windows); this file makes sure no
 * operation is left out: a new field in schema.graphql fails the first test until it is added here.
 */
const ADMIN_PASSWORD = 'matrix-admin-password-123';
const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
type Principal = 'anonymous' | 'userA' | 'userB' | 'admin';
const PRINCIPALS: Principal[] = ['anonymous', 'userA', 'userB', 'admin'];

let h: ApiHarness;
const users: Partial<Record<'userA' | 'userB', LoggedIn>> = {};
const tracksOf: Record<'userA' | 'userB', Set<string>> = { userA: new Set(), userB: new Set() };

beforeAll(async () => {
  h = await startApiHarness({ label: 'authz_matrix', env: { ADMIN_PASSWORD } });
  users.userA = await h.login(h.emulator.users()[0]!.id);
  users.userB = await h.login(h.emulator.users()[1]!.id);
  for (const [name, offset] of [['userA', 0], ['userB', 100]] as const) {
    const plays = Array.from({ length: 5 }, (_, i) => makePlay(offset + i, new Date(Date.UTC(2026, 5, 1, 0, i)).toISOString()));
    plays.forEach((play) => tracksOf[name].add(play.track.id));
    await ingestPlays(h.db.orm.em.fork(), { userId: users[name]!.userId, plays, source: 'poll' });
  }
});
afterAll(async () => {
  await h?.stop();
});

/** A principal's request headers; `session` overrides the user's main session (for destructive cells). */
function headersOf(principal: Principal, session?: LoggedIn): Record<string, string> {
  if (principal === 'anonymous') return {};
  if (principal === 'admin') return { authorization: basic };
  return { authorization: `Bearer ${(session ?? users[principal]!).token}` };
}

async function ask(principal: Principal, query: string, variables: Record<string, unknown> = {}, session?: LoggedIn) {
  const response = await postGraphql(h.graphqlUrl, { query, variables }, headersOf(principal, session));
  expect(response.status).toBeLessThan(500);
  expect(response.text).not.toMatch(/stacktrace|\bat .*\.(ts|js):\d+/);
  return response;
}
const codes = (response: Awaited<ReturnType<typeof ask>>) => (response.body.errors ?? []).map((e: { extensions: { code: string } }) => e.extensions.code);
const isUser = (principal: Principal): principal is 'userA' | 'userB' => principal === 'userA' || principal === 'userB';

/** Each user's API token for their players (docs/listenbrainz.md), made once. */
const apiTokens: Partial<Record<'userA' | 'userB', string>> = {};
async function apiTokenOf(principal: 'userA' | 'userB'): Promise<string> {
  const made = await ask(principal, 'mutation { createApiToken(input: { name: "matrix" }) { token } }');
  apiTokens[principal] ??= made.body.data.createApiToken.token as string;
  return apiTokens[principal]!;
}

const MATRIX: Record<string, (principal: Principal) => Promise<void>> = {
  async createApiToken(principal) {
    const response = await ask(principal, 'mutation { createApiToken(input: { name: "made in the matrix" }) { token apiToken { id } } }');
    if (!isUser(principal)) return expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    const { rows } = await h.db.sql.query<{ user_id: string }>('select user_id from api_tokens where id = $1', [response.body.data.createApiToken.apiToken.id]);
    expect(rows).toEqual([{ user_id: users[principal]!.userId }]);
  },

  async apiTokens(principal) {
    const response = await ask(principal, '{ apiTokens { id name } }');
    if (!isUser(principal)) return expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    await apiTokenOf(principal);
    const ids = ((await ask(principal, '{ apiTokens { id } }')).body.data.apiTokens as Array<{ id: string }>).map((token) => token.id);
    const { rows } = await h.db.sql.query<{ user_id: string }>('select distinct user_id from api_tokens where id = any($1::uuid[])', [ids]);
    expect(rows).toEqual([{ user_id: users[principal]!.userId }]);
  },

  async revokeApiToken(principal) {
    const victim = (await ask('userA', 'mutation { createApiToken(input: { name: "to revoke" }) { token apiToken { id } } }')).body.data.createApiToken;
    const response = await ask(principal, 'mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { revokedApiTokenId } }', { id: victim.apiToken.id });
    const stillValid = (await (await fetch(`${h.api.url}/listenbrainz/1/validate-token`, { headers: { authorization: `Token ${victim.token}` } })).json()) as { valid: boolean };
    if (principal === 'userA') {
      expect(response.body.data.revokeApiToken.revokedApiTokenId).toBe(victim.apiToken.id);
      expect(stillValid.valid).toBe(false);
    } else {
      if (principal === 'userB') expect(response.body.data.revokeApiToken.revokedApiTokenId).toBeNull();
      else expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(stillValid.valid).toBe(true);
    }
  },

  async nowPlaying(principal) {
    const token = await apiTokenOf('userA');
    await fetch(`${h.api.url}/listenbrainz/1/submit-listens`, {
      method: 'POST',
      headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ listen_type: 'playing_now', payload: [{ track_metadata: { artist_name: 'A’s artist', track_name: 'A’s song' } }] }),
    });
    const response = await ask(principal, '{ nowPlaying { trackName } }');
    if (principal === 'userA') expect(response.body.data.nowPlaying).toEqual({ trackName: 'A’s song' });
    else if (principal === 'userB') expect(response.body.data.nowPlaying).toBeNull();
    else expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  },

  async me(principal) {
    const response = await ask(principal, '{ me { id displayName } }');
    if (isUser(principal)) expect(response.body.data.me.id).toBe(users[principal]!.globalUserId);
    else expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  },

  async listeningHistory(principal) {
    const response = await ask(principal, '{ listeningHistory(first: 200) { edges { node { track { spotifyId } } } } }');
    if (isUser(principal)) {
      const seen = new Set(response.body.data.listeningHistory.edges.map((e: { node: { track: { spotifyId: string } } }) => e.node.track.spotifyId));
      expect(seen).toEqual(tracksOf[principal]);
    } else {
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.body.data).toBeNull();
    }
  },

  async requestSync(principal) {
    const ids = [users.userA!.userId, users.userB!.userId];
    for (const id of ids) await removePollJobs(h.queue, id);
    const response = await ask(principal, 'mutation { requestSync { poll } }');
    const queued = (await h.queue.getJobs(['waiting', 'delayed', 'prioritized'])).map((job) => job.data.userId).filter((id) => ids.includes(id));
    if (isUser(principal)) {
      expect(response.body.data).toEqual({ requestSync: { poll: 'STARTED' } });
      expect(queued).toEqual([users[principal]!.userId]);
    } else {
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(queued).toEqual([]);
    }
  },

  async updateSettings(principal) {
    const zone = principal === 'userA' ? 'Europe/Paris' : 'Asia/Tokyo';
    const response = await ask(principal, 'mutation ($zone: String!) { updateSettings(input: { timeZone: $zone }) { user { id timeZone } } }', { zone });
    if (isUser(principal)) expect(response.body.data.updateSettings.user).toEqual({ id: users[principal]!.globalUserId, timeZone: zone });
    else expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    // Each user's zone is their own.
    if (principal === 'userB') expect((await ask('userA', '{ me { timeZone } }')).body.data.me.timeZone).toBe('Europe/Paris');
  },

  // Statistics (issue 17): each user's figures are of their own five plays; their tracks are their own.
  async listeningSummary(principal) {
    const response = await ask(principal, '{ listeningSummary { plays distinctTracks } }');
    if (isUser(principal)) expect(response.body.data.listeningSummary).toEqual({ plays: 5, distinctTracks: 5 });
    else expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  },

  async listeningActivity(principal) {
    const response = await ask(principal, '{ listeningActivity(range: { from: "2026-06-01T00:00:00Z", to: "2026-06-02T00:00:00Z" }, bucket: DAY, timeZone: "UTC") { plays } }');
    if (isUser(principal)) expect(response.body.data.listeningActivity).toEqual([{ plays: 5 }]);
    else expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  },

  async listeningClock(principal) {
    const response = await ask(principal, '{ listeningClock(timeZone: "UTC") { plays } }');
    if (isUser(principal)) expect(response.body.data.listeningClock.reduce((sum: number, cell: { plays: number }) => sum + cell.plays, 0)).toBe(5);
    else expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  },

  async topTracks(principal) {
    const response = await ask(principal, '{ topTracks(first: 200) { totalCount edges { node { track { spotifyId } } } } }');
    if (!isUser(principal)) return expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    const seen = new Set(response.body.data.topTracks.edges.map((e: { node: { track: { spotifyId: string } } }) => e.node.track.spotifyId));
    expect(seen).toEqual(tracksOf[principal]);
  },

  async topAlbums(principal) {
    const response = await ask(principal, '{ topAlbums { totalCount edges { node { plays } } } }');
    if (isUser(principal)) expect(response.body.data.topAlbums).toEqual({ totalCount: 1, edges: [{ node: { plays: 5 } }] });
    else expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  },

  async topArtists(principal) {
    const response = await ask(principal, '{ topArtists(first: 200) { totalCount edges { node { plays artist { name } } } } }');
    if (!isUser(principal)) return expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    // The shared first artist with all five plays, then one guest per track (A's track 1 credits the first
    // artist twice, as its guest id is the same: counted once).
    expect(response.body.data.topArtists.totalCount).toBe(principal === 'userA' ? 5 : 6);
    expect(response.body.data.topArtists.edges[0].node).toEqual({ plays: 5, artist: { name: 'The Testers' } });
  },

  async yearInReview(principal) {
    const response = await ask(principal, '{ yearInReview(year: 2026, timeZone: "UTC") { summary { plays } topTracks { track { spotifyId } } } }');
    if (!isUser(principal)) return expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.body.data.yearInReview.summary.plays).toBe(5);
    for (const { track } of response.body.data.yearInReview.topTracks) expect(tracksOf[principal].has(track.spotifyId)).toBe(true);
  },

  async search(principal) {
    const response = await ask(principal, '{ search(query: "song", first: 50) { totalCount edges { node { item { ... on Track { spotifyId } } } } } }');
    if (!isUser(principal)) return expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    // Both listeners have five tracks named "Song …": each finds their own five, never the other's.
    const found = new Set(response.body.data.search.edges.map((e: { node: { item: { spotifyId?: string } } }) => e.node.item.spotifyId).filter(Boolean));
    expect(found).toEqual(tracksOf[principal]);
  },

  async startSpotifyLogin(principal) {
    // Public by design: it only returns where to send the browser; whoever finishes it is who Spotify says.
    const response = await ask(principal, 'mutation { startSpotifyLogin { authorizationUrl state } }');
    expect(codes(response)).toEqual([]);
    expect(response.body.data.startSpotifyLogin.authorizationUrl).toContain(h.emulator.accountsUrl);
  },

  async completeSpotifyLogin(principal) {
    const before = (await h.db.sql.query('select count(*)::int as n from sessions')).rows[0].n;
    const response = await ask(principal, 'mutation ($state: String!) { completeSpotifyLogin(input: { code: "forged", state: $state }) { session { token } errors { code } } }', {
      state: 'forged-state',
    });
    expect(response.body.data.completeSpotifyLogin).toEqual({ session: null, errors: [{ code: 'LOGIN_STATE_INVALID' }] });
    expect((await h.db.sql.query('select count(*)::int as n from sessions')).rows[0].n).toBe(before);
  },

  async logout(principal) {
    // Each cell logs out a session of its own, so A's and B's main sessions stay for the other cells.
    const spare = isUser(principal) ? await h.login(users[principal]!.spotifyUserId) : undefined;
    const response = await ask(principal, 'mutation { logout { revokedAt } }', {}, spare);
    if (isUser(principal)) {
      expect(typeof response.body.data.logout.revokedAt).toBe('string');
      expect(codes(await ask(principal, '{ me { id } }', {}, spare))).toEqual(['UNAUTHENTICATED']);
    } else {
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    }
    for (const user of ['userA', 'userB'] as const) expect((await ask(user, '{ me { id } }')).body.data.me.id).toBe(users[user]!.globalUserId);
  },

  async deleteMyAccount(principal) {
    // A and B delete stand-ins (other synthetic users) so that their own rows stay for the other cells.
    const victim = isUser(principal) ? await h.login(h.emulator.users()[principal === 'userA' ? 2 : 3]!.id) : undefined;
    const before = (await h.db.sql.query<{ id: string }>('select id from users')).rows.map((row) => row.id).sort();
    const response = await ask(principal, 'mutation { deleteMyAccount { deletedUserId } }', {}, victim);
    const after = (await h.db.sql.query<{ id: string }>('select id from users')).rows.map((row) => row.id).sort();
    if (victim) {
      expect(response.body.data).toEqual({ deleteMyAccount: { deletedUserId: victim.globalUserId } });
      expect(after).toEqual(before.filter((id) => id !== victim.userId));
    } else {
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(after).toEqual(before);
    }
  },

  // Imports (issue 10): each cell makes an import of user A's of its own.
  async imports(principal) {
    const id = await importOfUserA();
    const response = await ask(principal, '{ imports(first: 100) { totalCount edges { node { id } } } }');
    if (!isUser(principal)) return expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    const ids = response.body.data.imports.edges.map((e: { node: { id: string } }) => e.node.id);
    if (principal === 'userA') expect(ids).toContain(id);
    else expect(response.body.data.imports).toEqual({ totalCount: 0, edges: [] });
  },

  async cancelImport(principal) {
    const id = await importOfUserA();
    const response = await ask(principal, 'mutation ($id: ID!) { cancelImport(input: { id: $id }) { import { status } errors { code } } }', { id });
    const status = (await h.db.sql.query('select status from imports where id = $1', [importIdOf(id)])).rows[0].status;
    if (principal === 'userA') {
      expect(response.body.data.cancelImport).toEqual({ import: { status: 'CANCELLED' }, errors: [] });
      expect(status).toBe('cancelled');
    } else {
      if (principal === 'userB') expect(response.body.data.cancelImport).toEqual({ import: null, errors: [{ code: 'IMPORT_NOT_FOUND' }] });
      else expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(status).toBe('queued');
    }
  },

  // Personal exports (issue 19): each cell makes an export of user A's of its own; its download is A's alone.
  async exports(principal) {
    const id = await exportOfUserA();
    const response = await ask(principal, '{ exports(first: 100) { totalCount edges { node { id } } } }');
    if (!isUser(principal)) return expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    const ids = response.body.data.exports.edges.map((e: { node: { id: string } }) => e.node.id);
    if (principal === 'userA') expect(ids).toContain(id);
    else expect(response.body.data.exports).toEqual({ totalCount: 0, edges: [] });
  },

  async export(principal) {
    const id = await exportOfUserA();
    const response = await ask(principal, 'query ($id: ID!) { export(id: $id) { id downloadUrl } }', { id });
    const download = await fetch(`${h.api.url}/exports/${id}/download`, { headers: headersOf(principal) });
    // The file is not on disk (the row says completed): its owner gets 404 too, never another user's bytes.
    if (!isUser(principal)) {
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(download.status).toBe(401);
    } else {
      expect(response.body.data.export).toEqual(principal === 'userA' ? { id, downloadUrl: `/exports/${id}/download` } : null);
      expect(download.status).toBe(404);
    }
  },

  async requestExport(principal) {
    const before = Number((await h.db.sql.query(`select count(*) as n from exports where status = 'queued'`)).rows[0].n);
    const response = await ask(principal, 'mutation { requestExport(input: { format: CSV }) { export { status } errors { code } } }');
    const after = Number((await h.db.sql.query(`select count(*) as n from exports where status = 'queued'`)).rows[0].n);
    if (isUser(principal)) {
      expect(response.body.data.requestExport).toEqual({ export: { status: 'QUEUED' }, errors: [] });
      expect(after).toBe(before + 1);
      // Out of the way of the next cells (the pending limit).
      await h.db.sql.query(`update exports set status = 'failed' where status = 'queued'`);
    } else {
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(after).toBe(before);
    }
  },

  // Global object identification: A's user, play, import and tracks by their ids; B sees none of them.
  async node(principal) {
    const ids = await idsOfUserA();
    for (const id of ids) {
      const response = await ask(principal, 'query ($id: ID!) { node(id: $id) { id } }', { id });
      if (!isUser(principal)) expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      else expect(response.body.data.node).toEqual(principal === 'userA' ? { id } : null);
    }
  },

  async nodes(principal) {
    const ids = await idsOfUserA();
    const response = await ask(principal, 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    if (!isUser(principal)) return expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.body.data.nodes).toEqual(principal === 'userA' ? ids.map((id) => ({ id })) : ids.map(() => null));
  },
};

/** Global ids of things of user A's only: A's User, a play, its track and guest artist (B's plays share the album), and an import. */
async function idsOfUserA(): Promise<string[]> {
  const importId = await importOfUserA();
  const a = await ask('userA', '{ me { id } listeningHistory(first: 1) { edges { node { id track { id artists { id } } } } } }');
  const play = a.body.data.listeningHistory.edges[0].node;
  return [a.body.data.me.id, play.id, play.track.id, play.track.artists[1].id, importId];
}

/** A completed export of user A's (its file is nowhere); its global id. */
async function exportOfUserA(): Promise<string> {
  const { rows } = await h.db.sql.query(
    `insert into exports (user_id, format, status, file_path, expires_at) values ($1, 'csv', 'completed', '/nonexistent/export.csv', now() + interval '1 hour') returning id`,
    [users.userA!.userId],
  );
  return toGlobalId({ type: 'Export', exportId: rows[0].id });
}

/** A queued import of user A's; its global id. */
async function importOfUserA(): Promise<string> {
  const { rows } = await h.db.sql.query(`insert into imports (user_id, file_name, file_path, file_bytes) values ($1, 'streaming-history.zip', '/nonexistent/streaming-history.zip', 1) returning id`, [
    users.userA!.userId,
  ]);
  return toGlobalId({ type: 'Import', importId: rows[0].id });
}

describe('authorization matrix', () => {
  it('covers every query and mutation of schema.graphql', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    const operations = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) => Object.keys(type?.getFields() ?? {}));
    expect(operations.sort()).toEqual(Object.keys(MATRIX).sort());
  });

  for (const [operation, check] of Object.entries(MATRIX)) {
    it.each(PRINCIPALS)(`${operation} as %s`, async (principal) => {
      await check(principal);
    });
  }
});

describe('the ListenBrainz API: A’s listens × every credential', () => {
  type Credential = Principal | 'userA session';
  const credentials: Credential[] = ['anonymous', 'userA', 'userB', 'admin', 'userA session'];
  const headersFor = async (credential: Credential): Promise<Record<string, string>> => {
    if (credential === 'userA' || credential === 'userB') return { authorization: `Token ${await apiTokenOf(credential)}` };
    if (credential === 'userA session') return { authorization: `Token ${users.userA!.token}` };
    return headersOf(credential);
  };
  const reads = ['listens', 'listen-count', 'playing-now'].map((endpoint) => `user/:user/${endpoint}`).concat(['artists', 'releases', 'recordings', 'listening-activity'].map((stat) => `stats/user/:user/${stat}`));

  for (const endpoint of reads) {
    it.each(credentials)(`GET ${endpoint} of A as %s`, async (credential) => {
      const response = await fetch(`${h.api.url}/listenbrainz/1/${endpoint.replace(':user', users.userA!.spotifyUserId)}`, { headers: await headersFor(credential) });
      const body = await response.text();
      // Only A's own token reads A's data; B gets the 404 a missing user gets; anything else is not a token.
      expect(response.status).toBe(credential === 'userA' ? 200 : credential === 'userB' ? 404 : 401);
      if (credential !== 'userA') expect(body).not.toContain('Song');
    });
  }

  it.each(credentials)('POST submit-listens as %s stores only with an API token, for its own listener', async (credential) => {
    const response = await fetch(`${h.api.url}/listenbrainz/1/submit-listens`, {
      method: 'POST',
      headers: { ...(await headersFor(credential)), 'content-type': 'application/json' },
      body: JSON.stringify({ listen_type: 'single', payload: [{ listened_at: 1_780_000_000, track_metadata: { artist_name: 'Matrix', track_name: `as ${credential}` } }] }),
    });
    expect(response.status).toBe(credential === 'userA' || credential === 'userB' ? 200 : 401);
    const { rows } = await h.db.sql.query<{ user_id: string }>(
      `select e.user_id from listening_events e join export_track_names n on n.user_id = e.user_id and n.track_id = e.track_id where n.track_name = $1`,
      [`as ${credential}`],
    );
    expect(rows.map((row) => row.user_id)).toEqual(credential === 'userA' || credential === 'userB' ? [users[credential]!.userId] : []);
  });
});

describe('the job dashboard (the admin’s one door)', () => {
  const dashboard = (headers: Record<string, string>) => fetch(`${h.api.url}/admin/queues/api/queues`, { headers });

  it.each(['anonymous', 'userA', 'userB'] as const)('refuses %s with 401 and a Basic challenge', async (principal) => {
    const response = await dashboard(headersOf(principal));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await response.text()).not.toContain(users.userA!.userId);
  });

  it('refuses the admin name with a user’s session token as password', async () => {
    const response = await dashboard({ authorization: `Basic ${Buffer.from(`admin:${users.userA!.token}`).toString('base64')}` });
    expect(response.status).toBe(401);
  });

  it('lets the admin in', async () => {
    const response = await dashboard(headersOf('admin'));
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).toContain('poll');
  });
});
