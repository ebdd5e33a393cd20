import type { EntityManager } from '@mikro-orm/postgresql';
import { Album, Artist, ListeningEvent, Track, TrackArtist } from '../../services/features/entities.js';
import { createPlayEntity } from './play-entity.js';
import type { PlayInput } from '../../services/features/plays/play-input.js';

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/**
 * Ingest as MikroORM's documentation recommends for a batch: read what exists with one query per entity
 * type, `em.create` everything that is missing, then ONE `em.flush()`, whose unit of work sends the
 * inserts in batches inside one transaction. Idempotent like ingestPlays: plays already stored (same
 * user, time and track) and catalogue rows already known are not inserted again.
 */
export async function unitOfWorkIngest(em: EntityManager, userId: string, plays: PlayInput[]): Promise<number> {
  const albums = new Map((await em.find(Album, { id: { $in: unique(plays.flatMap((play) => (play.track.album ? [play.track.album.id] : []))) } })).map((album) => [album.id, album]));
  const artists = new Map((await em.find(Artist, { id: { $in: unique(plays.flatMap((play) => play.track.artists.map((artist) => artist.id))) } })).map((artist) => [artist.id, artist]));
  const tracks = new Map((await em.find(Track, { id: { $in: unique(plays.map((play) => play.track.id)) } })).map((track) => [track.id, track]));
  const stored = await em.find(ListeningEvent, { user: userId, playedAt: { $in: unique(plays.map((play) => new Date(play.playedAt))) } }, { fields: ['playedAt', 'track'] });
  const storedKeys = new Set(stored.map((play) => `${play.playedAt.getTime()}|${play.track.id}`));

  let inserted = 0;
  for (const play of plays) {
    let track = tracks.get(play.track.id);
    if (!track) {
      const input = play.track;
      let album: Album | null = null;
      if (input.album) {
        album = albums.get(input.album.id) ?? em.create(Album, { id: input.album.id, name: input.album.name, uri: input.album.uri, releaseDate: input.album.releaseDate, imageUrl: input.album.imageUrl });
        albums.set(album.id, album);
      }
      track = em.create(Track, { id: input.id, name: input.name, uri: input.uri, durationMs: input.durationMs, album });
      tracks.set(track.id, track);
      for (const [position, artistInput] of input.artists.entries()) {
        const artist = artists.get(artistInput.id) ?? em.create(Artist, { id: artistInput.id, name: artistInput.name, uri: artistInput.uri });
        artists.set(artist.id, artist);
        em.create(TrackArtist, { track, position, artist });
      }
    }
    const playedAt = new Date(play.playedAt);
    const key = `${playedAt.getTime()}|${track.id}`;
    if (storedKeys.has(key)) continue;
    storedKeys.add(key);
    createPlayEntity(em, userId, track, play);
    inserted++;
  }
  await em.flush();
  return inserted;
}
