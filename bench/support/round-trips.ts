import pg from 'pg';

/**
 * Counts round trips to Postgres made from this process: every `query` of every pg client (pools,
 * MikroORM's knex driver and COPY streams all go through pg.Client.prototype.query). A COPY counts as
 * one: its data flows in a stream without waiting for answers.
 */
let installed = false;
let count = 0;

export function installRoundTripCounter(): void {
  if (installed) return;
  installed = true;
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function countedQuery(this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
}

/** Round trips made while `run` ran (other work of this process in between would count too). */
export async function countRoundTrips<T>(run: () => Promise<T>): Promise<{ roundTrips: number; result: T }> {
  installRoundTripCounter();
  const before = count;
  const result = await run();
  return { roundTrips: count - before, result };
}
