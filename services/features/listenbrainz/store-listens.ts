import type { EntityManager } from '@mikro-orm/postgresql';
import { rememberNamesOfUsers, rememberStreamingHistoryNames, type StreamingHistoryNames } from '../catalogue/data/streaming-history-names.repository.js';
import { ingestPlays, ingestPlaysOfUsers } from '../plays/ingest-plays.js';
import type { PlayInput } from '../plays/play-input.js';
import { keepRequestDeadline } from '../../shared/db/transaction-deadline.js';
import { findListenTracks, type FoundTrack, type ListenTrackQuery } from './data/listen-tracks.repository.js';
import { clientOf, listenedAtIsTheEnd, listenTrackId, recordingMbidOf, spotifyTrackIdOf } from './listen-identity.js';
import type { ValidListen } from './listen-payload.js';

export interface StoredListens {
  received: number;
  inserted: number;
}

/** One listener's validated listens, as one request submitted them. */
export interface ListenSubmission {
  userId: string;
  listens: readonly ValidListen[];
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
  // Read outside any transaction: within the request's deadline and share, and cancellable (statement.ts).
  const found = await findListenTracks(em, listens.map((listen) => trackQuery(userId, listen)));
  return storeResolved(em, userId, resolveListens(listens, (index) => found.get(index)));
}

/**
 * Stores the submissions of several listeners at once (the API's batches), each as storeListens stores it:
 * their tracks found by one look-up, their plays stored by one statement (one statement, its triggers and one
 * commit for all of them: what a single listen costs alone), and the names of tracks the catalogue lacks kept
 * in the same transaction. Results in the order given. A listener appears at most once (the batcher's rule:
 * their submissions stay in order).
 */
export async function storeListensOfUsers(em: EntityManager, submissions: readonly ListenSubmission[]): Promise<StoredListens[]> {
  if (new Set(submissions.map((submission) => submission.userId)).size !== submissions.length) throw new Error('storeListensOfUsers takes one submission per listener');
  const found = await findListenTracks(em, submissions.flatMap((submission) => submission.listens.map((listen) => trackQuery(submission.userId, listen))));
  let offset = 0;
  const resolved = submissions.map((submission) => {
    const first = offset;
    offset += submission.listens.length;
    return { userId: submission.userId, ...resolveListens(submission.listens, (index) => found.get(first + index)) };
  });
  const store = (tx: EntityManager) => ingestPlaysOfUsers(tx, 'listenbrainz', resolved);
  if (resolved.every((user) => user.names.length === 0)) return store(em);
  return em.transactional(async (tx) => {
    await keepRequestDeadline(em, tx);
    const results = await store(tx);
    await rememberNamesOfUsers(tx, resolved);
    return results;
  });
}

/** What a listen says of its track, for the look-up. */
function trackQuery(userId: string, listen: ValidListen): ListenTrackQuery {
  return {
    userId,
    spotifyId: spotifyTrackIdOf(listen.additionalInfo),
    recordingMbid: recordingMbidOf(listen.additionalInfo),
    title: listen.trackName.trim().toLowerCase(),
    artist: listen.artistName.trim().toLowerCase(),
  };
}

/** A listener's listens as plays, with the names of the tracks the catalogue does not hold (none when it holds them all). */
interface ResolvedListens {
  plays: PlayInput[];
  names: StreamingHistoryNames[];
}

/** Each listen as a play of the track the look-up found for it (`foundAt` its position), or of a track made from its names. */
function resolveListens(listens: readonly ValidListen[], foundAt: (index: number) => FoundTrack | undefined): ResolvedListens {
  const plays: PlayInput[] = [];
  const names = new Map<string, StreamingHistoryNames>();
  // Listens of one recording in this submission, whatever their names, are one track (the first one's).
  const byRecording = new Map<string, string>();
  listens.forEach((listen, index) => {
    const catalogue = foundAt(index);
    const recording = recordingMbidOf(listen.additionalInfo);
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
  return { plays, names: [...names.values()] };
}

/** Stores one listener's resolved listens, atomically. */
async function storeResolved(em: EntityManager, userId: string, { plays, names }: ResolvedListens): Promise<StoredListens> {
  // Listens of catalogue tracks alone: one statement, atomic on its own (the common case: no transaction's round trips).
  if (names.length === 0) return ingestPlays(em, { userId, plays, source: 'listenbrainz' });
  return em.transactional(async (tx) => {
    // The request's deadline holds inside the transaction too (a submission of a thousand listens is bounded).
    await keepRequestDeadline(em, tx);
    const result = await ingestPlays(tx, { userId, plays, source: 'listenbrainz' });
    // After the plays: their tracks are then in the catalogue; in the same transaction, so a play never lacks its names.
    await rememberStreamingHistoryNames(tx, userId, names);
    return result;
  });
}
