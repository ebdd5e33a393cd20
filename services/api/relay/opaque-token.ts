/**
 * Cursors and global ids are opaque to clients: base64url of a JSON array of strings, whose first element
 * says what the rest are. Decoding is strict (canonical form only), so one position or object has one
 * token, and anything a client made up or mangled is refused rather than guessed at.
 */

/** Longest token accepted; real ones are a little over 100 characters. */
export const MAX_TOKEN_LENGTH = 512;

/** Printable ASCII, no spaces: what any part of a key may hold (Spotify ids, uuids, instants). */
const KEY_PART = /^[\x21-\x7e]{1,200}$/;

export function encodeToken(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/** The parts of a token this API made; null for anything else. */
export function decodeToken(token: string): string[] | null {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length < 2 || !parsed.every((part) => typeof part === 'string')) return null;
  const parts = parsed as string[];
  if (!parts.slice(1).every((part) => KEY_PART.test(part))) return null;
  // Canonical form only: no padding, whitespace or re-encoding variants of the same token.
  return encodeToken(parts) === token ? parts : null;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;

/** An instant as Postgres prints it for a key (UTC, microseconds), real and between years 1 and 9999. */
export function isKeyInstant(value: string): boolean {
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}

export const isUuid = (value: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
