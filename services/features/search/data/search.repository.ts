import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { bigintNumber, defineStatement, runStatement } from '../../../shared/db/statements/statement.js';

export type SearchKind = 'track' | 'album' | 'artist';

/** A track, album or artist the listener played whose name matched, with their counted plays and time of it. */
export interface SearchHit {
  kind: SearchKind;
  /** The catalogue id (an artist or album named only by the listener's streaming history: the id its names make). */
  id: string;
  plays: number;
  ms: number;
}

/**
 * A name matches when the query, without accents and in lower case, is close to one of its words or a run of them
 * (pg_trgm's word similarity, at least its threshold `pg_trgm.word_similarity_threshold`, 0.6 by default): a typo
 * or a word left half typed still matches. `<%` is that test, which the trigram indexes answer.
 */
const MATCHES = (name: string) => `q.key <% playlog_search_key(${name})`;
const SCORE = (name: string) => `word_similarity(q.key, playlog_search_key(${name}))`;
/**
 * The listener's plays of one matched track, by primary key. Fenced (OFFSET 0) so that each matched name costs one
 * probe: joined plainly, the planner reads all of the listener's track rows and every catalogue name to hash them,
 * whatever few names match.
 */
const PLAYS_OF_TRACK = (track: string) => `select st.plays, st.ms_played from stats_tracks st where st.user_id = q.user_id and st.track_id = ${track} offset 0`;

/** The albums or artists the listener's streaming history named, matched by that name, with the plays of their tracks. */
const NAMED_BY_HISTORY = (kind: 'album' | 'artist', name: string, id: string) => `select '${kind}', n.${id}, sum(st.plays), sum(st.ms_played), max(${SCORE(`n.${name}`)})
    from q join export_track_names n on n.user_id = q.user_id and ${MATCHES(`n.${name}`)}
    join stats_tracks st on st.user_id = q.user_id and st.track_id = n.track_id
   where n.${id} is not null
   group by n.${id}`;

export const searchPlayedStatement = defineStatement({
  name: 'search_played_items',
  purpose: [
    'The tracks, albums and artists one listener played whose names match a query, with their counted plays and time',
    '(from stats_tracks, as the all-time rankings count them), most played first: names in the catalogue, found by their',
    'trigram indexes, then kept only where the listener has plays; and the names the listener’s own streaming history',
    'gave tracks Spotify no longer knows, only theirs. A catalogue track known by its id alone is matched by those names',
    'only (its catalogue row names nobody’s track). Its page (limit, offset) and how many matched. Trigram operators and',
    'a union of six sources are beyond the query builder.',
  ].join(' '),
  sql: `
with q as (select playlog_search_key(?::text) as key, ?::uuid as user_id),
hits as (
  select 'track' as kind, t.id, st.plays, st.ms_played as ms, ${SCORE('t.name')} as score
    from q join tracks t on ${MATCHES('t.name')}
    cross join lateral (${PLAYS_OF_TRACK('t.id')}) st
   where not (t.duration_ms = 0 and t.album_id is null)
  union all
  select 'track', n.track_id, st.plays, st.ms_played, ${SCORE('n.track_name')}
    from q join export_track_names n on n.user_id = q.user_id and ${MATCHES('n.track_name')}
    cross join lateral (${PLAYS_OF_TRACK('n.track_id')}) st
  union all
  select 'album', al.id, s.plays, s.ms, ${SCORE('al.name')}
    from q join albums al on ${MATCHES('al.name')}
    cross join lateral (select sum(st.plays) as plays, sum(st.ms_played) as ms from tracks t join stats_tracks st on st.user_id = q.user_id and st.track_id = t.id where t.album_id = al.id) s
   where s.plays is not null
  union all
  ${NAMED_BY_HISTORY('album', 'album_name', 'export_album_id')}
  union all
  select 'artist', ar.id, s.plays, s.ms, ${SCORE('ar.name')}
    from q join artists ar on ${MATCHES('ar.name')}
    cross join lateral (select sum(st.plays) as plays, sum(st.ms_played) as ms from stats_tracks st
                         where st.user_id = q.user_id and st.track_id in (select ta.track_id from track_artists ta where ta.artist_id = ar.id)) s
   where s.plays is not null
  union all
  ${NAMED_BY_HISTORY('artist', 'artist_name', 'export_artist_id')}
)
select (select count(*) from hits) as total, p.kind, p.id, p.plays, p.ms
  from (select 1) one
  left join (select * from hits order by plays desc, score desc, ms desc, kind, id limit ? offset ?) p on true
 order by p.plays desc, p.score desc, p.ms desc, p.kind, p.id`,
  row: z.object({ total: bigintNumber, kind: z.enum(['track', 'album', 'artist']).nullable(), id: z.string().nullable(), plays: bigintNumber.nullable(), ms: bigintNumber.nullable() }),
});

/** The listener's played items matching `query`, most played first: the page at `offset`, and how many matched. */
export async function searchPlayed(em: EntityManager, request: { userId: string; query: string; size: number; offset: number }): Promise<{ hits: SearchHit[]; total: number }> {
  const rows = await runStatement(em, searchPlayedStatement, [request.query, request.userId, request.size, request.offset]);
  // No match on the page: one row of nulls, carrying how many matched.
  const hits = rows.flatMap((row) => (row.kind === null || row.id === null || row.plays === null || row.ms === null ? [] : [{ kind: row.kind, id: row.id, plays: row.plays, ms: row.ms }]));
  return { hits, total: rows[0]?.total ?? 0 };
}
