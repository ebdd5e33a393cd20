import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-request';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { makePlay } from '../support/plays.js';
import { sqlRecorder } from '../support/sql-recorder.js';
import { encodeImportCursor } from '../../services/api/imports/import-cursor.js';
import { toGlobalId } from '../../services/api/relay/global-id.js';
import { errorCodes, startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

/** Every SQL statement Postgres receives from this process (the API runs in it). */
const sql = sqlRecorder();

let h: ApiHarness;
let alice: LoggedIn;
beforeAll(async () => {
  h = await startApiHarness({ label: 'api_history' });
  alice = await h.login(h.emulator.users()[0]!.id);
});
afterAll(async () => {
  await h?.stop();
});

const HISTORY = gql`
  query History($first: Int, $after: String, $last: Int, $before: String, $from: DateTime, $to: DateTime) {
    listeningHistory(first: $first, after: $after, last: $last, before: $before, from: $from, to: $to) {
      edges {
        cursor
        node {
          id
          playedAt
          msPlayed
          source
          context {
            type
            uri
          }
          track {
            id
            spotifyId
            name
            durationMs
            uri
            album {
              id
              spotifyId
              name
            }
            artists {
              id
              spotifyId
              name
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

interface Page {
  listeningHistory: {
    edges: Array<{ cursor: string; node: { id: string; playedAt: string; track: { id: string; spotifyId: string; album: { id: string } | null; artists: Array<{ id: string }> } } }>;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

const history = (token: string, variables: Record<string, unknown>) => h.client(token).request<Page>(HISTORY, variables);
const key = (edge: Page['listeningHistory']['edges'][number]) => `${edge.node.playedAt}/${edge.node.track.spotifyId}`;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1) + minute * 60_000).toISOString();

describe('listeningHistory', () => {
  it('walks every page newest first, with no gap and no repeat, while plays are stored between pages', async () => {
    const user = await h.login(h.emulator.users()[1]!.id);
    // 230 plays three minutes apart; every tenth minute-slot holds two plays at the same instant (a tie).
    const plays = Array.from({ length: 230 }, (_, i) => makePlay(1000 + i, at(Math.floor(i / 10) * 60 + (i % 10 === 1 ? 0 : (i % 10) * 3))));
    await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays, source: 'poll' });
    const expected = new Set(plays.map((p) => `${p.playedAt}/${p.track.id}`));

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Page = await history(user.token, { first: 25, after });
      seen.push(...page.listeningHistory.edges.map(key));
      pages += 1;
      // Between pages: a new play arrives from polling (newer than everything), and an old one from an
      // import lands far below the cursor: the first must not appear in later pages, the second must, once.
      await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays: [makePlay(5000 + pages, at(100_000 + pages))], source: 'poll' });
      if (pages === 3) {
        const backfill = makePlay(9000, at(-10));
        await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays: [backfill], source: 'import' });
        expected.add(`${backfill.playedAt}/${backfill.track.id}`);
      }
      if (!page.listeningHistory.pageInfo.hasNextPage) break;
      after = page.listeningHistory.pageInfo.endCursor;
    }

    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(expected);
    const sorted = [...seen].sort((a, b) => (a < b ? 1 : -1));
    expect(seen).toEqual(sorted);
    expect(pages).toBe(Math.ceil(231 / 25));
  });

  it('returns a play with its track, album, artists and context', async () => {
    const user = await h.login(h.emulator.users()[2]!.id);
    await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays: [makePlay(7, '2026-03-01T10:00:12.345Z')], source: 'poll' });

    const page = await history(user.token, {});

    expect(page.listeningHistory.edges).toHaveLength(1);
    expect(page.listeningHistory.edges[0]!.node).toEqual({
      id: toGlobalId({ type: 'Play', userId: user.userId, playedAt: '2026-03-01T10:00:12.345000Z', trackId: 'track00000000000000007' }),
      playedAt: '2026-03-01T10:00:12.345Z',
      msPlayed: 180_000,
      source: 'POLL',
      context: { type: 'album', uri: 'spotify:album:album0000000000000001' },
      track: {
        id: toGlobalId({ type: 'Track', trackId: 'track00000000000000007' }),
        spotifyId: 'track00000000000000007',
        name: 'Song 7',
        durationMs: 180_000,
        uri: 'spotify:track:track00000000000000007',
        album: { id: toGlobalId({ type: 'Album', albumId: 'album0000000000000001' }), spotifyId: 'album0000000000000001', name: 'First Album' },
        artists: [
          { id: toGlobalId({ type: 'Artist', artistId: 'artist000000000000001' }), spotifyId: 'artist000000000000001', name: 'The Testers' },
          { id: toGlobalId({ type: 'Artist', artistId: 'artist000000000000007' }), spotifyId: 'artist000000000000007', name: 'Guest 7' },
        ],
      },
    });
    const only = page.listeningHistory.edges[0]!.cursor;
    expect(page.listeningHistory.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: only, endCursor: only });
    const me = await h.client(user.token).request<{ me: { historyStartsAt: string } }>(gql`{ me { historyStartsAt } }`);
    expect(me.me.historyStartsAt).toBe('2026-03-01T10:00:12.345Z');
  });

  it('keeps plays apart that differ by microseconds (cursors carry Postgres’ full precision)', async () => {
    const user = await h.login(h.emulator.users()[3]!.id);
    // Three tracks (a track plays at most once a second) ending within the same millisecond.
    await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays: [11, 12, 13].map((n) => makePlay(n, '2026-05-01T00:00:00Z')), source: 'poll' });
    await h.db.sql.query(
      `update listening_events set played_at = played_at + case track_id when $2 then interval '100 microseconds' when $3 then interval '200 microseconds' else interval '0' end where user_id = $1`,
      [user.userId, 'track00000000000000011', 'track00000000000000013'],
    );

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Page = await history(user.token, { first: 1, after });
      seen.push(...page.listeningHistory.edges.map((edge) => edge.cursor));
      after = page.listeningHistory.pageInfo.hasNextPage ? page.listeningHistory.pageInfo.endCursor : null;
    } while (after);

    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
    // Newest first: 13 (.000200), 11 (.000100), 12 (.000000); a millisecond cursor would skip or repeat.
    const tracks = seen.map((cursor) => (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as string[])[2]);
    expect(tracks).toEqual(['track00000000000000013', 'track00000000000000011', 'track00000000000000012']);
  });

  it('filters by from (inclusive) and to (exclusive)', async () => {
    await ingestPlays(h.db.orm.em.fork(), {
      userId: alice.userId,
      plays: [makePlay(21, '2026-06-01T10:00:00.000Z'), makePlay(22, '2026-06-01T11:00:00.000Z'), makePlay(23, '2026-06-01T12:00:00.000Z')],
      source: 'poll',
    });
    const times = async (variables: Record<string, unknown>) =>
      (await history(alice.token, variables)).listeningHistory.edges.map((edge) => edge.node.playedAt);

    expect(await times({ from: '2026-06-01T10:00:00Z', to: '2026-06-01T12:00:00Z' })).toEqual(['2026-06-01T11:00:00.000Z', '2026-06-01T10:00:00.000Z']);
    expect(await times({ from: '2026-06-01T11:00:00.000Z' })).toEqual(['2026-06-01T12:00:00.000Z', '2026-06-01T11:00:00.000Z']);
    expect(await times({ to: '2026-06-01T10:00:00.001Z', from: '2026-06-01T00:00:00Z' })).toEqual(['2026-06-01T10:00:00.000Z']);
    expect(await times({ from: '2026-06-01T12:00:00.001Z', to: '2026-06-02T00:00:00Z' })).toEqual([]);
    // Offsets are instants like any other: 13:00+02:00 is 11:00Z, exclusive.
    expect(await times({ from: '2026-06-01T09:00:00Z', to: '2026-06-01T13:00:00+02:00' })).toEqual(['2026-06-01T10:00:00.000Z']);
    // Filters and cursors combine: the page after 12:00 within the window.
    const first = await history(alice.token, { first: 1, from: '2026-06-01T10:00:00Z', to: '2026-06-01T13:00:00Z' });
    const second = await history(alice.token, { first: 5, after: first.listeningHistory.pageInfo.endCursor, from: '2026-06-01T10:00:00Z', to: '2026-06-01T13:00:00Z' });
    expect(second.listeningHistory.edges.map((edge) => edge.node.playedAt)).toEqual(['2026-06-01T11:00:00.000Z', '2026-06-01T10:00:00.000Z']);
  });

  it('answers an empty page with no end cursor', async () => {
    const page = await history(alice.token, { from: '1999-01-01T00:00:00Z', to: '1999-01-02T00:00:00Z' });
    expect(page.listeningHistory).toEqual({ edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
  });

  it('pages 50 plays by default and refuses first outside 1..200 with BAD_USER_INPUT', async () => {
    await ingestPlays(h.db.orm.em.fork(), { userId: alice.userId, plays: Array.from({ length: 60 }, (_, i) => makePlay(300 + i, at(200_000 + i))), source: 'poll' });
    expect((await history(alice.token, {})).listeningHistory.edges).toHaveLength(50);
    expect((await history(alice.token, { first: 200 })).listeningHistory.edges.length).toBeGreaterThan(50);

    for (const first of [0, -1, 201, 2_147_483_647]) {
      expect(await errorCodes(history(alice.token, { first }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(await errorCodes(history(alice.token, { first: 'ten' }))).toEqual(['BAD_USER_INPUT']);
    expect(await errorCodes(history(alice.token, { first: 2 ** 40 }))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses garbled and forged cursors with BAD_USER_INPUT', async () => {
    const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
    const bad = [
      '',
      'not a cursor',
      'abc',
      b64('{"a":1}'),
      b64(['p1', '2026-01-01T00:00:00.000000Z']),
      b64(['p2', '2026-01-01T00:00:00.000000Z', 'track00000000000000001']),
      b64(['p1', '2026-02-30T00:00:00.000000Z', 'track00000000000000001']),
      b64(['p1', '2026-01-01T00:00:00Z', 'track00000000000000001']),
      b64(['p1', '0000-01-01T00:00:00.000000Z', 'track00000000000000001']),
      b64(['p1', '2026-01-01T00:00:00.000000Z', 'has space']),
      b64(['p1', '2026-01-01T00:00:00.000000Z', 42]),
      `${b64(['p1', '2026-01-01T00:00:00.000000Z', 'track00000000000000001'])}==`,
      'x'.repeat(100_000),
    ];
    for (const after of bad) {
      expect(await errorCodes(history(alice.token, { after })), after.slice(0, 40)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('refuses from/to that are not date-times, out of range, or from not before to', async () => {
    for (const variables of [
      { from: 'yesterday' },
      { to: '2026-13-01T00:00:00Z' },
      { from: 1_700_000_000_000 },
      { from: '2026-06-01T12:00:00Z', to: '2026-06-01T12:00:00Z' },
      { from: '2026-06-02T00:00:00Z', to: '2026-06-01T00:00:00Z' },
    ]) {
      expect(await errorCodes(history(alice.token, variables)), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('loads a page with a fixed number of queries, however many plays it holds (no N+1)', async () => {
    const user = alice;
    await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays: Array.from({ length: 200 }, (_, i) => makePlay(600 + i, at(300_000 + i))), source: 'poll' });
    const queriesFor = async (first: number) => {
      const statements = await sql.during(async () => {
        const page = await history(user.token, { first });
        expect(page.listeningHistory.edges).toHaveLength(first);
      });
      return statements.length;
    };

    const small = await queriesFor(5);
    const large = await queriesFor(200);

    expect(large).toBe(small);
    // The session, the plays, and their tracks with albums and artists.
    expect(large).toBe(3);
  });
});

describe('listeningHistory as a Relay connection', () => {
  let walker: LoggedIn;
  const plays = Array.from({ length: 37 }, (_, i) => makePlay(2000 + i, at(500_000 + i * 7)));
  beforeAll(async () => {
    walker = await h.login(h.emulator.users()[3]!.id);
    await h.db.sql.query('delete from listening_events where user_id = $1', [walker.userId]);
    await ingestPlays(h.db.orm.em.fork(), { userId: walker.userId, plays, source: 'poll' });
  });
  const newestFirst = () => [...plays].sort((a, b) => (a.playedAt < b.playedAt ? 1 : -1)).map((p) => `${new Date(p.playedAt).toISOString()}/${p.track.id}`);

  it('reads backward with last/before: page by page from the end, the same plays newest first within each page', async () => {
    const pages: string[][] = [];
    let before: string | null = null;
    for (;;) {
      const page: Page = await history(walker.token, { last: 10, before });
      const info = page.listeningHistory.pageInfo;
      pages.unshift(page.listeningHistory.edges.map(key));
      // Reading backward from the end: nothing older follows the first page read, and every page but the newest has newer plays before it.
      expect(info.hasNextPage, `page ${pages.length}`).toBe(before !== null);
      expect(info.startCursor).toBe(page.listeningHistory.edges[0]!.cursor);
      expect(info.endCursor).toBe(page.listeningHistory.edges.at(-1)!.cursor);
      if (!info.hasPreviousPage) break;
      before = info.startCursor;
    }
    expect(pages.map((page) => page.length)).toEqual([7, 10, 10, 10]);
    expect(pages.flat()).toEqual(newestFirst());
  });

  it('answers forward paging with hasPreviousPage, and `before: startCursor` gives back exactly the previous page', async () => {
    const first = await history(walker.token, { first: 10 });
    expect(first.listeningHistory.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await history(walker.token, { first: 10, after: first.listeningHistory.pageInfo.endCursor });
    expect(second.listeningHistory.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const back = await history(walker.token, { last: 10, before: second.listeningHistory.pageInfo.startCursor });
    expect(back.listeningHistory.edges.map(key)).toEqual(first.listeningHistory.edges.map(key));
    expect(back.listeningHistory.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    // Both cursors: exactly the plays between them.
    const between = await history(walker.token, { first: 100, after: first.listeningHistory.edges[2]!.cursor, before: second.listeningHistory.edges[3]!.cursor });
    expect(between.listeningHistory.edges.map(key)).toEqual(newestFirst().slice(3, 13));
    const last = await history(walker.token, { last: 5 });
    expect(last.listeningHistory.edges.map(key)).toEqual(newestFirst().slice(-5));
    expect(last.listeningHistory.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('counts the whole connection in totalCount, whatever the page, exactly as the stored plays in from…to', async () => {
    const total = async (variables: Record<string, unknown>) =>
      (await h.client(walker.token).request<{ listeningHistory: { totalCount: number } }>(
        'query ($first: Int, $last: Int, $after: String, $from: DateTime, $to: DateTime) { listeningHistory(first: $first, last: $last, after: $after, from: $from, to: $to) { totalCount } }',
        variables,
      )).listeningHistory.totalCount;
    const counted = async (from?: string, to?: string) =>
      Number(
        (await h.db.sql.query('select count(*) from listening_events where user_id = $1 and played_at >= coalesce($2::timestamptz, \'-infinity\') and played_at < coalesce($3::timestamptz, \'infinity\')', [walker.userId, from ?? null, to ?? null])).rows[0].count,
      );
    // Plays over several days and across midnights, at ties, and far from the others.
    const extra = [
      makePlay(2100, '2026-02-10T23:59:59.999Z'),
      makePlay(2101, '2026-02-11T00:00:00.000Z'),
      makePlay(2102, '2026-02-11T00:00:00.000Z'),
      makePlay(2103, '2026-02-13T12:00:00.000Z'),
      makePlay(2104, '1999-12-31T23:59:59.000Z'),
    ];
    await ingestPlays(h.db.orm.em.fork(), { userId: walker.userId, plays: extra, source: 'import' });
    // Stored twice: counted once.
    await ingestPlays(h.db.orm.em.fork(), { userId: walker.userId, plays: extra, source: 'import' });

    expect(await total({})).toBe(plays.length + extra.length);
    expect(await total({ first: 1 })).toBe(plays.length + extra.length);
    expect(await total({ last: 3 })).toBe(plays.length + extra.length);
    const ranges: Array<[string | undefined, string | undefined]> = [
      ['2026-02-11T00:00:00Z', undefined],
      [undefined, '2026-02-11T00:00:00Z'],
      ['2026-02-10T00:00:00Z', '2026-02-14T00:00:00Z'],
      ['2026-02-10T23:59:59.999Z', '2026-02-11T00:00:00.001Z'],
      ['2026-02-10T12:00:00Z', '2026-02-13T12:00:00Z'],
      ['2026-02-10T12:00:00Z', '2026-02-13T12:00:00.001Z'],
      ['2026-02-11T00:00:00Z', '2026-02-12T00:00:00Z'],
      ['1999-01-01T00:00:00Z', '2000-01-01T00:00:00Z'],
      [at(500_000), at(500_000 + 100)],
      ['2027-01-01T00:00:00Z', undefined],
    ];
    for (const [from, to] of ranges) {
      expect(await total({ from, to }), `${from}…${to}`).toBe(await counted(from, to));
    }
    const first = await history(walker.token, { first: 3 });
    expect(await total({ first: 3, after: first.listeningHistory.pageInfo.endCursor })).toBe(plays.length + extra.length);
  });

  it('refuses first with last, last out of range, and a cursor of another connection, saying which', async () => {
    expect(await errorCodes(history(walker.token, { first: 5, last: 5 }))).toEqual(['BAD_USER_INPUT']);
    for (const last of [0, 201, -3]) expect(await errorCodes(history(walker.token, { last }))).toEqual(['BAD_USER_INPUT']);
    const importCursor = encodeImportCursor({ createdAt: '2026-01-01T00:00:00.000000Z', id: '00000000-0000-4000-8000-000000000000' });
    await expect(history(walker.token, { after: importCursor })).rejects.toThrow(/after is a cursor of imports, not of listeningHistory/);
    await expect(history(walker.token, { last: 2, before: 'garbled' })).rejects.toThrow(/before is not a cursor from this API/);
    const play = (await history(walker.token, { first: 1 })).listeningHistory.edges[0]!.node.id;
    expect(await errorCodes(history(walker.token, { after: play }))).toEqual(['BAD_USER_INPUT']);
  });

  it('reads a deep page backward with the statements of a first page (keyset, no OFFSET)', async () => {
    const statementsOf = async (variables: Record<string, unknown>) => (await sql.during(() => history(walker.token, variables))).length;
    const oldest = await history(walker.token, { last: 1 });
    const deep = await statementsOf({ last: 5, before: oldest.listeningHistory.pageInfo.startCursor });
    expect(deep).toBe(await statementsOf({ last: 5 }));
    expect(deep).toBe(await statementsOf({ first: 5 }));
    expect(deep).toBe(3);
  });
});
