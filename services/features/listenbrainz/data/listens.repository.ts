import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { PLAY_SOURCES } from '../../plays/data/listening-event.entity.js';
import { defineStatement, runStatement, timestamp } from '../../../shared/db/statements/statement.js';

/** One play as the ListenBrainz API shows it. */
export interface ListenRow {
  /** The play's start, Unix seconds. */
  listenedAt: number;
  insertedAt: number;
  playedAt: Date;
  trackId: string;
  source: (typeof PLAY_SOURCES)[number];
  client: string | null;
  /** How long the play lasted or the track is, where known. */
  durationMs: number | null;
}

/*
 * A play's start, for every source: the start its player sent (a listen), otherwise its end less how long it
 * played (an imported play) or less the track's duration (a polled one). Plays are found by their end
 * (the primary key's order) within a day of the bounds asked for, then by their start exactly: a play
 * longer than a day is the one that could be missed.
 */
const START = `coalesce(e.started_at, e.played_at - make_interval(secs => coalesce(e.ms_played, t.duration_ms) / 1000.0))`;
const COLUMNS = `floor(extract(epoch from ${START}))::bigint as listened_at, floor(extract(epoch from e.ingested_at))::bigint as inserted_at,
       e.played_at, e.track_id, e.source, e.client, coalesce(e.ms_played, nullif(t.duration_ms, 0)) as duration_ms`;
const row = z.object({
  listened_at: z.coerce.number().int(),
  inserted_at: z.coerce.number().int(),
  played_at: timestamp,
  track_id: z.string(),
  source: z.enum(PLAY_SOURCES),
  client: z.string().nullable(),
  duration_ms: z.number().int().nullable(),
});

export const listensNewestStatement = defineStatement({
  name: 'listenbrainz_listens_newest',
  purpose: [
    'A listener’s newest listens before max_ts (ListenBrainz’s GET user/listens), newest first: a backward range scan of',
    'the primary key (user_id, played_at) from a day past the bound, each play’s start computed and compared exactly.',
  ].join(' '),
  sql: `
select ${COLUMNS}
  from listening_events e join tracks t on t.id = e.track_id
 where e.user_id = ? and e.played_at < ?::timestamptz + interval '1 day' and e.played_at > ?::timestamptz
   and ${START} < ?::timestamptz and ${START} > ?::timestamptz
 order by e.played_at desc, e.track_id desc
 limit ?`,
  row,
});

export const listensOldestStatement = defineStatement({
  name: 'listenbrainz_listens_after',
  purpose: [
    'A listener’s first listens after min_ts (ListenBrainz’s GET user/listens with min_ts alone): a forward range scan of',
    'the primary key from the bound, each play’s start compared exactly; the caller shows them newest first.',
  ].join(' '),
  sql: `
select ${COLUMNS}
  from listening_events e join tracks t on t.id = e.track_id
 where e.user_id = ? and e.played_at > ?::timestamptz
   and ${START} > ?::timestamptz
 order by e.played_at asc, e.track_id asc
 limit ?`,
  row,
});

export const listensSpanStatement = defineStatement({
  name: 'listenbrainz_listens_span',
  purpose: [
    'The starts of a listener’s first and last plays (ListenBrainz’s oldest_listen_ts and latest_listen_ts): two probes of',
    'the primary key, each play’s start computed as the listens are.',
  ].join(' '),
  sql: `
select (select floor(extract(epoch from ${START}))::bigint from listening_events e join tracks t on t.id = e.track_id where e.user_id = ? order by e.played_at asc limit 1) as oldest,
       (select floor(extract(epoch from ${START}))::bigint from listening_events e join tracks t on t.id = e.track_id where e.user_id = ? order by e.played_at desc limit 1) as latest`,
  row: z.object({ oldest: z.coerce.number().int().nullable(), latest: z.coerce.number().int().nullable() }),
});

const toListen = (r: z.infer<typeof row>): ListenRow => ({
  listenedAt: r.listened_at,
  insertedAt: r.inserted_at,
  playedAt: r.played_at,
  trackId: r.track_id,
  source: r.source,
  client: r.client,
  durationMs: r.duration_ms,
});

const FAR_PAST = '0001-01-01T00:00:00Z';
const FAR_FUTURE = '9999-12-31T00:00:00Z';
const instant = (seconds: number | null, fallback: string): string => (seconds === null ? fallback : new Date(seconds * 1000).toISOString());

/**
 * The listener's listens with a start strictly between the bounds (Unix seconds), at most `count`, newest first;
 * with only `minTs`, the first ones after it (ListenBrainz's paging forward).
 */
export async function loadListens(em: EntityManager, userId: string, query: { minTs: number | null; maxTs: number | null; count: number }): Promise<ListenRow[]> {
  if (query.count === 0) return [];
  if (query.minTs !== null && query.maxTs === null) {
    const after = instant(query.minTs, FAR_PAST);
    const rows = await runStatement(em, listensOldestStatement, [userId, after, after, query.count]);
    return rows.map(toListen).reverse();
  }
  const before = instant(query.maxTs, FAR_FUTURE);
  const after = instant(query.minTs, FAR_PAST);
  const rows = await runStatement(em, listensNewestStatement, [userId, before, after, before, after, query.count]);
  return rows.map(toListen);
}

/** When the listener's first and last plays began, Unix seconds; 0 for an empty history (players read numbers, as ListenBrainz sends). */
export async function listensSpan(em: EntityManager, userId: string): Promise<{ oldest: number; latest: number }> {
  const [span] = await runStatement(em, listensSpanStatement, [userId, userId]);
  return { oldest: span?.oldest ?? 0, latest: span?.latest ?? 0 };
}
