/**
 * How the API batches ListenBrainz work (shared/batching/batcher.ts). Submissions of at most `batchedUpTo`
 * listens (a player's single listen, the few an offline player sends when it is back) wait for a batch;
 * larger imports are stored on their own, so a thousand listens never sit in front of anyone's single one.
 * Tokens are looked up together the same way. Two batches of each at a time leave the pool's other
 * connections to everything else.
 */
export const LISTEN_BATCHING = { batchedUpTo: 50, maxSize: 1_000, maxRunning: 2, maxWaiting: 10_000 } as const;
export const TOKEN_LOOKUP_BATCHING = { maxSize: 1_000, maxRunning: 2, maxWaiting: 10_000 } as const;
