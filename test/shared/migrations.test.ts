import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('migrations');
});
afterAll(async () => {
  await db?.drop();
});

describe('migrations', () => {
  it('produce exactly the schema the entities describe', async () => {
    const diff = await db.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
    expect(diff.trim()).toBe('');
  });

  it('serve a user’s newest plays from a cursor with one index range scan', async () => {
    const plan = await db.sql.query(`explain (format json) select * from listening_events
      where user_id = '00000000-0000-0000-0000-000000000001' and (played_at, track_id) < ('2026-01-01T00:00:00Z', 'x')
      order by played_at desc, track_id desc limit 50`);
    const text = JSON.stringify(plan.rows[0]['QUERY PLAN']);
    expect(text).toContain('listening_events_pkey');
    expect(text).not.toContain('"Sort"');
  });
});
