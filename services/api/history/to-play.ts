import type { PlayRow } from '../../features/history/data/history.repository.js';
import type { TrackRow } from '../../features/catalogue/data/track-rows.repository.js';
import { toTrack } from '../catalogue/to-catalogue.js';
import { toGlobalId } from '../relay/global-id.js';
import type { Play, PlaySource } from './play.type.js';

/** A stored play of this user, with its track, as GraphQL shows it. */
export function toPlay(userId: string, play: PlayRow, tracks: ReadonlyMap<string, TrackRow>): Play {
  const track = tracks.get(play.trackId);
  // The foreign key makes this impossible; say so plainly if it ever happens.
  if (!track) throw new Error(`track ${play.trackId} of a stored play is missing from the catalogue`);
  return {
    __typename: 'Play',
    id: toGlobalId({ type: 'Play', userId, playedAt: play.position.playedAt, trackId: play.trackId }),
    playedAt: play.playedAt,
    msPlayed: play.msPlayed,
    source: play.source as PlaySource,
    // Plays are stored with both or neither (from-spotify-item.ts).
    context: play.contextType !== null && play.contextUri !== null ? { type: play.contextType, uri: play.contextUri } : null,
    track: toTrack(track),
  };
}
