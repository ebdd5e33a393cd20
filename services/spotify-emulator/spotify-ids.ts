import type { Rng } from './prng.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LOWER_ALNUM = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A Spotify-style id: 22 base62 characters, as in `spotify:track:4uLU6hMCjMI75M1A2tKUQC`. */
export function spotifyId(rng: Rng): string {
  return rng.chars(BASE62, 22);
}

/** Lowercase letters and digits, the alphabet of user ids and account ids. */
export function lowerAlphanumeric(rng: Rng, length: number): string {
  return rng.chars(LOWER_ALNUM, length);
}

export function isSpotifyId(value: string): boolean {
  return /^[0-9A-Za-z]{22}$/.test(value);
}

/** 40 hex characters, the tail of an i.scdn.co image URL. */
export function imageKey(rng: Rng): string {
  return rng.chars('0123456789abcdef', 40);
}
