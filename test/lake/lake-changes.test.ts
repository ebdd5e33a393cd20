import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportLake, type LakeExportResult } from '../../services/lake-export/export-lake.js';
import { DirectoryTarget } from '../../services/lake-export/targets/directory-target.js';
import { LakeSource } from '../../services/features/lake/data/lake.repository.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { readLakePlays } from '../support/lake-reader.js';
import { insertUser, makePlay } from '../support/plays.js';

/**
 * How the lake's change records (docs/lake.md, "How changes are recorded") behave under concurrent writers:
 * writers of different users never wait for each other to record a day or a catalogue table, and a lake run
 * forgets only the changes it read, whatever order the writers took their change numbers and committed in.
 */
const log = createLogger({ service: 'lake-changes-test', level: 'silent' });
const DAY = '2026-05-10';

let db: TestDatabase;
let workDir: string;
let lakeDir: string;
const users: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase('lake_changes');
  workDir = await mkdtemp(join(tmpdir(), 'playlog-lake-changes-work-'));
  lakeDir = await mkdtemp(join(tmpdir(), 'playlog-lake-changes-'));
  for (const name of ['ana', 'bo', 'cid', 'dee']) users.push(await insertUser(db.sql, `lake-changes-${name}`));
  // The album and main artist every test play shares (makePlay): writers adding the same new row do wait for each other.
  await db.sql.query(`insert into albums (id, name, uri, release_date) values ('album0000000000000001', 'First Album', 'spotify:album:album0000000000000001', '2020-01-01')`);
  await db.sql.query(`insert into artists (id, name, uri) values ('artist000000000000001', 'The Testers', 'spotify:artist:artist000000000000001')`);
});
afterAll(async () => {
  await db?.drop();
  await rm(workDir, { recursive: true, force: true });
  await rm(lakeDir, { recursive: true, force: true });
});

/** A lake run into the test's directory; `duringRun` runs at its first upload: after its snapshot, before it forgets what it read. */
async function runLakeExport(duringRun?: () => Promise<void>, into = { db, lakeDir }): Promise<LakeExportResult> {
  const target = new DirectoryTarget(into.lakeDir);
  await target.prepare();
  if (duringRun) {
    const putFile = target.putFile.bind(target);
    let first = true;
    target.putFile = async (key, path) => {
      if (first) {
        first = false;
        await duringRun();
      }
      return putFile(key, path);
    };
  }
  const source = await LakeSource.open(into.db.url);
  try {
    return await exportLake(source, target, { userIds: { mode: 'plain' }, workDir, memoryLimitMb: 64 }, log);
  } finally {
    await source.close();
  }
}

async function expectLakeEqualsPostgres(): Promise<void> {
  const { rows } = await db.sql.query<{ user: string; day: string; plays: number }>(
    `select user_id::text as "user", (played_at at time zone 'UTC')::date::text as day, count(*)::int as plays from listening_events group by 1, 2 order by 1, 2`,
  );
  const lake = await readLakePlays(lakeDir);
  expect(lake.totals.map(({ user, day, plays }) => ({ user, day, plays }))).toEqual(rows);
}

const store = (user: string, track: number, time: string) => ingestPlays(db.orm.em.fork(), { userId: user, source: 'poll', plays: [makePlay(track, `${DAY}T${time}Z`)] });

/** A writer whose transaction stays open (its plays stored, uncommitted) until commit() is called. */
function openWriter(user: string, track: number, time: string): { stored: Promise<void>; commit: () => Promise<void> } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let stored!: () => void;
  const storedPromise = new Promise<void>((resolve) => (stored = resolve));
  const done = db.orm.em.fork().transactional(async (tx) => {
    await ingestPlays(tx, { userId: user, source: 'poll', plays: [makePlay(track, `${DAY}T${time}Z`)] });
    stored();
    await released;
  });
  return {
    stored: storedPromise,
    commit: async () => {
      release();
      await done;
    },
  };
}

const within = <T>(ms: number, what: string, promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms))]);

describe('the lake’s change records under concurrent writers', () => {
  it('writers of different users store plays of the same day, and new catalogue rows, without waiting for each other', async () => {
    // The first writer's transaction holds whatever it recorded (a day, new tracks and artists) until it commits.
    const first = openWriter(users[0]!, 1, '08:00:00');
    await first.stored;
    try {
      // The same day, and a new track and artist too (not the first writer's): before, this waited for the first writer's commit.
      await within(5_000, 'a second writer', store(users[1]!, 2, '08:05:00'));
    } finally {
      await first.commit();
    }
    expect(await runLakeExport()).toMatchObject({ outcome: 'written', daysWritten: 1, playRowsWritten: 2 });
    await expectLakeEqualsPostgres();
  });

  it('a change numbered before one the run read, committed while it runs, stays pending for the next run', async () => {
    // The open writer takes its change number first; another writer's later number commits first; the run
    // reads only the committed one, and the open writer commits while the run works.
    const early = openWriter(users[2]!, 3, '09:00:00');
    await early.stored;
    await store(users[3]!, 4, '09:05:00');
    const result = await runLakeExport(() => early.commit());
    expect(result).toMatchObject({ outcome: 'written', daysWritten: 1 });
    expect(await runLakeExport()).toMatchObject({ outcome: 'written', daysWritten: 1 });
    await expectLakeEqualsPostgres();
    expect(await runLakeExport()).toEqual({ outcome: 'unchanged' });
  });

  it('a record its own backend changes again while the run works stays pending, and a writer holding it locked never stalls the run', async () => {
    // One connection, so the run reads a record of this backend and the backend changes that very record.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const insert = (track: number, time: string) =>
        client.query(`insert into listening_events (user_id, played_at, track_id, source) values ($1, $2, $3, 'poll')`, [users[0], `${DAY}T${time}Z`, `track${String(track).padStart(17, '0')}`]);
      await insert(1, '10:00:00');
      const { rows } = await db.sql.query<{ backend_pid: number }>(`select backend_pid from lake_changed_days where day = $1`, [DAY]);
      expect(rows).toEqual([{ backend_pid: (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid }]);

      // Changed again and committed during the run: its number is no longer the one the run read.
      expect(await runLakeExport(async () => void (await insert(2, '10:05:00')))).toMatchObject({ outcome: 'written', daysWritten: 1 });
      const pending = await db.sql.query(`select 1 from lake_changed_days where day = $1`, [DAY]);
      expect(pending.rowCount).toBe(1);

      // Changed again in a transaction still open when the run forgets what it read: the run does not wait for it.
      await client.query('begin');
      const run = runLakeExport(async () => void (await insert(3, '10:10:00')));
      expect(await within(10_000, 'the lake run', run)).toMatchObject({ outcome: 'written', daysWritten: 1 });
      await client.query('commit');
    } finally {
      await client.end();
    }
    expect(await runLakeExport()).toMatchObject({ outcome: 'written', daysWritten: 1 });
    await expectLakeEqualsPostgres();
    expect(await runLakeExport()).toEqual({ outcome: 'unchanged' });
  });

  it('keeps one record per day and backend; a backend’s first record of a day takes over those of backends that have ended, never a live one’s', async () => {
    const day = '2026-05-11';
    const connect = async () => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const insert = (user: string, time: string) =>
        client.query(`insert into listening_events (user_id, played_at, track_id, source) values ($1, $2, 'track00000000000000001', 'poll')`, [user, `${day}T${time}Z`]);
      return { client, pid, insert };
    };
    const records = async () => (await db.sql.query<{ backend_pid: number }>(`select backend_pid from lake_changed_days where day = $1 order by backend_pid`, [day])).rows.map((row) => row.backend_pid);
    const live = await connect();
    const ended = await connect();
    try {
      for (let minute = 10; minute < 30; minute++) await live.insert(users[1]!, `11:${minute}:00`);
      await ended.insert(users[2]!, '11:00:00');
      expect(await records()).toEqual([live.pid, ended.pid].sort((a, b) => a - b));
      await ended.client.end();
      await vi.waitFor(async () => expect((await db.sql.query('select 1 from pg_stat_activity where pid = $1', [ended.pid])).rowCount).toBe(0), { timeout: 5_000 });

      const next = await connect();
      try {
        await next.insert(users[3]!, '11:00:00');
        expect(await records()).toEqual([live.pid, next.pid].sort((a, b) => a - b));
      } finally {
        await next.client.end();
      }
    } finally {
      await live.client.end();
    }
    expect(await runLakeExport()).toMatchObject({ outcome: 'written', daysWritten: 1, playRowsWritten: 22 });
    await expectLakeEqualsPostgres();
    expect(await runLakeExport()).toEqual({ outcome: 'unchanged' });
  });
});

describe('the migration to records per backend (Migration20261207230000_lake_change_log)', () => {
  let old: TestDatabase;
  let oldLakeDir: string;
  beforeAll(async () => {
    old = await createTestDatabase('lake_change_log_migration');
    oldLakeDir = await mkdtemp(join(tmpdir(), 'playlog-lake-changes-migration-'));
  });
  afterAll(async () => {
    await old?.drop();
    await rm(oldLakeDir, { recursive: true, force: true });
  });

  const records = async () => (await old.sql.query<{ day: string; change: string }>(`select day::text as day, change from lake_changed_days order by day, change`)).rows;

  it('going down keeps each day’s latest record; going up keeps pending records pending, and the next run consumes them', async () => {
    const user = await insertUser(old.sql, 'lake-change-log-migration');
    const storeOn = (day: string, track: number) => ingestPlays(old.orm.em.fork(), { userId: user, source: 'poll', plays: [makePlay(track, `${day}T12:00:00Z`)] });
    await storeOn('2026-02-01', 1);
    // The same day from another backend: two records of it.
    const client = new pg.Client({ connectionString: old.url });
    await client.connect();
    try {
      await client.query(`insert into listening_events (user_id, played_at, track_id, source) values ($1, '2026-02-01T13:00:00Z', 'track00000000000000001', 'poll')`, [user]);
    } finally {
      await client.end();
    }
    const before = await records();
    expect(before.map((record) => record.day)).toEqual(['2026-02-01', '2026-02-01']);

    const migrator = old.orm.getMigrator();
    // Down to, and including, this migration.
    await migrator.down({ to: 'Migration20261207230000_lake_change_log' });
    expect(await records()).toEqual([before[1]]);
    // The triggers of then record a day as they did: one row per day.
    await storeOn('2026-02-02', 2);
    const pending = await records();
    expect(pending.map((record) => record.day)).toEqual(['2026-02-01', '2026-02-02']);

    await migrator.up();
    const moved = await old.sql.query(`select day::text as day, backend_pid, change from lake_changed_days order by day`);
    expect(moved.rows).toEqual(pending.map((record) => ({ ...record, backend_pid: 0 })));
    expect(await runLakeExport(undefined, { db: old, lakeDir: oldLakeDir })).toMatchObject({ outcome: 'written', daysWritten: 2, playRowsWritten: 3 });
    expect(await records()).toEqual([]);
    expect(await runLakeExport(undefined, { db: old, lakeDir: oldLakeDir })).toEqual({ outcome: 'unchanged' });
  });
});
