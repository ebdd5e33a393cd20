import type { MikroORM } from '@mikro-orm/postgresql';
import { countActiveUsersPolledSince } from '../../services/features/polling/data/poll-state.repository.js';
import { listActiveUserIds } from '../../services/features/accounts/data/users.repository.js';
import type { Queues } from '../../services/shared/jobs/open-queues.js';
import { requestPoll } from '../../services/features/polling/poll-jobs.js';
import { send, waitFor } from './http.js';

export interface CleanCycle {
  /** When the clean cycle's polls were asked for: every healthy user has a successful poll after it. */
  startedAt: Date;
  /** The emulator's frozen clock: no play ends after it, so a poll after it has seen everything. */
  frozenAtMs: number;
}

/**
 * After the faults: let the queue drain, freeze the emulator's clock, and poll every active user once
 * more, so that whatever a fault delayed is read before the plays are counted.
 */
export async function runCleanCycle(orm: MikroORM, queues: Queues, emulatorUrl: string, notes: string[]): Promise<CleanCycle> {
  const pending = async () => {
    const counts = await queues.poll.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  };
  await waitFor('the queue to drain', 180_000, async () => (await pending()) === 0);
  const frozen = (await send('POST', `${emulatorUrl}/admin/clock/freeze`, {})) as { now: string };
  const activeUsers = await listActiveUserIds(orm.em.fork());
  const startedAt = new Date();
  for (const id of activeUsers) await requestPoll(queues.poll, id, 'manual');
  await waitFor('the clean cycle', 240_000, async () => {
    if ((await pending()) > 0) return false;
    const polled = await countActiveUsersPolledSince(orm.em.fork(), startedAt);
    return polled >= activeUsers.length || (await queues.poll.getFailedCount()) > 0;
  }).catch((error: Error) => notes.push(error.message));
  return { startedAt, frozenAtMs: Date.parse(frozen.now) };
}
