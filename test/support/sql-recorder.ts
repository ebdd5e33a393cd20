import pg from 'pg';

/**
 * Records the text of every SQL statement this process sends to Postgres through `pg` (the driver
 * under MikroORM and knex, and under the benchmark's bare baselines), while recording is on: what
 * Postgres receives, whichever layer built it.
 */
export interface SqlRecorder {
  /** Runs `work` and returns the statements sent meanwhile, in order. */
  during(work: () => Promise<unknown>): Promise<string[]>;
}

let recording: string[] | null = null;
let installed = false;

export function sqlRecorder(): SqlRecorder {
  if (!installed) {
    installed = true;
    const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
    // Wraps pg's overloaded query(text | config, values?, callback?) without changing what it does.
    pg.Client.prototype.query = function recordedQuery(this: pg.Client, ...args: unknown[]) {
      const [first] = args;
      const text = typeof first === 'string' ? first : typeof first === 'object' && first !== null && 'text' in first ? String((first as { text: unknown }).text) : undefined;
      if (recording && text !== undefined) recording.push(text);
      return original.apply(this, args);
    } as typeof pg.Client.prototype.query;
  }
  return {
    async during(work) {
      const statements: string[] = [];
      recording = statements;
      try {
        await work();
      } finally {
        recording = null;
      }
      return statements;
    },
  };
}
