import { EntitySchema } from '@mikro-orm/core';

/**
 * What the data lake has not seen yet (docs/lake.md, "How changes are recorded"): UTC days whose plays
 * changed and catalogue tables that changed, one record per day (or table) and Postgres backend, under the
 * number of that backend's latest change. Triggers on listening_events and the catalogue write them (their
 * sources are in schema/); a lake run reads and deletes them (lake.repository.ts). No code writes them
 * through the ORM.
 */
export class LakeChangedDay {
  /** The UTC day, `YYYY-MM-DD`. */
  day!: string;
  /** The process id of the backend whose transactions recorded it (pg_backend_pid()); 0 for records older than this column. */
  backendPid!: number;
  change!: string;
}

export class LakeChangedTable {
  name!: string;
  backendPid!: number;
  change!: string;
}

export const LakeChangedDaySchema = new EntitySchema<LakeChangedDay>({
  class: LakeChangedDay,
  tableName: 'lake_changed_days',
  properties: {
    day: { type: 'string', columnType: 'date', primary: true },
    backendPid: { type: 'integer', primary: true, fieldName: 'backend_pid' },
    change: { type: 'bigint' },
  },
});

export const LakeChangedTableSchema = new EntitySchema<LakeChangedTable>({
  class: LakeChangedTable,
  tableName: 'lake_changed_tables',
  properties: {
    name: { type: 'text', primary: true },
    backendPid: { type: 'integer', primary: true, fieldName: 'backend_pid' },
    change: { type: 'bigint' },
  },
});
