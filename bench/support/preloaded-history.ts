import { createHash } from 'node:crypto';
import pg from 'pg';
import { createMigratedDatabase } from './bench-database.js';

/** The shape of a history preloaded set-based in SQL (generate_series), in a minute rather than hours. */
export interface PreloadSpec {
  /** Users with `playsPerUser` plays each. */
  users: number;
  playsPerUser: number;
  /** One more user with this many plays: the deep history that paging is measured on. */
  heavyUserPlays: number;
  tracks: number;
}

export const PRELOAD_SIZES = {
  small: { users: 20, playsPerUser: 500, heavyUserPlays: 20_000, tracks: 2_000 },
  default: { users: 1_000, playsPerUser: 10_000, heavyUserPlays: 1_000_000, tracks: 40_000 },
} satisfies Record<string, PreloadSpec>;

/** Every preloaded play is before this instant; benchmarks add newer plays after it, as polling would. */
export const PRELOAD_END = Date.UTC(2026, 0, 1);
/** Spacing of a user's preloaded plays (one every 3 minutes: a user who never stops listening). */
export const PRELOAD_SPACING_MS = 180_000;

/** Deterministic ids, so scenarios can name preloaded rows without reading them back. */
export const preloadUserSql = (i: string) => `md5('bench-user-' || ${i})::uuid`;
export const HEAVY_USER_SQL = `md5('bench-heavy-user')::uuid`;
const md5Uuid = (text: string) => createHash('md5').update(text).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
/** The same ids, computed here: user i (1-based) and the heavy user. */
export const preloadUserId = (i: number) => md5Uuid(`bench-user-${i}`);
export const HEAVY_USER_ID = md5Uuid('bench-heavy-user');
export const trackIdSql = (i: string) => `'trk' || lpad((${i})::text, 19, '0')`;
export const trackId = (i: number) => `trk${String(i).padStart(19, '0')}`;
export const albumId = (i: number) => `alb${String(i).padStart(19, '0')}`;
export const artistId = (i: number) => `art${String(i).padStart(19, '0')}`;

/**
 * Creates a migrated database holding spec.users × spec.playsPerUser + spec.heavyUserPlays plays.
 * The play table's keys and foreign keys are dropped for the load and rebuilt after it (a sort beats
 * millions of B-tree inserts), and the daily play counts its trigger keeps are counted once after it;
 * then validated, vacuumed and analysed: the result is the schema the migrations define, with
 * statistics, as a long-running install would have it.
 */
export async function createPreloadedDatabase(name: string, spec: PreloadSpec, log: (message: string) => void): Promise<void> {
  const url = await createMigratedDatabase(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const step = async (what: string, sql: string) => {
    const started = Date.now();
    await client.query(sql);
    log(`  preload: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  const artists = Math.max(10, Math.round(spec.tracks / 8));
  const albums = Math.max(10, Math.round(spec.tracks / 10));
  try {
    await client.query(`set synchronous_commit = off; set maintenance_work_mem = '1GB'; set work_mem = '256MB'; set timezone = 'UTC'`);
    await step(
      'catalogue',
      `insert into artists (id, name, uri) select 'art' || lpad(i::text, 19, '0'), 'Artist ' || i, 'spotify:artist:art' || lpad(i::text, 19, '0') from generate_series(1, ${artists}) i;
       insert into albums (id, name, uri, release_date, image_url)
         select 'alb' || lpad(i::text, 19, '0'), 'Album ' || i, 'spotify:album:alb' || lpad(i::text, 19, '0'), '2020-01-01', 'https://i.scdn.co/image/' || md5(i::text)
         from generate_series(1, ${albums}) i;
       insert into tracks (id, name, uri, duration_ms, album_id)
         select ${trackIdSql('i')}, 'Track ' || i, 'spotify:track:' || ${trackIdSql('i')}, 120000 + (i % 180) * 1000, 'alb' || lpad((1 + i % ${albums})::text, 19, '0')
         from generate_series(1, ${spec.tracks}) i;
       insert into track_artists (track_id, position, artist_id)
         select ${trackIdSql('i')}, p, 'art' || lpad((1 + (i * (p + 1)) % ${artists})::text, 19, '0')
         from generate_series(1, ${spec.tracks}) i, generate_series(0, 1) p where p = 0 or i % 5 = 0;`,
    );
    await step(
      'users',
      `insert into users (id, spotify_user_id, display_name) select ${preloadUserSql('i')}, 'bench-user-' || i, 'Bench user ' || i from generate_series(1, ${spec.users}) i;
       insert into users (id, spotify_user_id, display_name) values (${HEAVY_USER_SQL}, 'bench-heavy-user', 'Bench heavy user');`,
    );
    // The play table's other indexes, whatever the migrations made them, are dropped for the load and rebuilt as they were defined.
    const { rows: secondaryIndexes } = await client.query<{ indexname: string; indexdef: string }>(
      `select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = 'listening_events' and indexname <> 'listening_events_pkey' order by indexname`,
    );
    await client.query(
      `alter table listening_events drop constraint listening_events_user_id_foreign, drop constraint listening_events_track_id_foreign, drop constraint listening_events_pkey;
       ${secondaryIndexes.map((index) => `drop index ${index.indexname};`).join('\n       ')}
       alter table listening_events disable trigger listening_events_count_stored;
       alter table listening_events disable trigger listening_events_stats_stored;`,
    );
    // played_at steps back from PRELOAD_END; each user is offset by a few seconds so users' plays interleave.
    const plays = (userSql: string, n: string, u: string) => `
      select ${userSql}, to_timestamp(${PRELOAD_END / 1000}) - make_interval(secs => ${n} * ${PRELOAD_SPACING_MS / 1000} + ${u} % 150),
             ${trackIdSql(`1 + ((${n}::bigint * 7919 + ${u}::bigint * 104729) % ${spec.tracks})`)},
             'album', 'spotify:album:' || 'alb' || lpad((1 + ${n} % ${albums})::text, 19, '0'), 'poll', 170000, to_timestamp(${PRELOAD_END / 1000})`;
    const columns = `(user_id, played_at, track_id, context_type, context_uri, source, ms_played, ingested_at)`;
    await step(
      `${(spec.users * spec.playsPerUser + spec.heavyUserPlays).toLocaleString('en-US')} plays`,
      `insert into listening_events ${columns} ${plays(preloadUserSql('u'), 'n', 'u')} from generate_series(1, ${spec.users}) u, generate_series(0, ${spec.playsPerUser - 1}) n;
       insert into listening_events ${columns} ${plays(HEAVY_USER_SQL, 'n', '0')} from generate_series(0, ${spec.heavyUserPlays - 1}) n;`,
    );
    await step('primary key', `alter table listening_events add constraint listening_events_pkey primary key (user_id, played_at, track_id)`);
    await step(secondaryIndexes.map((index) => index.indexname).join(', '), secondaryIndexes.map((index) => `${index.indexdef};`).join('\n'));
    // What the triggers would have counted play by play, counted once (and the triggers back on for the benchmarks' own writes).
    await step(
      'daily play counts and statistics rollups',
      `drop index stats_tracks_measures_index;
       insert into play_counts (user_id, day, plays) select user_id, (played_at at time zone 'UTC')::date, count(*) from listening_events group by 1, 2;
       insert into stats_quarters (user_id, quarter, plays, ms_played)
         select e.user_id, date_bin('15 minutes', e.played_at, timestamptz '2000-01-01 00:00:00+00'), count(*), sum(coalesce(e.ms_played, t.duration_ms))
           from listening_events e join tracks t on t.id = e.track_id where playlog_counts_as_play(e.source, e.ms_played) group by 1, 2;
       insert into stats_tracks (user_id, track_id, plays, ms_played, first_played_at, last_played_at)
         select e.user_id, e.track_id, count(*), sum(coalesce(e.ms_played, t.duration_ms)), min(e.played_at), max(e.played_at)
           from listening_events e join tracks t on t.id = e.track_id where playlog_counts_as_play(e.source, e.ms_played) group by 1, 2;
       insert into stats_days (user_id, day, plays, ms_played)
         select q.user_id, (q.quarter at time zone u.time_zone)::date, sum(q.plays), sum(q.ms_played) from stats_quarters q join users u on u.id = q.user_id group by 1, 2;
       insert into stats_clock (user_id, weekday, hour, plays, ms_played)
         select q.user_id, extract(isodow from q.quarter at time zone u.time_zone), extract(hour from q.quarter at time zone u.time_zone), sum(q.plays), sum(q.ms_played)
           from stats_quarters q join users u on u.id = q.user_id group by 1, 2, 3;
       create index stats_tracks_measures_index on stats_tracks (user_id) include (track_id, plays, ms_played, first_played_at, last_played_at);
       alter table listening_events enable trigger listening_events_count_stored;
       alter table listening_events enable trigger listening_events_stats_stored;`,
    );
    await step(
      'foreign keys',
      `alter table listening_events add constraint listening_events_user_id_foreign foreign key (user_id) references users (id) on update cascade on delete cascade not valid;
       alter table listening_events add constraint listening_events_track_id_foreign foreign key (track_id) references tracks (id) on update cascade not valid;
       alter table listening_events validate constraint listening_events_user_id_foreign;
       alter table listening_events validate constraint listening_events_track_id_foreign;`,
    );
    await step('vacuum analyze', `vacuum (analyze) listening_events, play_counts, stats_quarters, stats_tracks, stats_days, stats_clock, tracks, track_artists, artists, albums, users`);
  } finally {
    await client.end();
  }
}
