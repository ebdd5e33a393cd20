import type { OraclePlay } from './stats-oracle.js';
import type { PlayInput } from '../../services/features/plays/play-input.js';

/** A play of a made-up track, for tests of what Playlog stores. */
export function makePlay(trackNumber: number, playedAt: string, overrides: Partial<PlayInput> = {}): PlayInput {
  const id = `track${String(trackNumber).padStart(17, '0')}`;
  return {
    playedAt,
    msPlayed: 180_000,
    context: { type: 'album', uri: 'spotify:album:album0000000000000001' },
    track: {
      id,
      name: `Song ${trackNumber}`,
      uri: `spotify:track:${id}`,
      durationMs: 180_000,
      album: { id: 'album0000000000000001', name: 'First Album', uri: 'spotify:album:album0000000000000001', releaseDate: '2020-01-01', imageUrl: null },
      artists: [
        { id: 'artist000000000000001', name: 'The Testers', uri: 'spotify:artist:artist000000000000001' },
        { id: `artist${String(trackNumber).padStart(15, '0')}`, name: `Guest ${trackNumber}`, uri: `spotify:artist:guest${trackNumber}` },
      ],
    },
    ...overrides,
  };
}

export async function insertUser(sql: { query: (text: string, values?: unknown[]) => Promise<{ rows: Array<{ id: string }> }> }, spotifyUserId: string): Promise<string> {
  const { rows } = await sql.query(`insert into users (id, spotify_user_id, display_name) values (gen_random_uuid(), $1, $1) returning id`, [spotifyUserId]);
  return rows[0]!.id;
}

/** A play of the statistics oracle (stats-oracle.ts) as ingestPlays takes it: its ids double as names and URIs. */
export function oraclePlayInput(play: OraclePlay): PlayInput {
  return {
    playedAt: play.playedAt,
    msPlayed: play.msPlayed,
    context: null,
    track: {
      id: play.trackId,
      name: play.trackId,
      uri: `spotify:track:${play.trackId}`,
      durationMs: play.durationMs,
      album: play.albumId === null ? null : { id: play.albumId, name: play.albumId, uri: `spotify:album:${play.albumId}`, releaseDate: null, imageUrl: null },
      artists: play.artistIds.map((id) => ({ id, name: id, uri: `spotify:artist:${id}` })),
    },
  };
}
