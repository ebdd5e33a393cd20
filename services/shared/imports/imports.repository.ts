import type { EntityManager } from '@mikro-orm/postgresql';
import type { ImportProblem, ImportStatus } from './import.entity.js';
import type { ExportPosition } from './read-export.js';

/**
 * Reads and writes of `imports`. Raw SQL through MikroORM's connection, like the other repositories:
 * each is one statement, and the chunk update must run inside the ingest's transaction.
 */

export interface ImportCounts {
  rowsRead: number;
  stored: number;
  duplicates: number;
  shortPlays: number;
  unknownTracks: number;
  skippedPodcast: number;
  skippedLocal: number;
  skippedMalformed: number;
  tracksFetched: number;
}

export interface ImportRecord extends ImportCounts {
  id: string;
  userId: string;
  status: ImportStatus;
  fileName: string;
  filePath: string;
  fileBytes: number;
  resumeEntry: number;
  resumeRow: number;
  problems: ImportProblem[];
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

/** At most this many problems are kept per import (the counts still cover every row). */
export const MAX_PROBLEMS = 100;

const COLUMNS = `id, user_id, status, file_name, file_path, file_bytes, resume_entry, resume_row, rows_read, stored, duplicates, short_plays,
  unknown_tracks, skipped_podcast, skipped_local, skipped_malformed, tracks_fetched, problems, error, created_at, started_at, finished_at, updated_at`;

export async function createImport(em: EntityManager, input: { id?: string; userId: string; fileName: string; filePath: string; fileBytes: number }): Promise<ImportRecord> {
  const rows = await run(
    em,
    `insert into imports (id, user_id, file_name, file_path, file_bytes) values (coalesce(?::uuid, gen_random_uuid()), ?, ?, ?, ?) returning ${COLUMNS}`,
    [input.id ?? null, input.userId, input.fileName, input.filePath, input.fileBytes],
  );
  return toRecord(rows[0]!);
}

/** One import; with a user id, only that user's (anyone else's is "not found"). */
export async function findImport(em: EntityManager, id: string, userId?: string): Promise<ImportRecord | null> {
  const rows = await run(em, `select ${COLUMNS} from imports where id = ? and (?::uuid is null or user_id = ?::uuid)`, [id, userId ?? null, userId ?? null]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function listImports(em: EntityManager, userId: string, limit = 50): Promise<ImportRecord[]> {
  const rows = await run(em, `select ${COLUMNS} from imports where user_id = ? order by created_at desc, id desc limit ?`, [userId, limit]);
  return rows.map(toRecord);
}

/** Cancels a queued or running import of this user; returns the import as it now is (null: not theirs). */
export async function cancelImport(em: EntityManager, id: string, userId: string): Promise<ImportRecord | null> {
  await run(em, `update imports set status = 'cancelled', finished_at = now(), updated_at = now() where id = ? and user_id = ? and status in ('queued', 'running')`, [id, userId]);
  return findImport(em, id, userId);
}

/** queued → running (a retry or resumed run keeps its first start time); null when it is not to be run. */
export async function startImport(em: EntityManager, id: string): Promise<ImportRecord | null> {
  const rows = await run(
    em,
    `update imports set status = 'running', started_at = coalesce(started_at, now()), error = null, updated_at = now()
     where id = ? and status in ('queued', 'running', 'failed') returning ${COLUMNS}`,
    [id],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

export type ChunkOutcome = 'recorded' | 'cancelled' | 'moved_on';

/**
 * Adds a chunk's counts and moves the checkpoint, inside the transaction that stored the chunk's plays.
 * The row is locked first: a cancelled import, or one another run has already moved past `from` (a job
 * that was thought dead and ran on), makes the caller roll back instead.
 */
export async function recordChunk(
  tx: EntityManager,
  id: string,
  from: ExportPosition,
  to: ExportPosition,
  counts: ImportCounts,
  problems: ImportProblem[],
): Promise<ChunkOutcome> {
  const locked = await run(tx, 'select status, resume_entry, resume_row from imports where id = ? for update', [id]);
  const current = locked[0];
  if (!current || current.status !== 'running') return 'cancelled';
  if (Number(current.resume_entry) !== from.entry || Number(current.resume_row) !== from.row) return 'moved_on';
  await run(
    tx,
    `update imports set resume_entry = ?, resume_row = ?, rows_read = rows_read + ?, stored = stored + ?, duplicates = duplicates + ?,
       short_plays = short_plays + ?, unknown_tracks = unknown_tracks + ?, skipped_podcast = skipped_podcast + ?, skipped_local = skipped_local + ?,
       skipped_malformed = skipped_malformed + ?, tracks_fetched = tracks_fetched + ?,
       problems = case when jsonb_array_length(problems) >= ${MAX_PROBLEMS} then problems
                  else (select coalesce(jsonb_agg(p), '[]'::jsonb) from (select p from jsonb_array_elements(problems || ?::jsonb) p limit ${MAX_PROBLEMS}) x) end,
       updated_at = now()
     where id = ?`,
    [
      to.entry,
      to.row,
      counts.rowsRead,
      counts.stored,
      counts.duplicates,
      counts.shortPlays,
      counts.unknownTracks,
      counts.skippedPodcast,
      counts.skippedLocal,
      counts.skippedMalformed,
      counts.tracksFetched,
      JSON.stringify(problems),
      id,
    ],
  );
  return 'recorded';
}

/** running → completed or failed; a cancelled import stays cancelled. */
export async function finishImport(em: EntityManager, id: string, status: 'completed' | 'failed', error: string | null = null): Promise<void> {
  await run(em, `update imports set status = ?, error = ?, finished_at = now(), updated_at = now() where id = ? and status = 'running'`, [status, error, id]);
}

export function emptyCounts(): ImportCounts {
  return { rowsRead: 0, stored: 0, duplicates: 0, shortPlays: 0, unknownTracks: 0, skippedPodcast: 0, skippedLocal: 0, skippedMalformed: 0, tracksFetched: 0 };
}

type Row = Record<string, unknown>;

function run(em: EntityManager, sql: string, params: unknown[]): Promise<Row[]> {
  return em.getConnection().execute(sql, params, 'all', em.getTransactionContext());
}

function toRecord(row: Row): ImportRecord {
  const int = (name: string) => Number(row[name]);
  const date = (name: string) => (row[name] === null ? null : new Date(row[name] as string | Date));
  return {
    id: row.id as string,
    userId: row.user_id as string,
    status: row.status as ImportStatus,
    fileName: row.file_name as string,
    filePath: row.file_path as string,
    fileBytes: int('file_bytes'),
    resumeEntry: int('resume_entry'),
    resumeRow: int('resume_row'),
    rowsRead: int('rows_read'),
    stored: int('stored'),
    duplicates: int('duplicates'),
    shortPlays: int('short_plays'),
    unknownTracks: int('unknown_tracks'),
    skippedPodcast: int('skipped_podcast'),
    skippedLocal: int('skipped_local'),
    skippedMalformed: int('skipped_malformed'),
    tracksFetched: int('tracks_fetched'),
    problems: row.problems as ImportProblem[],
    error: row.error as string | null,
    createdAt: date('created_at')!,
    startedAt: date('started_at'),
    finishedAt: date('finished_at'),
    updatedAt: date('updated_at')!,
  };
}
