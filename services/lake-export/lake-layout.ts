/**
 * The lake's object keys (docs/lake.md), relative to its root. Plays are Hive-partitioned by UTC day;
 * each day, and each catalogue table, is one Parquet object replaced whole, so a reader sees the old
 * file or the new one, never a half-written file nor both.
 */

export const MANIFEST_KEY = '_manifest.json';

/** The one file of a partition or table. */
const PART = 'part-00000.parquet';

/** `plays/year=YYYY/month=MM/day=DD/part-00000.parquet` for a 'YYYY-MM-DD' day. */
export function playsDayKey(day: string): string {
  const [year, month, date] = day.split('-');
  return `plays/year=${year}/month=${month}/day=${date}/${PART}`;
}

/** `tracks/part-00000.parquet` and the like. */
export function catalogueKey(table: string): string {
  return `${table}/${PART}`;
}
