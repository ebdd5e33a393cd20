import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../accounts/data/user.entity.js';
import { rebuildLocalRollups } from './stats-rebuild.repository.js';

/** The user's row stayed locked (another zone change recounting) longer than a zone change waits for it. */
export class UserRowBusyError extends Error {
  constructor() {
    super("the user's row is locked by another change of their settings");
    this.name = 'UserRowBusyError';
  }
}

/** How long a zone change waits for the user's row: a poll's commit holds it for moments, another zone change's recount for seconds. */
const ZONE_CHANGE_LOCK_WAIT_MS = 2_000;

/**
 * Sets the user's time zone (checked by the caller) and recounts their statistics kept in it, in one
 * transaction holding the user's row; false when the user is gone. Setting the same zone again changes nothing.
 * Zone changes of one user never queue in Postgres behind one another (each holding a connection): one that
 * cannot have the row soon throws UserRowBusyError.
 */
export async function setUserTimeZone(em: EntityManager, userId: string, timeZone: string): Promise<boolean> {
  return em.fork().transactional(async (tx) => {
    await tx.execute(`set local lock_timeout = ${ZONE_CHANGE_LOCK_WAIT_MS}`);
    const user = await tx.findOne(User, userId, { lockMode: LockMode.PESSIMISTIC_WRITE, fields: ['id', 'timeZone'] }).catch((error: unknown) => {
      // 55P03 lock_not_available: lock_timeout passed.
      throw (error as { code?: string }).code === '55P03' ? new UserRowBusyError() : error;
    });
    if (!user) return false;
    if (user.timeZone === timeZone) return true;
    user.timeZone = timeZone;
    // Written before the recount, whose statements read the zone from the user's row.
    await tx.flush();
    await rebuildLocalRollups(tx, userId);
    return true;
  });
}
