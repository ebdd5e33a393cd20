import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-request';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { makePlay } from '../support/plays.js';
import { errorCodes, postGraphql, startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

let h: ApiHarness;
let alice: LoggedIn;
let bob: LoggedIn;
const aliceTracks = new Set<string>();
const bobTracks = new Set<string>();

beforeAll(async () => {
  h = await startApiHarness({ label: 'api_authz' });
  alice = await h.login(h.emulator.users()[0]!.id);
  bob = await h.login(h.emulator.users()[1]!.id);
  // Interleaved plays, some at the very same instants, on distinct tracks per user.
  const at = (i: number) => new Date(Date.UTC(2026, 2, 1) + i * 120_000).toISOString();
  const alicePlays = Array.from({ length: 40 }, (_, i) => makePlay(100 + i, at(i * 2)));
  const bobPlays = Array.from({ length: 40 }, (_, i) => makePlay(500 + i, at(i * 2 + (i % 2))));
  alicePlays.forEach((p) => aliceTracks.add(p.track.id));
  bobPlays.forEach((p) => bobTracks.add(p.track.id));
  await ingestPlays(h.db.orm.em.fork(), { userId: alice.userId, plays: alicePlays, source: 'poll' });
  await ingestPlays(h.db.orm.em.fork(), { userId: bob.userId, plays: bobPlays, source: 'poll' });
});
afterAll(async () => {
  await h?.stop();
});

const HISTORY = gql`
  query History($first: Int, $after: String, $from: DateTime, $to: DateTime) {
    listeningHistory(first: $first, after: $after, from: $from, to: $to) {
      edges {
        cursor
        node {
          track {
            spotifyId
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
interface Page {
  listeningHistory: { edges: Array<{ cursor: string; node: { track: { spotifyId: string } } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const OPERATIONS: Record<string, { query: string; variables?: Record<string, unknown> }> = {
  me: { query: '{ me { id } }' },
  listeningHistory: { query: '{ listeningHistory { edges { cursor } } }' },
  requestSync: { query: 'mutation { requestSync { poll } }' },
  logout: { query: 'mutation { logout { revokedAt } }' },
  deleteMyAccount: { query: 'mutation { deleteMyAccount { deletedUserId } }' },
};

describe('authentication', () => {
  it.each(Object.keys(OPERATIONS))('refuses %s without a session (UNAUTHENTICATED)', async (name) => {
    const { query } = OPERATIONS[name]!;
    const response = await postGraphql(h.graphqlUrl, { query });
    expect(response.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    expect(response.text).not.toMatch(/stacktrace|at .*\.ts:\d+/);
  });

  it.each([
    ['a garbled token', 'Bearer not-a-token'],
    ['an unknown token', `Bearer ${'A'.repeat(43)}`],
    ['another scheme', 'Basic YWRtaW46YWRtaW4='],
    ['a bare token', 'QUJD'],
  ])('refuses %s', async (_name, authorization) => {
    const response = await postGraphql(h.graphqlUrl, { query: '{ me { id } }' }, { authorization });
    expect(response.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an expired session', async () => {
    const session = await h.login(h.emulator.users()[2]!.id);
    await h.db.sql.query(`update sessions set expires_at = now() - interval '1 second' where user_id = $1`, [session.userId]);
    expect(await errorCodes(h.client(session.token).request('{ me { id } }'))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a disabled user’s session and login', async () => {
    const session = await h.login(h.emulator.users()[3]!.id);
    await h.db.sql.query(`update users set status = 'disabled' where id = $1`, [session.userId]);
    expect(await errorCodes(h.client(session.token).request('{ me { id } }'))).toEqual(['ACCOUNT_DISABLED']);
    await expect(h.login(h.emulator.users()[3]!.id)).rejects.toThrow(/ACCOUNT_DISABLED/);
    await h.db.sql.query(`update users set status = 'active' where id = $1`, [session.userId]);
  });

  it('needs no session for the login mutations', async () => {
    const response = await postGraphql(h.graphqlUrl, { query: 'mutation { startSpotifyLogin { state } }' });
    expect(response.status).toBe(200);
    expect(response.body.data.startSpotifyLogin.state).toBeTruthy();
  });
});

describe('a user sees only their own plays', () => {
  const walk = async (token: string, variables: Record<string, unknown> = {}) => {
    const tracks: string[] = [];
    let after = (variables.after as string | undefined) ?? null;
    for (;;) {
      const page: Page = await h.client(token).request<Page>(HISTORY, { first: 7, ...variables, after });
      tracks.push(...page.listeningHistory.edges.map((edge) => edge.node.track.spotifyId));
      if (!page.listeningHistory.pageInfo.hasNextPage) return tracks;
      after = page.listeningHistory.pageInfo.endCursor;
    }
  };

  it('pages through exactly their own plays', async () => {
    expect(new Set(await walk(alice.token))).toEqual(aliceTracks);
    expect(new Set(await walk(bob.token))).toEqual(bobTracks);
  });

  it('gives nothing of B’s to A with B’s cursors: a cursor is only a position in the caller’s own history', async () => {
    const bobPage = await h.client(bob.token).request<Page>(HISTORY, { first: 10 });
    for (const edge of bobPage.listeningHistory.edges) {
      const seen = await walk(alice.token, { after: edge.cursor });
      expect(seen.filter((id) => bobTracks.has(id))).toEqual([]);
      expect(seen.every((id) => aliceTracks.has(id))).toBe(true);
    }
  });

  it('gives nothing of B’s to A by any from/to window', async () => {
    for (const [from, to] of [
      ['2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z'],
      ['2026-03-01T00:02:00Z', '2026-03-01T00:02:00.001Z'],
      ['1970-01-01T00:00:00Z', '9999-12-31T00:00:00Z'],
    ]) {
      const seen = await walk(alice.token, { from, to });
      expect(seen.some((id) => bobTracks.has(id))).toBe(false);
    }
  });

  it('answers me with the caller’s own profile', async () => {
    const a = await h.client(alice.token).request<{ me: { id: string } }>('{ me { id } }');
    const b = await h.client(bob.token).request<{ me: { id: string } }>('{ me { id } }');
    expect([a.me.id, b.me.id]).toEqual([alice.globalUserId, bob.globalUserId]);
  });

  it('logs out only the caller’s session', async () => {
    const extra = await h.login(h.emulator.users()[1]!.id);
    await h.client(extra.token).request('mutation { logout { revokedAt } }');
    expect((await h.client(alice.token).request<{ me: { id: string } }>('{ me { id } }')).me.id).toBe(alice.globalUserId);
    expect((await h.client(bob.token).request<{ me: { id: string } }>('{ me { id } }')).me.id).toBe(bob.globalUserId);
  });
});
