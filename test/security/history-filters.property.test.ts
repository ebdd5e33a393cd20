import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
// Spelled from the root: the lint rule keeping services apart matches `../api/*` and means services/api.
import { errorCodes, startApiHarness, type ApiHarness, type LoggedIn } from '../../test/api/api-harness.js';
import { makePlay } from '../support/plays.js';

/**
 * The date filters against a model: for any `from`/`to` (exact play instants, a millisecond either side,
 * or anywhere) and any page size, walking the pages returns exactly the plays with from <= playedAt < to,
 * newest first, each once; `from` not before `to` is BAD_USER_INPUT. (The cursor codec has its own
 * properties in test/unit/api/history/history-cursor.test.ts.)
 */
let h: ApiHarness;
let user: LoggedIn;
const BASE = Date.UTC(2026, 3, 1);
// Clustered instants: some a millisecond apart, some shared by two tracks, spread over ten days.
const instants = Array.from({ length: 70 }, (_, i) => BASE + Math.floor(i / 3) * 11 * 3_600_000 + (i % 3) * (i % 2 ? 1 : 0) + (i % 7 === 0 ? 1 : 0));
const plays = instants.map((ms, i) => ({ ms, key: `${ms}|${makePlay(i, new Date(ms).toISOString()).track.id}`, play: makePlay(i, new Date(ms).toISOString()) }));

const HISTORY = `query ($first: Int, $after: String, $from: DateTime, $to: DateTime) {
  listeningHistory(first: $first, after: $after, from: $from, to: $to) {
    edges { node { playedAt track { spotifyId } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
interface Page {
  listeningHistory: { edges: Array<{ node: { playedAt: string; track: { spotifyId: string } } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

beforeAll(async () => {
  h = await startApiHarness({ label: 'history_filters', env: { RATE_LIMIT_GRAPHQL: '0' } });
  user = await h.login(h.emulator.users()[0]!.id);
  await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays: plays.map((p) => p.play), source: 'poll' });
});
afterAll(async () => {
  await h?.stop();
});

const instant = fc.oneof(
  fc.constantFrom(...instants).chain((ms) => fc.constantFrom(ms - 1, ms, ms + 1)),
  fc.integer({ min: BASE - 86_400_000, max: BASE + 12 * 86_400_000 }),
);
const bound = fc.option(instant, { nil: undefined });

async function walk(first: number, from?: number, to?: number): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: Page = await h.client(user.token).request<Page>(HISTORY, {
      first,
      after,
      from: from === undefined ? null : new Date(from).toISOString(),
      to: to === undefined ? null : new Date(to).toISOString(),
    });
    seen.push(...page.listeningHistory.edges.map((e) => `${Date.parse(e.node.playedAt)}|${e.node.track.spotifyId}`));
    if (!page.listeningHistory.pageInfo.hasNextPage) return seen;
    after = page.listeningHistory.pageInfo.endCursor;
  }
  throw new Error('more than 100 pages');
}

describe('history date filters (property-based)', () => {
  it('return exactly the plays with from <= playedAt < to, newest first, each once, on every page size, and count them in totalCount', async () => {
    await fc.assert(
      fc.asyncProperty(bound, bound, fc.integer({ min: 1, max: 25 }), async (from, to, first) => {
        if (from !== undefined && to !== undefined && from >= to) {
          expect(await errorCodes(walk(first, from, to))).toEqual(['BAD_USER_INPUT']);
          return;
        }
        const expected = plays
          .filter((p) => (from === undefined || p.ms >= from) && (to === undefined || p.ms < to))
          .sort((a, b) => b.ms - a.ms)
          .map((p) => p.key);
        const seen = await walk(first, from, to);
        // The connection's total is the same set, counted: whole days from play_counts, partial ones play by play.
        const { listeningHistory } = await h.client(user.token).request<{ listeningHistory: { totalCount: number } }>(
          'query ($from: DateTime, $to: DateTime) { listeningHistory(first: 1, from: $from, to: $to) { totalCount } }',
          { from: from === undefined ? null : new Date(from).toISOString(), to: to === undefined ? null : new Date(to).toISOString() },
        );
        expect(listeningHistory.totalCount).toBe(expected.length);
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort()).toEqual([...expected].sort());
        const times = seen.map((key) => Number(key.split('|')[0]));
        expect(times).toEqual([...times].sort((a, b) => b - a));
      }),
      { numRuns: 80 },
    );
  });
});
