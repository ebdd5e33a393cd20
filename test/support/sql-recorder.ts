import pg from 'pg';

/**
 * Records the text of every SQL statement this process sends to Postgres through `pg` (the driver
 * under MikroORM and knex, and under the benchmark's bare baselines), while recording is on: what
 * Postgres receives, whichever layer built it, and how many rows it answered.
 */
export interface SqlRecorder {
  /** Runs `work` and returns the statements sent meanwhile, in order. */
  during(work: () => Promise<unknown>): Promise<string[]>;
  /** Runs `work` and returns the statements sent meanwhile, in order, each with the rows it returned (null: no answer seen). */
  withRows(work: () => Promise<unknown>): Promise<RecordedStatement[]>;
}

export interface RecordedStatement {
  text: string;
  rows: number | null;
}

let recording: RecordedStatement[] | null = null;
let installed = false;

/** The rows of a pg result (an array of results for several statements in one text). */
const rowsOf = (result: unknown): number | null => {
  const results = Array.isArray(result) ? result : [result];
  let rows: number | null = null;
  for (const one of results) if (one && typeof one === 'object' && Array.isArray((one as pg.QueryResult).rows)) rows = (rows ?? 0) + (one as pg.QueryResult).rows.length;
  return rows;
};

export function sqlRecorder(): SqlRecorder {
  if (!installed) {
    installed = true;
    const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
    // Wraps pg's overloaded query(text | config, values?, callback?) without changing what it does.
    pg.Client.prototype.query = function recordedQuery(this: pg.Client, ...args: unknown[]) {
      const [first] = args;
      const text = typeof first === 'string' ? first : typeof first === 'object' && first !== null && 'text' in first ? String((first as { text: unknown }).text) : undefined;
      if (!recording || text === undefined) return original.apply(this, args);
      const entry: RecordedStatement = { text, rows: null };
      recording.push(entry);
      const last = args.at(-1);
      if (typeof last === 'function') {
        // The callback form (knex's): the rows are counted before the caller sees them.
        args[args.length - 1] = (error: unknown, result: unknown) => {
          if (!error) entry.rows = rowsOf(result);
          return (last as (error: unknown, result: unknown) => unknown)(error, result);
        };
      }
      const returned = original.apply(this, args);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(
          (result) => {
            entry.rows = rowsOf(result);
          },
          () => undefined,
        );
      }
      return returned;
    } as typeof pg.Client.prototype.query;
  }
  const record = async (work: () => Promise<unknown>): Promise<RecordedStatement[]> => {
    const statements: RecordedStatement[] = [];
    recording = statements;
    try {
      await work();
    } finally {
      recording = null;
    }
    return statements;
  };
  return {
    async during(work) {
      return (await record(work)).map((statement) => statement.text);
    },
    withRows: record,
  };
}
