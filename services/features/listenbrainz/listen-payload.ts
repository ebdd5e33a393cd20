import { LISTEN_LIMITS } from './listen-limits.js';

export const LISTEN_TYPES = ['single', 'playing_now', 'import'] as const;
export type ListenType = (typeof LISTEN_TYPES)[number];

/** A listen as ListenBrainz validated it: names trimmed, durations whole, empty ids dropped. */
export interface ValidListen {
  /** Unix seconds, the start of the play; absent for playing_now. */
  listenedAt: number | null;
  trackName: string;
  artistName: string;
  releaseName: string | null;
  /** The player's own additional_info, validated where ListenBrainz validates it, otherwise kept as sent. */
  additionalInfo: Record<string, unknown>;
  /** From additional_info.duration_ms or .duration. */
  durationMs: number | null;
}

export interface ValidSubmission {
  listenType: ListenType;
  listens: ValidListen[];
}

/** A submission ListenBrainz would refuse: its message (ListenBrainz's wording) and the field at fault. */
export class ListenValidationError extends Error {
  constructor(
    message: string,
    readonly field: string | null,
  ) {
    super(message);
    this.name = 'ListenValidationError';
  }
}

const SINGLE_MBID_KEYS = ['release_mbid', 'recording_mbid', 'release_group_mbid', 'track_mbid'] as const;
const MULTIPLE_MBID_KEYS = ['artist_mbids', 'work_mbids'] as const;
const UUID = /^(?:urn:uuid:)?\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses and checks a `submit-listens` body exactly as ListenBrainz does (the same rules, in the same order,
 * with its messages), so that nothing of a payload with one bad listen is stored. `nowSeconds` is the
 * server's clock, for the "too high" rule.
 */
export function parseSubmission(raw: Buffer, nowSeconds: number): ValidSubmission {
  if (raw.length > LISTEN_LIMITS.maxPayloadBytes) throw new ListenValidationError(`Payload too large. Payload cannot exceed ${LISTEN_LIMITS.maxPayloadBytes} bytes`, null);
  let data: unknown;
  try {
    data = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ListenValidationError(`Cannot parse JSON document: ${(error as Error).message}`, null);
  }
  if (!isObject(data)) throw new ListenValidationError('Invalid JSON document submitted. Top level of JSON document should be a json object.', null);
  if (!('payload' in data)) throw new ListenValidationError('Invalid JSON document submitted.', 'payload');
  const payload = data.payload;
  if (!Array.isArray(payload)) throw new ListenValidationError('The payload in the JSON document should be a list of listens.', 'payload');
  if (payload.length === 0) throw new ListenValidationError('JSON document does not contain any listens', 'payload');
  if (payload.length > LISTEN_LIMITS.maxListensPerRequest) {
    throw new ListenValidationError(`Too many listens. You may not submit more than ${LISTEN_LIMITS.maxListensPerRequest} listens at once.`, 'payload');
  }
  if (raw.length > payload.length * LISTEN_LIMITS.maxListenBytes) {
    throw new ListenValidationError(`JSON document is too large. Each listens may not be larger than ${LISTEN_LIMITS.maxListenBytes} bytes.`, 'payload');
  }
  const listenType = data.listen_type;
  if (typeof listenType !== 'string' || !(LISTEN_TYPES as readonly string[]).includes(listenType)) {
    throw new ListenValidationError('JSON document requires a valid listen_type key.', 'listen_type');
  }
  const type = listenType as ListenType;
  if (type !== 'import' && payload.length > 1) throw new ListenValidationError('JSON document contains more than listen for a single/playing_now. It should contain only one.', 'payload');
  return { listenType: type, listens: payload.map((listen, index) => validateListen(listen, type, nowSeconds, `payload[${index}]`)) };
}

/**
 * One listen checked by ListenBrainz's rules for its type (a line of a ListenBrainz export is an `import`
 * listen); `at` names where it sits, for the field of an error.
 */
export function validateListen(listen: unknown, type: ListenType, nowSeconds: number, at: string): ValidListen {
  if (listen === null || listen === undefined) throw new ListenValidationError('Listen is empty and cannot be validated.', at);
  if (!isObject(listen)) throw new ListenValidationError('Each listen must be a JSON object.', at);
  let listenedAt: number | null = null;
  if (type === 'playing_now') {
    if ('listened_at' in listen) throw new ListenValidationError('JSON document must not contain listened_at while submitting playing_now.', `${at}.listened_at`);
    if (!('track_metadata' in listen)) throw new ListenValidationError('JSON document must contain the key track_metadata at the top level.', `${at}.track_metadata`);
    if (Object.keys(listen).length > 1) throw new ListenValidationError('JSON document may only contain track_metadata as top level key when submitting playing_now.', at);
  } else {
    listenedAt = validListenedAt(listen, nowSeconds, at);
    if (!('track_metadata' in listen)) throw new ListenValidationError('JSON document must contain the key track_metadata at the top level.', `${at}.track_metadata`);
    if (Object.keys(listen).length > 2) throw new ListenValidationError('JSON document may only contain listened_at and track_metadata top level keys', at);
  }
  const metadata = listen.track_metadata;
  if (metadata === null) throw new ListenValidationError('JSON document may not have track_metadata with null value.', `${at}.track_metadata`);
  if (!isObject(metadata)) throw new ListenValidationError('track_metadata must be a JSON object.', `${at}.track_metadata`);
  const trackName = basicMetadata(metadata, 'track_name', true, at)!;
  const artistName = basicMetadata(metadata, 'artist_name', true, at)!;
  const releaseName = basicMetadata(metadata, 'release_name', false, at);

  let additionalInfo: Record<string, unknown> = {};
  let durationMs: number | null = null;
  if ('additional_info' in metadata && metadata.additional_info !== null) {
    if (!isObject(metadata.additional_info)) throw new ListenValidationError('track_metadata.additional_info must be a JSON object.', `${at}.track_metadata.additional_info`);
    additionalInfo = { ...metadata.additional_info };
    durationMs = validateAdditionalInfo(additionalInfo, `${at}.track_metadata.additional_info`);
  }
  // Postgres cannot store a NUL in text, and ListenBrainz refuses it anywhere in a listen.
  findNul(listen, at);
  return { listenedAt, trackName, artistName, releaseName, additionalInfo, durationMs };
}

function validListenedAt(listen: Record<string, unknown>, nowSeconds: number, at: string): number {
  const field = `${at}.listened_at`;
  if (!('listened_at' in listen)) throw new ListenValidationError('JSON document must contain the key listened_at at the top level.', field);
  const value = pythonInt(listen.listened_at);
  if (value === null) throw new ListenValidationError('JSON document must contain an int value for listened_at.', field);
  if (value >= nowSeconds + LISTEN_LIMITS.allowedSkewSeconds) throw new ListenValidationError('Value for key listened_at is too high.', field);
  if (value < LISTEN_LIMITS.minListenedAt) {
    throw new ListenValidationError(`Value for key listened_at is too low. listened_at timestamp should be greater than ${LISTEN_LIMITS.minListenedAt} (2002-10-01 00:00:00 UTC).`, field);
  }
  return value;
}

/** What Python's int() accepts of JSON (ListenBrainz converts with it): whole or fractional numbers, and strings of digits. */
function pythonInt(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null;
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) {
    const parsed = Number(value.trim());
    return Number.isSafeInteger(parsed) ? parsed : null;
  }
  return null;
}

function basicMetadata(metadata: Record<string, unknown>, key: string, required: boolean, at: string): string | null {
  const field = `${at}.track_metadata.${key}`;
  if (!(key in metadata)) {
    if (required) throw new ListenValidationError(`JSON document does not contain required field track_metadata.${key}.`, field);
    return null;
  }
  const value = metadata[key];
  if (typeof value !== 'string') throw new ListenValidationError(`track_metadata.${key} must be a single string.`, field);
  const trimmed = value.trim();
  if (trimmed.length === 0) {
    if (required) throw new ListenValidationError(`field track_metadata.${key} is empty.`, field);
    return null;
  }
  return trimmed;
}

/** Checks tags, durations and MBIDs as ListenBrainz does (dropping empty ids as it does); returns the duration in ms. */
function validateAdditionalInfo(info: Record<string, unknown>, at: string): number | null {
  if ('tags' in info) {
    const tags = info.tags;
    if (!Array.isArray(tags)) throw new ListenValidationError('track_metadata.additional_info.tags must be a list of strings.', `${at}.tags`);
    if (tags.length > LISTEN_LIMITS.maxTagsPerListen) {
      throw new ListenValidationError(`JSON document may not contain more than ${LISTEN_LIMITS.maxTagsPerListen} items in track_metadata.additional_info.tags.`, `${at}.tags`);
    }
    for (const tag of tags) {
      if (typeof tag !== 'string' || tag.length > LISTEN_LIMITS.maxTagLength) {
        throw new ListenValidationError(`JSON document may not contain track_metadata.additional_info.tags longer than ${LISTEN_LIMITS.maxTagLength} characters.`, `${at}.tags`);
      }
    }
  }
  if ('duration' in info && 'duration_ms' in info) throw new ListenValidationError('JSON document should not contain both duration and duration_ms.', at);
  const seconds = durationField(info, 'duration', LISTEN_LIMITS.maxDurationSeconds, at);
  const ms = durationField(info, 'duration_ms', LISTEN_LIMITS.maxDurationSeconds * 1000, at);
  for (const key of SINGLE_MBID_KEYS) {
    if (!(key in info)) continue;
    const mbid = info[key];
    if (mbid === null || mbid === '' || mbid === undefined || mbid === false || mbid === 0) {
      delete info[key];
      continue;
    }
    if (typeof mbid !== 'string' || !UUID.test(mbid)) throw new ListenValidationError(`${key} MBID format invalid.`, `${at}.${key}`);
  }
  for (const key of MULTIPLE_MBID_KEYS) {
    if (!(key in info)) continue;
    const mbids = info[key];
    if (mbids === null || mbids === '' || (Array.isArray(mbids) && mbids.length === 0)) {
      delete info[key];
      continue;
    }
    // A string is iterated character by character in Python, so ListenBrainz refuses one as invalid MBIDs.
    if (!Array.isArray(mbids)) throw new ListenValidationError(`${key} MBID format invalid.`, `${at}.${key}`);
    const kept = mbids.filter((mbid) => mbid !== null && mbid !== '');
    for (const mbid of kept) if (typeof mbid !== 'string' || !UUID.test(mbid)) throw new ListenValidationError(`${key} MBID format invalid.`, `${at}.${key}`);
    info[key] = kept;
  }
  return ms ?? (seconds === null ? null : seconds * 1000);
}

/** A positive whole duration (Python's int(float(x)): fractions truncated, numeric strings taken), at most `max`. */
function durationField(info: Record<string, unknown>, key: string, max: number, at: string): number | null {
  if (!(key in info)) return null;
  const raw = info[key];
  const number = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(number)) throw new ListenValidationError(`Value for ${key} is invalid, should be a positive integer.`, `${at}.${key}`);
  const value = Math.trunc(number);
  if (value <= 0) throw new ListenValidationError(`Value for ${key} is invalid, should be a positive integer.`, `${at}.${key}`);
  if (value > max) throw new ListenValidationError(`Value for ${key} is too large, max permitted value is ${max}`, `${at}.${key}`);
  info[key] = value;
  return value;
}

function findNul(value: unknown, at: string): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new ListenValidationError(`${JSON.stringify(value)} contains a unicode null`, at);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => findNul(item, `${at}[${index}]`));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) findNul(item, `${at}.${key}`);
  }
}
