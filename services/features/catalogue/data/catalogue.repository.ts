import type { EntityManager } from '@mikro-orm/postgresql';
import { Track } from './catalogue.entity.js';

/** A catalogue track as an import links its plays to it. */
export interface KnownTrack {
  id: string;
  name: string;
  uri: string;
  durationMs: number;
  albumId: string | null;
}

/**
 * The tracks of these ids that the catalogue already holds. Plain rows, no entities: an import walks
 * through tens of thousands of tracks, which an identity map would keep for the whole job.
 */
export async function findKnownTracks(em: EntityManager, trackIds: readonly string[]): Promise<KnownTrack[]> {
  if (trackIds.length === 0) return [];
  const rows = (await em
    .createQueryBuilder(Track, 't')
    .select(['id', 'name', 'uri', 'durationMs', 'album'])
    .where({ id: { $in: [...new Set(trackIds)] } })
    .execute('all', false)) as Array<{ id: string; name: string; uri: string; duration_ms: number; album_id: string | null }>;
  return rows.map((row) => ({ id: row.id, name: row.name, uri: row.uri, durationMs: row.duration_ms, albumId: row.album_id }));
}
