import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLake, type LakeExportResult } from '../../services/lake-export/export-lake.js';
import { S3Target } from '../../services/lake-export/targets/s3-target.js';
import { userKeys, type UserIdMode } from '../../services/lake-export/user-pseudonyms.js';
import { LakeSource } from '../../services/features/lake/data/lake.repository.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { readLakePlays, type DayTotals } from '../support/lake-reader.js';
import { insertUser, makePlay } from '../support/plays.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

const BUCKET = 'analytics';
const PREFIX = 'playlog/lake';
const IDS: UserIdMode = { mode: 'pseudonymous', key: 'the-s3-test-pseudonym-key-0123456789abcdef' };
const log = createLogger({ service: 'lake-export-test', level: 'silent' });

let db: TestDatabase;
let s3: S3Server;
let workDir: string;
const users: string[] = [];

beforeAll(async () => {
  [db, s3] = await Promise.all([createTestDatabase('lakes3'), startS3Server()]);
  await s3.createBucket(BUCKET);
  workDir = await mkdtemp(join(tmpdir(), 'playlog-lake-s3-work-'));
  for (const name of ['s3-ada', 's3-ben']) users.push(await insertUser(db.sql, name));
});
afterAll(async () => {
  await Promise.all([db?.drop(), s3?.stop()]);
  await rm(workDir, { recursive: true, force: true });
});

function target(overrides: Partial<ConstructorParameters<typeof S3Target>[0]> = {}): S3Target {
  return new S3Target({
    bucket: BUCKET,
    prefix: PREFIX,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    ...overrides,
  });
}

async function runLakeExport(to: S3Target = target()): Promise<LakeExportResult> {
  const source = await LakeSource.open(db.url);
  try {
    return await exportLake(source, to, { userIds: IDS, workDir, memoryLimitMb: 64 }, log);
  } finally {
    await source.close();
    to.close();
  }
}

/** The lake as an analyst gets it: the bucket's objects downloaded, then read by DuckDB with Hive partitioning. */
async function lakeTotals(): Promise<DayTotals[]> {
  const copy = await mkdtemp(join(tmpdir(), 'playlog-lake-s3-copy-'));
  try {
    await s3.download(BUCKET, PREFIX, copy);
    return (await readLakePlays(copy)).totals;
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

async function postgresTotals(): Promise<DayTotals[]> {
  const keys = userKeys(users, IDS);
  const { rows } = await db.sql.query<{ user_id: string; day: string; plays: number; ms: string }>(
    `select user_id::text, (played_at at time zone 'UTC')::date::text as day, count(*)::int as plays, coalesce(sum(ms_played), 0)::text as ms from listening_events group by 1, 2`,
  );
  return rows
    .map((row) => ({ user: keys.get(row.user_id)!, day: row.day, plays: row.plays, msPlayed: Number(row.ms) }))
    .sort((a, b) => a.user.localeCompare(b.user) || a.day.localeCompare(b.day));
}

const store = (user: number, plays: Array<[number, string, number | null]>, source: 'poll' | 'import' = 'poll') =>
  ingestPlays(db.orm.em.fork(), { userId: users[user]!, source, plays: plays.map(([track, playedAt, msPlayed]) => makePlay(track, playedAt, { msPlayed })) });

describe('the data lake in an S3 bucket (a real S3-compatible server)', () => {
  it('a first lake run puts one object per UTC day, the catalogue and the manifest under the prefix; per user and day it equals Postgres', async () => {
    await store(0, [
      [1, '2026-06-01T08:00:00Z', 120_000],
      [2, '2026-06-01T23:59:59.500Z', null],
    ]);
    await store(1, [[3, '2026-06-02T00:00:00.250Z', 31_000]]);
    expect(await runLakeExport()).toMatchObject({ outcome: 'written', full: true, daysWritten: 2 });
    expect(await s3.listKeys(BUCKET)).toEqual([
      `${PREFIX}/_manifest.json`,
      `${PREFIX}/albums/part-00000.parquet`,
      `${PREFIX}/artists/part-00000.parquet`,
      `${PREFIX}/plays/year=2026/month=06/day=01/part-00000.parquet`,
      `${PREFIX}/plays/year=2026/month=06/day=02/part-00000.parquet`,
      `${PREFIX}/track_artists/part-00000.parquet`,
      `${PREFIX}/tracks/part-00000.parquet`,
    ]);
    expect(await lakeTotals()).toEqual(await postgresTotals());
  });

  it('stays exact after new polls and an import of old history, rewriting only the days they changed', async () => {
    expect(await runLakeExport()).toEqual({ outcome: 'unchanged' });
    await store(0, [[4, '2026-06-02T10:00:00Z', null]]);
    await store(1, [[5, '2020-02-29T12:00:00Z', 200_000], [6, '2020-02-29T12:05:00Z', 9_000]], 'import');
    expect(await runLakeExport()).toMatchObject({ outcome: 'written', full: false, daysWritten: 2, playRowsWritten: 4 });
    expect(await lakeTotals()).toEqual(await postgresTotals());
  });

  it('after a crash mid-run, the rerun makes the lake exact', async () => {
    await store(0, [[7, '2026-06-03T10:00:00Z', 1_000]]);
    await store(1, [[8, '2026-06-04T10:00:00Z', 2_000]]);
    const crashing = target();
    let puts = 0;
    const putFile = crashing.putFile.bind(crashing);
    crashing.putFile = async (key, path) => {
      if (++puts === 2) throw new Error('connection reset mid-run');
      return putFile(key, path);
    };
    await expect(runLakeExport(crashing)).rejects.toThrow('connection reset mid-run');
    expect(await runLakeExport()).toMatchObject({ outcome: 'written', daysWritten: 2 });
    expect(await lakeTotals()).toEqual(await postgresTotals());
  });

  it('a wrong secret key fails the run with S3’s answer, naming the object and never the secret', async () => {
    await store(0, [[9, '2026-06-05T10:00:00Z', 1_000]]);
    const wrong = 'not-the-secret-key-at-all-0123456789';
    const error = await runLakeExport(target({ credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: wrong } })).catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(new RegExp(`^S3 s3://${BUCKET}/${PREFIX}/_manifest\\.json: .*\\(HTTP 403, `));
    expect((error as Error).message).not.toContain(wrong);
    // Nothing was consumed: the next good run writes the day.
    expect(await runLakeExport()).toMatchObject({ outcome: 'written', daysWritten: 1 });
    expect(await lakeTotals()).toEqual(await postgresTotals());
  });

  it('a bucket that does not exist fails the run clearly', async () => {
    await expect(runLakeExport(target({ bucket: 'no-such-bucket' }))).rejects.toThrow(/^S3 s3:\/\/no-such-bucket\/playlog\/lake\/_manifest\.json: .*NoSuchBucket/);
  });
});
