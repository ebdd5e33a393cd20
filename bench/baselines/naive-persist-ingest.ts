import type { EntityManager } from '@mikro-orm/postgresql';
import { Album, Artist, ListeningEvent, Track, TrackArtist } from '../../services/features/entities.js';
import { createPlayEntity } from './play-entity.js';
import type { PlayInput } from '../../services/features/plays/play-input.js';

/**
 * What a first draft of ingest would do with the unit of work: for each play, look the track up,
 * create what is missing, skip the play if it is already stored, persist and flush. Correct, and
 * several round trips per play: the baseline ingestPlays must beat by 20×.
 */
export async function naivePersistIngest(em: EntityManager, userId: string, plays: PlayInput[]): Promise<number> {
  let inserted = 0;
  for (const play of plays) {
    const playedAt = new Date(play.playedAt);
    let track = await em.findOne(Track, play.track.id);
    if (!track) {
      const album = play.track.album
        ? ((await em.findOne(Album, play.track.album.id)) ??
          em.create(Album, { id: play.track.album.id, name: play.track.album.name, uri: play.track.album.uri, releaseDate: play.track.album.releaseDate, imageUrl: play.track.album.imageUrl }))
        : null;
      track = em.create(Track, { id: play.track.id, name: play.track.name, uri: play.track.uri, durationMs: play.track.durationMs, album });
      for (const [position, input] of play.track.artists.entries()) {
        const artist = (await em.findOne(Artist, input.id)) ?? em.create(Artist, { id: input.id, name: input.name, uri: input.uri });
        em.create(TrackArtist, { track, position, artist });
      }
    }
    const existing = await em.findOne(ListeningEvent, { user: userId, playedAt, track: play.track.id });
    if (!existing) {
      createPlayEntity(em, userId, track, play);
      inserted++;
    }
    await em.flush();
  }
  return inserted;
}
