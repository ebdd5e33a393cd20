import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { removePollJobs } from '../../services/features/polling/poll-jobs.js';
import { makePlay } from '../support/plays.js';
import { countRows, errorCodes, startApiHarness, type ApiHarness } from './api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ label: 'api_account' });
});
afterAll(async () => {
  await h?.stop();
});

const queuedFor = async (userId: string) =>
  (await h.queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'failed'])).filter((job) => job?.data.userId === userId);

const SYNC = 'mutation { requestSync(input: {}) { poll startedAt } }';
type Sync = { requestSync: { poll: string; startedAt: string | null } };

describe('requestSync', () => {
  it('starts one poll, and no second one while it is still waiting for a worker', async () => {
    const user = await h.login(h.emulator.users()[0]!.id);
    // Login already queued the first poll: asking again adds nothing, and says a poll is on its way.
    expect((await queuedFor(user.userId)).map((job) => job.data.reason)).toEqual(['login']);
    const first = await h.client(user.token).request<Sync>(SYNC);
    expect(first.requestSync.poll).toBe('STARTED');
    expect(Date.parse(first.requestSync.startedAt!)).toBeGreaterThan(Date.now() - 10_000);
    expect((await queuedFor(user.userId)).map((job) => job.data.reason)).toEqual(['login']);

    await removePollJobs(h.queue, user.userId);
    expect((await h.client(user.token).request<Sync>(SYNC)).requestSync.poll).toBe('STARTED');
    expect((await h.client(user.token).request<Sync>(SYNC)).requestSync.poll).toBe('STARTED');
    const jobs = await queuedFor(user.userId);
    // Ids only, plus the id of the request that asked (docs/operations.md, "Request ids"): never a token.
    expect(jobs.map((job) => job.data)).toEqual([{ userId: user.userId, reason: 'manual', requestId: expect.stringMatching(/^[A-Za-z0-9._-]{8,128}$/) }]);
  });

  it('answers NOT_ACTIVE, starting nothing, for a user whose Spotify access ended', async () => {
    const user = await h.login(h.emulator.users()[1]!.id);
    await removePollJobs(h.queue, user.userId);
    await h.db.sql.query(`update users set status = 'reauth_required' where id = $1`, [user.userId]);
    expect(await h.client(user.token).request<Sync>(SYNC)).toEqual({ requestSync: { poll: 'NOT_ACTIVE', startedAt: null } });
    expect(await queuedFor(user.userId)).toEqual([]);
  });
});

describe('deleteMyAccount', () => {
  it('deletes the caller’s user, tokens, sessions, plays, poll state and queued polls, and nobody else’s', async () => {
    const doomed = await h.login(h.emulator.users()[2]!.id);
    const other = await h.login(h.emulator.users()[3]!.id);
    for (const user of [doomed, other]) {
      await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays: [makePlay(1, '2026-01-01T00:00:00Z'), makePlay(2, '2026-01-01T00:05:00Z')], source: 'poll' });
    }
    expect(await queuedFor(doomed.userId)).toHaveLength(1);

    expect(await h.client(doomed.token).request('mutation { deleteMyAccount(input: { clientMutationId: "x" }) { deletedUserId clientMutationId } }')).toEqual({
      deleteMyAccount: { deletedUserId: doomed.globalUserId, clientMutationId: 'x' },
    });

    for (const table of ['users', 'spotify_credentials', 'sessions', 'listening_events', 'poll_state', 'play_counts']) {
      expect(await countRows(h.db, table, doomed.userId), table).toBe(0);
      expect(await countRows(h.db, table, other.userId), table).toBeGreaterThan(0);
    }
    expect(await queuedFor(doomed.userId)).toEqual([]);
    expect(await queuedFor(other.userId)).toHaveLength(1);
    expect(await errorCodes(h.client(doomed.token).request('{ me { id } }'))).toEqual(['UNAUTHENTICATED']);
  });

  it('lets a deleted user start over by logging in again', async () => {
    const first = await h.login(h.emulator.users()[2]!.id);
    await h.client(first.token).request('mutation { deleteMyAccount { deletedUserId } }');
    const again = await h.login(h.emulator.users()[2]!.id);
    expect(again.userId).not.toBe(first.userId);
    const me = await h.client(again.token).request<{ me: { historyStartsAt: string | null } }>('{ me { historyStartsAt } }');
    expect(me.me.historyStartsAt).toBeNull();
  });
});
