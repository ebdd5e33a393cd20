import type pg from 'pg';
import { hashApiToken, newApiTokenSecret } from '../../services/features/listenbrainz/api-token-secret.js';
import { PRELOAD_END, preloadUserId, preloadUserSql, trackId } from './preloaded-history.js';

/**
 * What the ListenBrainz benchmark sends: listeners with API tokens, and listens that are each a new play.
 * Every listen is a function of its sequence number alone, so two servers sent the same numbers must
 * store the same rows (the scenario checks they do).
 *
 * A listen names a track the preloaded catalogue holds by its `spotify_id` (as Web Scrobbler sends it on
 * Spotify's web player) and carries its duration: the API finds the track by that id, and the bare
 * baseline can take the id from the URL without looking it up. Listens of tracks the catalogue lacks
 * (a new track row and the listener's own names) and listens found by their names alone are not sent.
 */

/** A listener's plays never overlap: each listen starts this long after their previous one and lasts less. */
const LISTEN_SPACING_SECONDS = 240;
export const LISTEN_DURATION_MS = 200_000;
/** Single listens start a day after the preloaded history ends; imported ones a month after, so the two never meet. */
const SINGLE_START = PRELOAD_END / 1000 + 86_400;
const IMPORT_START = PRELOAD_END / 1000 + 30 * 86_400;
/** Where every listen of the benchmark starts, or after: the stored rows and rollups it compares begin here. */
export const FIRST_LISTEN = new Date(SINGLE_START * 1000);

export interface Listener {
  userId: string;
  token: string;
}

/** `count` listeners: preloaded users 1…count (made, as the preload makes them, where the preload has fewer), each with a new API token. */
export function newListeners(count: number): Listener[] {
  return Array.from({ length: count }, (_, i) => ({ userId: preloadUserId(i + 1), token: newApiTokenSecret() }));
}

/** Stores the listeners and their tokens (only the SHA-256, as createApiToken does). */
export async function storeListeners(sql: pg.Pool, listeners: readonly Listener[]): Promise<void> {
  await sql.query(
    `insert into users (id, spotify_user_id, display_name) select ${preloadUserSql('i')}, 'bench-user-' || i, 'Bench user ' || i from generate_series(1, $1::int) i on conflict do nothing`,
    [listeners.length],
  );
  await sql.query(`insert into api_tokens (id, user_id, name, token_hash) select gen_random_uuid(), u, 'bench player', h from unnest($1::uuid[], $2::text[]) as t(u, h)`, [
    listeners.map((listener) => listener.userId),
    listeners.map((listener) => hashApiToken(listener.token)),
  ]);
  await sql.query(`vacuum (analyze) users, api_tokens`);
}

/** One listen as a player sends it: names, the Spotify track URL, a duration, a recording MBID. */
function listen(listenedAt: number, track: number, tracks: number) {
  const id = trackId(track);
  return {
    listened_at: listenedAt,
    track_metadata: {
      artist_name: `Artist ${1 + (track % Math.max(10, Math.round(tracks / 8)))}`,
      track_name: `Track ${track}`,
      release_name: `Album ${1 + (track % Math.max(10, Math.round(tracks / 10)))}`,
      additional_info: {
        submission_client: 'Playlog bench',
        submission_client_version: '1.0',
        duration_ms: LISTEN_DURATION_MS,
        spotify_id: `https://open.spotify.com/track/${id}`,
        recording_mbid: `00000000-0000-4000-8000-${String(track).padStart(12, '0')}`,
      },
    },
  };
}

export interface Submission {
  listener: number;
  body: string;
  listens: number;
}

/**
 * Single listen number n: listener n mod listeners, their (n div listeners)-th listen; the track steps
 * through the catalogue so a listener's consecutive listens are of different tracks.
 */
export function singleSubmission(n: number, listeners: number, tracks: number): Submission {
  const listener = n % listeners;
  const listenedAt = SINGLE_START + Math.floor(n / listeners) * LISTEN_SPACING_SECONDS + listener;
  return { listener, listens: 1, body: JSON.stringify({ listen_type: 'single', payload: [listen(listenedAt, 1 + ((n * 7919) % tracks), tracks)] }) };
}

/** Import payload number p: `size` consecutive listens of listener p mod listeners. */
export function importSubmission(p: number, size: number, listeners: number, tracks: number): Submission {
  const listener = p % listeners;
  const first = Math.floor(p / listeners) * size;
  const payload = Array.from({ length: size }, (_, j) =>
    listen(IMPORT_START + (first + j) * LISTEN_SPACING_SECONDS + listener, 1 + (((p * size + j) * 104_729) % tracks), tracks),
  );
  return { listener, listens: size, body: JSON.stringify({ listen_type: 'import', payload }) };
}

/**
 * What the benchmark's listens left in a database: the plays of source listenbrainz, and the rollups their
 * triggers keep (daily counts, statistics), from FIRST_LISTEN on: a row count and an MD5 of the rows per table.
 */
export async function storedListensDigest(sql: pg.Pool, userIds: readonly string[]): Promise<Record<string, { rows: number; md5: string }>> {
  const tables: Record<string, string> = {
    plays: `select row(user_id, played_at, track_id, context_type, context_uri, source, ms_played, client, started_at)::text as r from listening_events where source = 'listenbrainz'`,
    play_counts: `select row(user_id, day, plays)::text as r from play_counts where user_id = any($1::uuid[]) and day >= $2::timestamptz::date`,
    stats_tracks: `select row(user_id, track_id, plays, ms_played, first_played_at, last_played_at)::text as r from stats_tracks where user_id = any($1::uuid[]) and last_played_at >= $2`,
    stats_quarters: `select row(user_id, quarter, plays, ms_played)::text as r from stats_quarters where user_id = any($1::uuid[]) and quarter >= $2`,
    stats_days: `select row(user_id, day, plays, ms_played)::text as r from stats_days where user_id = any($1::uuid[]) and day >= $2::timestamptz::date - 1`,
    stats_clock: `select row(user_id, weekday, hour, plays, ms_played)::text as r from stats_clock where user_id = any($1::uuid[])`,
  };
  const digest: Record<string, { rows: number; md5: string }> = {};
  for (const [table, rows] of Object.entries(tables)) {
    // Each query binds only the parameters it names.
    const values = [userIds, FIRST_LISTEN].slice(0, rows.includes('$2') ? 2 : rows.includes('$1') ? 1 : 0);
    const { rows: found } = await sql.query<{ rows: number; md5: string }>(
      `select count(*)::int as rows, md5(coalesce(string_agg(r, E'\\n' order by r), '')) as md5 from (${rows}) t`,
      values,
    );
    digest[table] = found[0]!;
  }
  return digest;
}
