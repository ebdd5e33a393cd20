import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pollOffsetMs } from '../../services/scheduler/poll-offset.js';
import { spawnService } from '../support/worker-process.js';
import { startPipeline, type Pipeline } from './pipeline-harness.js';

let pipeline: Pipeline;
const ids: Record<'ann' | 'bob' | 'cat' | 'dee' | 'eve', string> = { ann: '', bob: '', cat: '', dee: '', eve: '' };

beforeAll(async () => {
  pipeline = await startPipeline('scheduler', { users: 0 });
  for (const name of Object.keys(ids) as Array<keyof typeof ids>) {
    const { rows } = await pipeline.db.sql.query<{ id: string }>(`insert into users (id, spotify_user_id) values (gen_random_uuid(), $1) returning id`, [name]);
    ids[name] = rows[0]!.id;
  }
  await pipeline.db.sql.query(`update users set status = 'reauth_required' where id = $1`, [ids.dee]);
  await pipeline.db.sql.query(`update users set status = 'disabled' where id = $1`, [ids.eve]);
});
afterAll(() => pipeline?.close());
beforeEach(async () => {
  await pipeline.queue.obliterate({ force: true });
  await pipeline.db.sql.query('delete from poll_state');
});

const queuedUsers = async () => (await pipeline.queue.getJobs(['waiting', 'delayed'])).map((job) => job.data.userId).sort();

describe('scheduler run', () => {
  it('enqueues one poll per active user, and none on a second run before they are processed', async () => {
    // Batches of 2 make the keyset scan walk several pages.
    const first = await pipeline.schedule({ batchSize: 2 });
    expect(first).toMatchObject({ scanned: 3, due: 3, enqueued: 3, skipped: 0 });
    expect(await queuedUsers()).toEqual([ids.ann, ids.bob, ids.cat].sort());

    const second = await pipeline.schedule({ batchSize: 2 });
    expect(second).toMatchObject({ scanned: 3, enqueued: 0, skipped: 3 });
    // Later in the same interval, with new job ids: deduplicated per user while the first ones wait.
    const later = await pipeline.schedule({ batchSize: 2, now: Date.now() + 400_000 });
    expect(later).toMatchObject({ enqueued: 0, skipped: 3 });
    expect(await pipeline.queue.getJobCounts('waiting', 'delayed')).toMatchObject({ waiting: 3, delayed: 0 });
  });

  it('skips users who must log in again or are disabled', async () => {
    await pipeline.schedule();
    const queued = await queuedUsers();
    expect(queued).not.toContain(ids.dee);
    expect(queued).not.toContain(ids.eve);
  });

  it('does not poll again a user polled less than half an interval ago', async () => {
    await pipeline.db.sql.query(
      `insert into poll_state (user_id, last_polled_at) values ($1, now() - interval '60 seconds'), ($2, now() - interval '200 seconds')`,
      [ids.ann, ids.bob],
    );
    const summary = await pipeline.schedule({ intervalMs: 300_000 });
    expect(summary).toMatchObject({ scanned: 3, due: 2, enqueued: 2 });
    expect(await queuedUsers()).toEqual([ids.bob, ids.cat].sort());
  });

  it('spreads the polls of a run over the window, each user at the same offset every time', async () => {
    const spreadMs = 60_000;
    await pipeline.schedule({ spreadMs });
    const delayed = await pipeline.queue.getDelayed();
    expect(delayed).toHaveLength(3);
    for (const job of delayed) {
      expect(job.opts.delay).toBe(pollOffsetMs(job.data.userId, spreadMs));
      expect(job.opts.delay).toBeLessThan(spreadMs);
    }
    expect(new Set(delayed.map((job) => job.opts.delay)).size).toBe(3);
    expect(pollOffsetMs(ids.ann, spreadMs)).toBe(pollOffsetMs(ids.ann, spreadMs));
  });
});

describe('scheduler process', () => {
  // Started first and checked later: it spends 5 s trying to reach Redis, meanwhile the other tests run.
  let unreachable: ReturnType<typeof spawnService>;
  beforeAll(() => {
    unreachable = spawnService('scheduler', { ...pipeline.serviceEnv(), REDIS_URL: 'redis://127.0.0.1:1' });
  });

  it('runs once, prints one summary line and exits 0 (a CronJob run)', async () => {
    const run = spawnService('scheduler', { ...pipeline.serviceEnv(), SCHEDULER_SPREAD_SECONDS: '0' });
    expect(await run.exited).toBe(0);
    const summaries = run.logs().filter((line) => typeof line.scanned === 'number');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ service: 'scheduler', scanned: 3, enqueued: 3, skipped: 0 });
    expect(summaries[0]!.durationMs).toEqual(expect.any(Number));
  });


  it('with SCHEDULER_LOOP_SECONDS runs on that interval and stops cleanly on SIGTERM', async () => {
    const run = spawnService('scheduler', { ...pipeline.serviceEnv(), SCHEDULER_LOOP_SECONDS: '1', SCHEDULER_SPREAD_SECONDS: '0' });
    await run.waitForLine(/"enqueued":3/);
    await run.waitForLine(/"skipped":3/);
    const stoppedAt = Date.now();
    expect(await run.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(3_000);
  });

  it('deletes sessions that expired or were revoked over a week ago, and keeps the others', async () => {
    const insert = (hash: string, expires: string, revoked: string | null) =>
      pipeline.db.sql.query(
        `insert into sessions (id, user_id, token_hash, expires_at, revoked_at) values (gen_random_uuid(), $1, $2, now() + $3::interval, now() + $4::interval)`,
        [ids.ann, hash, expires, revoked],
      );
    await insert('expired-long-ago', '-10 days', null);
    await insert('revoked-long-ago', '20 days', '-8 days');
    await insert('expired-yesterday', '-1 day', null);
    await insert('live', '20 days', null);

    const run = spawnService('scheduler', { ...pipeline.serviceEnv(), SCHEDULER_SPREAD_SECONDS: '0' });
    expect(await run.exited).toBe(0);

    const left = await pipeline.db.sql.query<{ token_hash: string }>('select token_hash from sessions order by token_hash');
    expect(left.rows.map((row) => row.token_hash)).toEqual(['expired-yesterday', 'live']);
    expect(run.logs().some((line) => line.purged === 2)).toBe(true);
  });

  it('exits non-zero when it cannot reach Redis to enqueue', async () => {
    expect(await unreachable.exited).toBe(1);
    expect(unreachable.lines.join('\n')).toMatch(/scheduler run failed: Redis at REDIS_URL did not become ready/);
  });
});
