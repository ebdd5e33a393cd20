import type { EntityManager } from '@mikro-orm/postgresql';

/** Why a request's statement was stopped: its deadline passed, or its client went away. */
export type StopReason = 'deadline' | 'abandoned';

/** A statement refused or cancelled because its request's deadline passed or its client left. */
export class StatementStoppedError extends Error {
  constructor(
    readonly reason: StopReason,
    readonly deadlineMs: number,
  ) {
    super(reason === 'deadline' ? `the request ran past its deadline of ${deadlineMs} ms` : 'the client went away');
    this.name = 'StatementStoppedError';
  }
}

/** One owner (a listener) already has as much database work waiting as it may queue. */
export class ShareBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too much database work of this listener is running or waiting');
    this.name = 'ShareBusyError';
  }
}

/**
 * How many statements each owner may run at once, and queue behind those, in one process: one listener's
 * concurrent requests (or one request's many aliases) use at most their share of the connection pool, and
 * the others' requests keep finding free connections.
 */
export class OwnerShares {
  private readonly owners = new Map<string, { running: number; waiting: Array<() => void> }>();

  constructor(readonly limits: { running: number; waiting: number }) {}

  /** Resolves with a release function once the owner may run one more statement. */
  async acquire(owner: string, budget: StatementBudget): Promise<() => void> {
    let slot = this.owners.get(owner);
    if (!slot) this.owners.set(owner, (slot = { running: 0, waiting: [] }));
    const held = slot;
    if (held.running < this.limits.running) {
      held.running += 1;
      return () => this.release(owner, held);
    }
    if (held.waiting.length >= this.limits.waiting) throw new ShareBusyError(Math.max(1, Math.ceil(budget.remainingMs() / 1000)));
    await new Promise<void>((resolve, reject) => {
      const stop = () => {
        const index = held.waiting.indexOf(wake);
        if (index >= 0) held.waiting.splice(index, 1);
        reject(budget.stopError());
      };
      const wake = () => {
        budget.signal.removeEventListener('abort', stop);
        resolve();
      };
      held.waiting.push(wake);
      budget.signal.addEventListener('abort', stop, { once: true });
    });
    // The slot was handed over by release(): running was not decremented for it.
    return () => this.release(owner, held);
  }

  private release(owner: string, held: { running: number; waiting: Array<() => void> }): void {
    const next = held.waiting.shift();
    if (next) return next();
    held.running -= 1;
    if (held.running === 0) this.owners.delete(owner);
  }
}

/**
 * The database budget of one request: a deadline, an abort signal (the deadline passed, or the client went
 * away) that cancels its running statement in Postgres, and the owner whose share of connections it uses.
 * runStatement honours it for the EntityManager it is attached to (attachBudget).
 */
export class StatementBudget {
  private owner: string | undefined;
  private stopReason: StopReason | undefined;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(
    /** owner: whose share statements use; until one is set (setOwner), they run outside any share. */
    private readonly options: { deadlineMs: number; shares: OwnerShares; owner?: string },
    private readonly now: () => number = Date.now,
  ) {
    this.owner = options.owner;
    this.deadlineAt = this.now() + options.deadlineMs;
    this.timer = setTimeout(() => this.stop('deadline'), options.deadlineMs);
    this.timer.unref();
  }

  readonly deadlineAt: number;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whose share the next statements use (a listener's id once the session is known). */
  setOwner(owner: string): void {
    this.owner = owner;
  }

  remainingMs(): number {
    return Math.max(0, this.deadlineAt - this.now());
  }

  /** Stops every statement of the request now (the client went away) or at its deadline. */
  stop(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    clearTimeout(this.timer);
    this.controller.abort();
  }

  /** The request is over: nothing more will run, nothing is cancelled. */
  finish(): void {
    clearTimeout(this.timer);
  }

  stopError(): StatementStoppedError {
    return new StatementStoppedError(this.stopReason ?? 'deadline', this.options.deadlineMs);
  }

  /**
   * Runs one statement's work, refusing it once the request is stopped; `shared` work (statistics, a zone's
   * recount) waits for a place in the owner's share first.
   */
  async run<T>(work: (signal: AbortSignal) => Promise<T>, options: { shared: boolean } = { shared: true }): Promise<T> {
    if (this.signal.aborted) throw this.stopError();
    const release = this.owner === undefined || !options.shared ? () => undefined : await this.options.shares.acquire(this.owner, this);
    try {
      if (this.signal.aborted) throw this.stopError();
      return await work(this.signal);
    } finally {
      release();
    }
  }
}

const budgets = new WeakMap<EntityManager, StatementBudget>();

/** Statements run on this EntityManager (outside a transaction) keep this budget. */
export function attachBudget(em: EntityManager, budget: StatementBudget): void {
  budgets.set(em, budget);
}

export function budgetOf(em: EntityManager): StatementBudget | undefined {
  return budgets.get(em);
}
