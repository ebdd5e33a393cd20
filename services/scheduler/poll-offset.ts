import { createHash } from 'node:crypto';

/**
 * A user's fixed offset within the spread window: the same user always lands at the same point, so
 * their polls stay one interval apart, and users are spread evenly so a run does not hit Spotify with
 * everyone in the same second.
 */
export function pollOffsetMs(userId: string, spreadMs: number): number {
  if (spreadMs <= 0) return 0;
  return createHash('sha256').update(userId).digest().readUInt32BE(0) % spreadMs;
}
