import { badUserInput } from '../app-error.js';
import { decodeToken, encodeToken, isKeyInstant, isUuid } from './opaque-token.js';

/**
 * Global object ids (the Relay server specification): one opaque `ID` per object, unique across types,
 * that `node(id:)` resolves. Inside, the type and the object's key: a user's, import's or export's uuid, a
 * catalogue entry's Spotify id, a play's (user, played_at with microseconds, track). Whoever asks, an
 * id only ever resolves to what the caller may see.
 */
export type NodeTypeName = 'User' | 'Play' | 'Track' | 'Album' | 'Artist' | 'Import' | 'Export';

export type NodeKey =
  | { type: 'User'; userId: string }
  | { type: 'Play'; userId: string; playedAt: string; trackId: string }
  | { type: 'Track'; trackId: string }
  | { type: 'Album'; albumId: string }
  | { type: 'Artist'; artistId: string }
  | { type: 'Import'; importId: string }
  | { type: 'Export'; exportId: string };

/** Tags inside the ids: short, and apart from every cursor tag. */
const TAGS: Record<NodeTypeName, string> = { User: 'U', Play: 'P', Track: 'T', Album: 'AL', Artist: 'AR', Import: 'I', Export: 'X' };
const TYPES_BY_TAG = new Map(Object.entries(TAGS).map(([type, tag]) => [tag, type as NodeTypeName]));

export function toGlobalId(key: NodeKey): string {
  switch (key.type) {
    case 'User':
      return encodeToken([TAGS.User, key.userId]);
    case 'Play':
      return encodeToken([TAGS.Play, key.userId, key.playedAt, key.trackId]);
    case 'Track':
      return encodeToken([TAGS.Track, key.trackId]);
    case 'Album':
      return encodeToken([TAGS.Album, key.albumId]);
    case 'Artist':
      return encodeToken([TAGS.Artist, key.artistId]);
    case 'Import':
      return encodeToken([TAGS.Import, key.importId]);
    case 'Export':
      return encodeToken([TAGS.Export, key.exportId]);
  }
}

/** The key inside an id this API made; null for any other string. */
export function parseGlobalId(id: string): NodeKey | null {
  const parts = decodeToken(id);
  const type = parts ? TYPES_BY_TAG.get(parts[0]!) : undefined;
  if (!parts || !type) return null;
  const [, a, b, c] = parts;
  const count = parts.length - 1;
  switch (type) {
    case 'User':
      return count === 1 && isUuid(a!) ? { type, userId: a! } : null;
    case 'Play':
      return count === 3 && isUuid(a!) && isKeyInstant(b!) ? { type, userId: a!, playedAt: b!, trackId: c! } : null;
    case 'Track':
      return count === 1 ? { type, trackId: a! } : null;
    case 'Album':
      return count === 1 ? { type, albumId: a! } : null;
    case 'Artist':
      return count === 1 ? { type, artistId: a! } : null;
    case 'Import':
      return count === 1 && isUuid(a!) ? { type, importId: a! } : null;
    case 'Export':
      return count === 1 && isUuid(a!) ? { type, exportId: a! } : null;
  }
}

/** The key of a client's id, strictly: anything but an id this API made is BAD_USER_INPUT naming the argument. */
export function decodeGlobalId(id: string, argument: string): NodeKey {
  const key = parseGlobalId(id);
  if (!key) throw badUserInput(`${argument} is not an id from this API: pass the id field of a Playlog object`, argument);
  return key;
}

/** The key of a client's id of one type; an id of another type is BAD_USER_INPUT. */
export function decodeGlobalIdOf<T extends NodeTypeName>(id: string, type: T, argument: string): Extract<NodeKey, { type: T }> {
  const key = decodeGlobalId(id, argument);
  if (key.type !== type) throw badUserInput(`${argument} is the id of ${withArticle(key.type)}, not of ${withArticle(type)}`, argument);
  return key as Extract<NodeKey, { type: T }>;
}

// By sound, not spelling: an Album, an Import, a User.
const withArticle = (type: NodeTypeName): string => `${/^[AEIO]/.test(type) ? 'an' : 'a'} ${type}`;
