import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareHistoryHandler, HISTORY_QUERY } from '../../bench/baselines/bare-history-handler.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { postGraphql, startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';
import { makePlay } from '../support/plays.js';
import { sqlRecorder } from '../support/sql-recorder.js';

/**
 * The history benchmark compares the API with a bare handler; the ratio means something only if the
 * bare handler does exactly the API's work: the same statements, to the letter, and the same answer.
 */
const sql = sqlRecorder();
let h: ApiHarness;
let user: LoggedIn;
let pool: pg.Pool;

beforeAll(async () => {
  h = await startApiHarness({ label: 'bench_bare_history', env: { RATE_LIMIT_GRAPHQL: '0' } });
  user = await h.login(h.emulator.users()[0]!.id);
  const start = Date.parse('2026-01-01T00:00:00Z');
  await ingestPlays(h.db.orm.em.fork(), {
    userId: user.userId,
    plays: Array.from({ length: 120 }, (_, i) => makePlay(i % 30, new Date(start + i * 200_000).toISOString())),
    source: 'poll',
  });
  pool = new pg.Pool({ connectionString: h.db.url, max: 2, options: '-c TimeZone=UTC' });
});
afterAll(async () => {
  await pool?.end();
  await h?.stop();
});

describe('the history benchmark’s bare baseline', () => {
  it('sends exactly the statements the API sends for a page, and answers what the API answers', async () => {
    const bare = bareHistoryHandler(pool);
    let after: string | null = null;
    for (const page of ['first', 'second', 'third']) {
      let api!: { status: number; body: unknown };
      let baseline!: { status: number; body: unknown };
      const sentByApi = await sql.during(async () => {
        api = await postGraphql(h.graphqlUrl, { query: HISTORY_QUERY, variables: { after } }, { authorization: `Bearer ${user.token}` });
      });
      const sentByBaseline = await sql.during(async () => {
        baseline = await bare(user.token, new URL(`http://bench/history${after ? `?after=${after}` : ''}`));
      });
      expect(sentByApi, `${page} page`).toHaveLength(3);
      expect(sentByBaseline, `${page} page`).toEqual(sentByApi);
      expect(api.status).toBe(200);
      expect(isDeepStrictEqual(baseline.body, api.body), `${page} page: ${JSON.stringify(baseline.body).slice(0, 300)}`).toBe(true);
      after = (api.body as { data: { listeningHistory: { pageInfo: { endCursor: string } } } }).data.listeningHistory.pageInfo.endCursor;
    }
  });
});
