import type { EntityManager } from '@mikro-orm/postgresql';
import { rememberStreamingHistoryNames, type StreamingHistoryNames } from '../catalogue/data/streaming-history-names.repository.js';
import { ingestPlays } from '../plays/ingest-plays.js';
import type { PlayInput } from '../plays/play-input.js';
import { keepRequestDeadline } from '../../shared/db/transaction-deadline.js';
import { findListenTracks } from './data/listen-tracks.repository.js';
import { clientOf, listenedAtIsTheEnd, listenTrackId, recordingMbidOf, spotifyTrackIdOf } from './listen-identity.js';
import type { ValidListen } from './listen-payload.js';

export interface StoredListens {
  received: number;
  inserted: number;
}

/**
 * Stores validated listens (single or import) as plays of the listener, atomically: each is a play
 * of the catalogue track it names (its Spotify id, the listener's own track an earlier listen of the same
 * MusicBrainz recording named, or the listener's own track of the same names), or of
 * a track made from its names, which then stay the listener's own (never the shared catalogue's). A listen
 * sent again, or the same play from another source, is stored once (ingestPlays' rule).
 *
 * Its time: `listened_at` is the start; the play's end is the start plus its duration (the listen's own,
 * otherwise the catalogue's), or the start where no duration is known. A player known to send the end
 * instead (listenedAtIsTheEnd) has its listens' start computed back from it.
 */
export async function storeListens(em: EntityManager, userId: string, listens: readonly ValidListen[]): Promise<StoredListens> {
  const queries = listens.map((listen) => ({
    spotifyId: spotifyTrackIdOf(listen.additionalInfo),
    recordingMbid: recordingMbidOf(listen.additionalInfo),
    title: listen.trackName.trim().toLowerCase(),
    artist: listen.artistName.trim().toLowerCase(),
  }));
  // Read outside any transaction: within the request's deadline and share, and cancellable (statement.ts).
  const found = await findListenTracks(em, userId, queries);
  const plays: PlayInput[] = [];
  const names = new Map<string, StreamingHistoryNames>();
  // Listens of one recording in this submission, whatever their names, are one track (the first one's).
  const byRecording = new Map<string, string>();
  listens.forEach((listen, index) => {
    const catalogue = found.get(index);
    const recording = queries[index]!.recordingMbid;
    const trackId = catalogue?.id ?? (recording === null ? undefined : byRecording.get(recording)) ?? listenTrackId(listen.artistName, listen.trackName);
    if (recording !== null && !byRecording.has(recording)) byRecording.set(recording, trackId);
    if (!catalogue && !names.has(trackId)) {
      names.set(trackId, { trackId, trackName: listen.trackName, artistName: listen.artistName, albumName: listen.releaseName, recordingMbid: recording });
    }
    const durationMs = listen.durationMs ?? (catalogue && catalogue.durationMs > 0 ? catalogue.durationMs : null);
    // listened_at is the start, except from the few players that send the end.
    const startMs = listenedAtIsTheEnd(listen.additionalInfo) ? listen.listenedAt! * 1000 - (durationMs ?? 0) : listen.listenedAt! * 1000;
    plays.push({
      playedAt: new Date(startMs + (durationMs ?? 0)),
      startedAt: new Date(startMs),
      msPlayed: listen.durationMs,
      client: clientOf(listen.additionalInfo),
      context: null,
      // The catalogue is insert-only: a track it holds is linked by its id; one it does not is kept by its id alone.
      track: { id: trackId, name: '', uri: catalogue?.uri ?? `playlog:listen-track:${trackId}`, durationMs: 0, album: null, artists: [] },
    });
  });
  // Listens of catalogue tracks alone: one statement, atomic on its own (the common case: no transaction's round trips).
  if (names.size === 0) return ingestPlays(em, { userId, plays, source: 'listenbrainz' });
  return em.transactional(async (tx) => {
    // The request's deadline holds inside the transaction too (a submission of a thousand listens is bounded).
    await keepRequestDeadline(em, tx);
    const result = await ingestPlays(tx, { userId, plays, source: 'listenbrainz' });
    // After the plays: their tracks are then in the catalogue; in the same transaction, so a play never lacks its names.
    await rememberStreamingHistoryNames(tx, userId, [...names.values()]);
    return result;
  });
}
