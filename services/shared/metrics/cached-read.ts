/**
 * A read that is expensive enough not to repeat on every scrape: the value is kept for `ttlMs`, and
 * scrapes that arrive while it is being read share that one read.
 */
export function cachedRead<T>(ttlMs: number, read: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let value: { at: number; result: T } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (value && now() - value.at < ttlMs) return Promise.resolve(value.result);
    inFlight ??= read()
      .then((result) => {
        value = { at: now(), result };
        return result;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}
