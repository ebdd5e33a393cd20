import { EntitySchema } from '@mikro-orm/core';

/**
 * What the data lake has not seen yet (docs/lake.md): UTC days whose plays changed and catalogue tables
 * that changed, each under the number of its latest change. Triggers on listening_events and the
 * catalogue write them (the migration that made these tables defines them); a lake run reads and
 * deletes them (lake.repository.ts). No code writes them through the ORM.
 */
export class LakeChangedDay {
  /** The UTC day, `YYYY-MM-DD`. */
  day!: string;
  change!: string;
}

export class LakeChangedTable {
  name!: string;
  change!: string;
}

export const LakeChangedDaySchema = new EntitySchema<LakeChangedDay>({
  class: LakeChangedDay,
  tableName: 'lake_changed_days',
  properties: {
    day: { type: 'string', columnType: 'date', primary: true },
    change: { type: 'bigint' },
  },
});

export const LakeChangedTableSchema = new EntitySchema<LakeChangedTable>({
  class: LakeChangedTable,
  tableName: 'lake_changed_tables',
  properties: {
    name: { type: 'text', primary: true },
    change: { type: 'bigint' },
  },
});
