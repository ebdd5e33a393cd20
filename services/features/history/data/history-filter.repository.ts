import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Track, TrackArtist } from '../../catalogue/data/catalogue.entity.js';
import { bigintNumber, defineStatement, runStatement } from '../../../shared/db/statements/statement.js';
import { tracksNamedBy } from '../../catalogue/data/streaming-history-names.repository.js';
import { historyPageFromRows, keysetPageBindings, keysetPageSql, pageRow, type HistoryPage, type HistoryPageRequest } from './history.repository.js';

/**
 * A history narrowed to some tracks: one track, the tracks of an album, the tracks an artist is credited
 * on (as the viewer sees them: an album or artist named by their own streaming history finds the tracks
 * it named). The pages are the history's own keyset statements with `track_id = any(…)` added.
 */
export interface TrackFilter {
  trackId?: string;
  albumId?: string;
  artistId?: string;
}

const FILTER_PURPOSE =
  'narrowed to a set of tracks (a history filtered by track, album or artist): the keyset page statement with ' +
  '`track_id = any(…)`, the set bound as one array parameter. Postgres walks the primary key from the cursor, or ' +
  'the (track_id, user_id) index for a few rarely played tracks and sorts them, whichever its statistics say is cheaper.';

export const historyPageOfTracksStatement = defineStatement({
  name: 'history_page_of_tracks',
  purpose: `A page of a user’s plays read newest first, ${FILTER_PURPOSE}`,
  sql: keysetPageSql('forward', true),
  row: pageRow,
});

export const historyPageOfTracksBackwardStatement = defineStatement({
  name: 'history_page_of_tracks_backward',
  purpose: `A page of a user’s plays read oldest first from its end, ${FILTER_PURPOSE}`,
  sql: keysetPageSql('backward', true),
  row: pageRow,
});

export const historyCountOfTracksStatement = defineStatement({
  name: 'history_count_of_tracks',
  purpose:
    'How many plays of a set of tracks a user has in a range (the totalCount of a filtered history): a count over the ' +
    '(track_id, user_id) index; the daily counts cover all of a user’s plays, not a track’s.',
  sql: `
select count(*) as total
  from listening_events e
 where e.user_id = ?
   and e.track_id = any(?::text[])
   and e.played_at >= ?::timestamptz
   and e.played_at < ?::timestamptz`,
  row: z.object({ total: bigintNumber }),
});

/** The catalogue ids of the tracks the filter lets through, for this viewer; every part of the filter must hold. */
export async function tracksMatching(em: EntityManager, viewerId: string, filter: TrackFilter): Promise<string[]> {
  let tracks: Set<string> | undefined;
  const narrow = (ids: Iterable<string>) => {
    const next = new Set(ids);
    tracks = tracks === undefined ? next : new Set([...tracks].filter((id) => next.has(id)));
  };
  if (filter.trackId !== undefined) narrow([filter.trackId]);
  if (filter.albumId !== undefined) {
    const albumId = filter.albumId;
    if (albumId.startsWith('export-')) narrow(await tracksNamedBy(em, viewerId, { albumId }));
    else narrow((await em.find(Track, { album: albumId }, { fields: ['id'] })).map((track) => track.id));
  }
  if (filter.artistId !== undefined) {
    const artistId = filter.artistId;
    if (artistId.startsWith('export-')) narrow(await tracksNamedBy(em, viewerId, { artistId }));
    else narrow((await em.find(TrackArtist, { artist: artistId }, { fields: ['track'] })).map((credit) => credit.track.id));
  }
  return [...(tracks ?? [])];
}

/** A page of the user's plays of these tracks. */
export async function loadHistoryPageOfTracks(em: EntityManager, request: HistoryPageRequest, trackIds: readonly string[]): Promise<HistoryPage> {
  if (trackIds.length === 0) return { plays: [], hasOlder: false, hasNewer: false };
  const statement = request.direction === 'forward' ? historyPageOfTracksStatement : historyPageOfTracksBackwardStatement;
  return historyPageFromRows(request, await runStatement(em, statement, keysetPageBindings(request, trackIds)));
}

/** How many plays of these tracks the user has at or after `from` and before `to`. */
export async function countHistoryOfTracks(em: EntityManager, userId: string, trackIds: readonly string[], range: { from?: Date; to?: Date }): Promise<number> {
  if (trackIds.length === 0) return 0;
  const [row] = await runStatement(em, historyCountOfTracksStatement, [userId, [...trackIds], range.from?.toISOString() ?? '-infinity', range.to?.toISOString() ?? 'infinity']);
  return row?.total ?? 0;
}
