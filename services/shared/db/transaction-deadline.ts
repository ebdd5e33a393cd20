import type { EntityManager } from '@mikro-orm/postgresql';
import { budgetOf } from './statements/statement-budget.js';

/** Postgres' SQLSTATE for a statement cancelled by statement_timeout (or a cancel request). */
export const QUERY_CANCELED = '57014';

/**
 * Gives a transaction the deadline of the request that runs it: statements of a transaction use its one
 * connection, outside the request's cancellable statements (statement.ts), so Postgres itself ends each
 * one at the time the request has left (`set local`: for this transaction only). No budget: no limit.
 */
export async function keepRequestDeadline(requestEm: EntityManager, tx: EntityManager): Promise<void> {
  const budget = budgetOf(requestEm);
  if (!budget) return;
  await tx.execute(`set local statement_timeout = ${Math.max(1, Math.floor(budget.remainingMs()))}`);
}

/** Whether an error is a statement Postgres cancelled (a deadline passed). */
export const isQueryCanceled = (error: unknown): boolean => typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === QUERY_CANCELED;
