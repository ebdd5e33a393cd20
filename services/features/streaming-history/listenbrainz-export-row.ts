import { ListenValidationError, validateListen } from '../listenbrainz/listen-payload.js';
import type { ParsedRow } from './streaming-history-row.js';

/**
 * Classifies one line of a ListenBrainz export (`listens/YYYY/M.jsonl` in the zip ListenBrainz, Koito and
 * Maloja write, or Playlog's own LISTENBRAINZ_JSONL export): a listen as ListenBrainz's `import` would accept
 * it, or a malformed row whose message names the field, never its value. Fields ListenBrainz's export adds
 * beside listened_at and track_metadata (user_name, inserted_at, recording_msid…) are not part of the listen.
 */
export function parseListenBrainzExportLine(line: string, nowSeconds: number): ParsedRow {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { skip: 'malformed', message: 'not a JSON object' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { skip: 'malformed', message: 'not a JSON object' };
  const { listened_at: listenedAt, track_metadata: trackMetadata } = raw as Record<string, unknown>;
  try {
    return { listen: validateListen({ listened_at: listenedAt, track_metadata: trackMetadata }, 'import', nowSeconds, 'listen') };
  } catch (error) {
    if (!(error instanceof ListenValidationError)) throw error;
    // ListenBrainz's message may quote a value (a NUL's string): the field alone is kept.
    return { skip: 'malformed', message: `not a valid listen: ${error.field ?? 'the listen'} (${error.message.includes('unicode null') ? 'contains a NUL character' : error.message.slice(0, 120)})` };
  }
}
