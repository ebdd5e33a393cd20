/**
 * How the API batches ListenBrainz work (shared/batching/batcher.ts). Submissions of at most `batchedUpTo`
 * listens (a player's single listen, the few an offline player sends when it is back) wait for a batch;
 * larger imports are stored on their own, so a thousand listens never sit in front of anyone's single one.
 * Tokens are looked up together the same way. One batch of each at a time: the next gathers everything
 * that arrives meanwhile, and on a database with few cores fewer, larger batches store more listens a second
 * than more, smaller ones (docs/benchmarks.md, listenbrainz); the pool's other connections stay free for the
 * rest.
 */
export const LISTEN_BATCHING = { batchedUpTo: 50, maxSize: 1_000, maxRunning: 1, maxWaiting: 10_000 } as const;
export const TOKEN_LOOKUP_BATCHING = { maxSize: 1_000, maxRunning: 1, maxWaiting: 10_000 } as const;
