import type { EntityManager } from '@mikro-orm/postgresql';
import type { MikroORM } from '../../features/open-orm.js';
import { hashApiToken } from '../../features/listenbrainz/api-token-secret.js';
import { LISTEN_BATCHING, TOKEN_LOOKUP_BATCHING } from '../../features/listenbrainz/batching.js';
import { ownersOfApiTokenHashes, type TokenOwner } from '../../features/listenbrainz/data/api-tokens.repository.js';
import { type ListenSubmission, storeListens, storeListensOfUsers, type StoredListens } from '../../features/listenbrainz/store-listens.js';
import { Batcher } from '../../shared/batching/batcher.js';
import { attachBudget, type OwnerShares, StatementBudget, StatementStoppedError } from '../../shared/db/statements/statement-budget.js';
import { isQueryCanceled } from '../../shared/db/transaction-deadline.js';

export interface ListenBrainzBatches {
  /** The owner of a token (null when it is none), looked up with the tokens of the requests arriving with it. */
  ownerOfToken(token: string): Promise<TokenOwner | null>;
  /** Stores a small submission with the others arriving with it; answered when its plays are committed. */
  storeListens(submission: ListenSubmission): Promise<StoredListens>;
}

/**
 * The ListenBrainz API's shared work: token look-ups and small submissions, each kind done a batch at a time
 * (one statement for the requests that arrive together instead of one each), each batch with the API's
 * request deadline of its own.
 */
export function listenBrainzBatches(options: { orm: MikroORM; deadlineMs: number; shares: OwnerShares }): ListenBrainzBatches {
  const withOwnBudget = <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => {
    const em = options.orm.em.fork() as EntityManager;
    const budget = new StatementBudget({ deadlineMs: options.deadlineMs, shares: options.shares });
    attachBudget(em, budget);
    return work(em).finally(() => budget.finish());
  };
  const outOfTime = (error: unknown) => error instanceof StatementStoppedError || isQueryCanceled(error);

  const tokens = new Batcher<string, TokenOwner | null>({
    what: 'token look-ups',
    ...TOKEN_LOOKUP_BATCHING,
    run: async (hashes) => {
      const owners = await withOwnBudget((em) => ownersOfApiTokenHashes(em, hashes));
      return hashes.map((hash) => owners.get(hash) ?? null);
    },
  });
  const listens = new Batcher<ListenSubmission, StoredListens>({
    what: 'listens to store',
    maxSize: LISTEN_BATCHING.maxSize,
    maxRunning: LISTEN_BATCHING.maxRunning,
    maxWaiting: LISTEN_BATCHING.maxWaiting,
    sizeOf: (submission) => submission.listens.length,
    // A listener's submissions are stored in the order they came, one per batch.
    keyOf: (submission) => submission.userId,
    run: (submissions) => withOwnBudget((em) => storeListensOfUsers(em, submissions)),
    // One submission's fault (or a deadlock with another batch) must not fail the others.
    runAlone: (submission) => withOwnBudget((em) => storeListens(em, submission.userId, submission.listens)),
    retryAlone: (error) => !outOfTime(error),
  });
  return {
    ownerOfToken: (token) => tokens.do(hashApiToken(token)),
    storeListens: (submission) => listens.do(submission),
  };
}
