import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { z } from 'zod';
import { budgetOf, type StatementBudget } from './statement-budget.js';

/**
 * A hand-written SQL statement of the data layer. Only the hot paths a benchmark measures (ingest, the
 * history page and its total, the poll's own statements, the session look-up of every request) and the
 * few queries MikroORM cannot express (row comparisons, keys with microseconds, EXISTS across tables)
 * are written by hand; everything else goes through MikroORM. Each statement has a unique name, is sent as a named (prepared)
 * statement that Postgres parses and plans once per connection, and its rows are checked against one
 * schema, here, instead of being asserted by each caller. A test finds every statement a feature's `data/`
 * module exports and writes each beside it, to `data/queries/<name>.sql`, so a changed query shows in review.
 */
export interface Statement<Row> {
  /** Unique, `<area>_<what>`: the prepared statement's name and the snapshot's file name. */
  readonly name: string;
  /** What the statement does and why it is not the ORM's (it heads the snapshot file). */
  readonly purpose: string;
  /** SQL with `?` placeholders (knex's), bound at run time, never inlined. */
  readonly sql: string;
  /** The shape of one row as pg returns it, and what the caller gets. */
  readonly row: z.ZodType<Row>;
}

/** The schema of a statement's whole result, built once per statement rather than on every call. */
const resultSchemas = new WeakMap<Statement<unknown>, z.ZodType<unknown[]>>();
/** The statement's text with `$n` placeholders, as pg takes it, made once per statement. */
const positionalTexts = new WeakMap<Statement<unknown>, string>();

export function defineStatement<Row>(statement: Statement<Row>): Statement<Row> {
  if (!/^[a-z]+(_[a-z]+)+$/.test(statement.name)) throw new Error(`statement name "${statement.name}" must be <area>_<what> in lower case`);
  const defined = Object.freeze({ ...statement, sql: statement.sql.trim() });
  resultSchemas.set(defined, z.array(defined.row));
  positionalTexts.set(defined, positionalSql(defined));
  return defined;
}

/**
 * Runs a statement on the EntityManager's connection (its transaction, when it has one), as a prepared
 * statement with bound parameters (MikroORM's execute() would inline them, and the text must not change
 * between calls), and returns its rows checked against the statement's row schema.
 */
export async function runStatement<Row>(em: EntityManager, statement: Statement<Row>, bindings: readonly Knex.RawBinding[]): Promise<Row[]> {
  const knex = em.getConnection().getKnex();
  const transaction = em.getTransactionContext();
  const budget = transaction ? undefined : budgetOf(em);
  const shared = SHARED_AREAS.has(statement.name.slice(0, statement.name.indexOf('_')));
  const { rows } = (await (budget ? budget.run((signal) => runCancellable(knex, statement, bindings, signal, budget), { shared }) : knexQuery(knex, statement, bindings, transaction))) as { rows: unknown[] };
  const parsed = (resultSchemas.get(statement) ?? z.array(statement.row)).safeParse(rows);
  if (!parsed.success) throw new Error(`statement ${statement.name} returned rows of an unexpected shape: ${parsed.error.message}`);
  return parsed.data as Row[];
}

/**
 * The areas of statements whose work grows with a listener's history or a range (statistics, search): within a request's
 * budget they run in the listener's share of the pool (statement-budget.ts). Every other statement is bounded by
 * its page or key, and only keeps the request's deadline.
 */
const SHARED_AREAS: ReadonlySet<string> = new Set(['stats', 'search']);

/** The statement through knex, in the EntityManager's transaction when it has one. */
function knexQuery(knex: Knex, statement: Statement<unknown>, bindings: readonly Knex.RawBinding[], transaction: Knex.Transaction | undefined): Knex.Raw {
  // knex hands `options` to pg's query config, where `name` makes it a prepared statement.
  const query = knex.raw(statement.sql, bindings).options({ name: `playlog_${statement.name}` });
  if (transaction) query.transacting(transaction);
  return query;
}

/**
 * Runs a statement on a connection of its own, so that it can be cancelled in Postgres (pg_cancel_backend of
 * that connection) the moment its request stops: a statement of an abandoned or overdue request does not
 * keep a connection busy until it would have ended. The connection is knex's pool's, but the statement goes
 * to its pg client directly: knex would only pass the same text and values through (its Postgres client
 * leaves bindings as they are), at a cost every request's statements paid.
 */
async function runCancellable(knex: Knex, statement: Statement<unknown>, bindings: readonly Knex.RawBinding[], signal: AbortSignal, budget: StatementBudget): Promise<unknown> {
  // As knex refuses them: an undefined binding is a caller's mistake, not a NULL.
  if (bindings.some((binding) => binding === undefined)) throw new Error(`statement ${statement.name} was given an undefined binding`);
  // knex's client types leave connections as `any`: a pg Client, whose processID pg_cancel_backend takes.
  const connection = (await knex.client.acquireConnection()) as pg.ClientBase;
  let cancelling: Promise<unknown> | undefined;
  const cancel = () => {
    cancelling = (knex.client as unknown as { cancelQuery(connection: unknown): Promise<unknown> }).cancelQuery(connection).catch(() => undefined);
  };
  signal.addEventListener('abort', cancel, { once: true });
  try {
    if (signal.aborted) throw budget.stopError();
    return await connection.query({ name: `playlog_${statement.name}`, text: positionalTexts.get(statement) ?? positionalSql(statement), values: [...bindings] });
  } catch (error) {
    throw signal.aborted ? budget.stopError() : error;
  } finally {
    signal.removeEventListener('abort', cancel);
    // A cancel lands on whatever the connection runs when it arrives: it must not be another request's statement.
    await cancelling;
    await knex.client.releaseConnection(connection);
  }
}

/**
 * Runs a statement on a plain pg client (a process that needs a connection of its own: a session lock,
 * a snapshot and COPY, as a lake run does), as the same named prepared statement with the
 * same row check as runStatement.
 */
export async function runStatementOnClient<Row>(client: pg.ClientBase, statement: Statement<Row>, values: readonly unknown[]): Promise<Row[]> {
  const { rows } = await client.query({ name: `playlog_${statement.name}`, text: positionalSql(statement), values: [...values] });
  const parsed = (resultSchemas.get(statement) ?? z.array(statement.row)).safeParse(rows);
  if (!parsed.success) throw new Error(`statement ${statement.name} returned rows of an unexpected shape: ${parsed.error.message}`);
  return parsed.data as Row[];
}

/**
 * The statement's text as Postgres receives it: knex turns each `?` into `$1`, `$2`… For callers that
 * talk to pg directly, e.g. the benchmark's bare baseline, which must send exactly what Playlog sends.
 */
export function positionalSql(statement: Statement<unknown>): string {
  let index = 0;
  return statement.sql.replace(/\?/g, () => `$${++index}`);
}

/** timestamptz as pg hands it over through MikroORM's connection (text), or as a Date. */
export const timestamp = z.union([z.date(), z.string()]).transform((value, ctx) => {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: `not a timestamp: ${String(value).slice(0, 40)}` });
    return z.NEVER;
  }
  return date;
});

/** bigint and count(*) arrive as text; the values Playlog keeps (ms since the epoch, counts) stay below 2^53. */
export const bigintNumber = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) {
    ctx.addIssue({ code: 'custom', message: `not a safe integer: ${String(value).slice(0, 40)}` });
    return z.NEVER;
  }
  return number;
});
