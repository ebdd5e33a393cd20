import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHistoryCursor } from '../../services/api/history/history-cursor.js';
import { toGlobalId } from '../../services/api/relay/global-id.js';
import { errorCodes, startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

let h: ApiHarness;
let user: LoggedIn;
let other: LoggedIn;
/** The user's imports' global ids, newest first. */
const newestFirst: string[] = [];

beforeAll(async () => {
  h = await startApiHarness({ label: 'api_imports_connection' });
  user = await h.login(h.emulator.users()[0]!.id);
  other = await h.login(h.emulator.users()[1]!.id);
  // Seven imports on six days, two of them at the same microsecond (ordered by id then); then one still uploading.
  for (let i = 0; i < 7; i++) {
    const at = `2026-09-0${i === 6 ? 5 : i + 1}T10:00:00.000001Z`;
    const { rows } = await h.db.sql.query(`insert into imports (user_id, file_name, file_path, file_bytes, created_at) values ($1, $2, null, 1, $3) returning id`, [user.userId, `e${i}.zip`, at]);
    newestFirst.push(toGlobalId({ type: 'Import', importId: rows[0].id }));
  }
  await h.db.sql.query(`insert into imports (user_id, file_name, file_path, file_bytes, status) values ($1, 'arriving.zip', '/x', 1, 'receiving')`, [user.userId]);
  await h.db.sql.query(`insert into imports (user_id, file_name, file_path, file_bytes) values ($1, 'theirs.zip', null, 1)`, [other.userId]);
  const { rows } = await h.db.sql.query(`select id from imports where user_id = $1 and status <> 'receiving' order by created_at desc, id desc`, [user.userId]);
  newestFirst.splice(0, newestFirst.length, ...rows.map((row: { id: string }) => toGlobalId({ type: 'Import', importId: row.id })));
});
afterAll(async () => {
  await h?.stop();
});

const IMPORTS = `query ($first: Int, $after: String, $last: Int, $before: String) {
  imports(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
type Page = { imports: { totalCount: number; edges: Array<{ cursor: string; node: { id: string } }>; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null } } };
const page = (variables: Record<string, unknown>, who = user) => h.client(who.token).request<Page>(IMPORTS, variables);
const ids = (answer: Page) => answer.imports.edges.map((edge) => edge.node.id);

describe('imports as a connection', () => {
  it('pages forward and backward through the user’s imports, newest first, counting them all', async () => {
    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const answer: Page = await page({ first: 3, after });
      expect(answer.imports.totalCount).toBe(7);
      forward.push(...ids(answer));
      if (!answer.imports.pageInfo.hasNextPage) break;
      after = answer.imports.pageInfo.endCursor;
    }
    expect(forward).toEqual(newestFirst);

    const backward: string[][] = [];
    let before: string | null = null;
    for (;;) {
      const answer: Page = await page({ last: 3, before });
      backward.unshift(ids(answer));
      if (!answer.imports.pageInfo.hasPreviousPage) break;
      before = answer.imports.pageInfo.startCursor;
    }
    expect(backward.flat()).toEqual(newestFirst);
    expect(backward.map((part) => part.length)).toEqual([1, 3, 3]);
  });

  it('answers another user with their own imports only, and 20 by default', async () => {
    const theirs = await page({}, other);
    expect(theirs.imports.totalCount).toBe(1);
    expect(ids(theirs).some((id) => newestFirst.includes(id))).toBe(false);
    expect(ids(await page({}))).toEqual(newestFirst);
  });

  it('refuses a history cursor, first with last, and sizes out of range', async () => {
    const cursor = encodeHistoryCursor({ playedAt: '2026-01-01T00:00:00.000000Z', trackId: 't' });
    await expect(page({ after: cursor })).rejects.toThrow(/after is a cursor of listeningHistory, not of imports/);
    expect(await errorCodes(page({ first: 1, last: 1 }))).toEqual(['BAD_USER_INPUT']);
    for (const first of [0, 101]) expect(await errorCodes(page({ first }))).toEqual(['BAD_USER_INPUT']);
  });
});
