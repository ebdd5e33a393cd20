import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Worker } from 'bullmq';
import { ormOptions } from '../../services/features/orm-options.js';
import { pollQueue } from '../../services/shared/jobs/job-registry.js';
import { runDlqCommand } from '../../services/worker/dlq/dlq-commands.js';
import { parseDlqArgs as parseArgs } from '../../services/worker/dlq/dlq-options.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { PLAYLOG } from '../support/playlog.js';
import { startPipeline, type Pipeline } from './pipeline-harness.js';

let pipeline: Pipeline;
let spotifyId: string;
let userId: string;
let mainWorker: Worker;

beforeAll(async () => {
  pipeline = await startPipeline('failures', { users: 1 });
  spotifyId = pipeline.emulator.users()[0]!.id;
  userId = await pipeline.login(spotifyId);
  mainWorker = await pipeline.startWorker();
}, 60_000);
afterAll(() => pipeline?.close());
beforeEach(async () => {
  await pipeline.queue.obliterate({ force: true });
  pipeline.emulator.faults.reset();
  await pipeline.db.sql.query('delete from listening_events');
  await pipeline.db.sql.query('delete from poll_state');
});

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `playlog dlq ...` as an operator runs it: a real process with REDIS_URL and QUEUE_PREFIX. */
function dlq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'sh',
      [PLAYLOG, 'dlq', ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: pipeline.prefix } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const pollState = async () => (await pipeline.db.sql.query('select * from poll_state where user_id = $1', [userId])).rows[0];

describe('transient failures', () => {
  it('retries 5xx answers, an HTML gateway page, a timeout, a dropped connection and a cut-short body, then stores the plays', async () => {
    pipeline.emulator.faults.enqueue({ kind: '503' }, { kind: '502' }, { kind: 'timeout' }, { kind: 'reset' }, { kind: 'malformed' });
    await pipeline.schedule();
    await pipeline.waitUntilIdle();

    const [job] = await pipeline.queue.getCompleted();
    expect(job?.attemptsMade).toBe(pollQueue.attempts);
    expect(await pipeline.storedPlays(userId)).toEqual(pipeline.retrievable(spotifyId));
    const state = await pollState();
    expect(state.consecutive_failures).toBe(0);
    expect(state.last_error).toMatch(/recently-played answered 200 with a body that is not JSON .*attempt 5 of 6, will retry/);
  });
});

describe('Postgres unavailable', () => {
  it('retries, then keeps the job in the dead-letter queue with the connection error, and a replay stores the plays', async () => {
    // A worker whose database is down (nothing listens on that port).
    await mainWorker.pause();
    const downOrm = await MikroORM.init({ ...ormOptions({ DATABASE_URL: 'postgres://playlog:playlog@127.0.0.1:1/playlog', DATABASE_POOL_MAX: 1 }), connect: false });
    const worker = await pipeline.startWorker({ orm: downOrm });
    await pipeline.schedule();
    await pipeline.waitUntilIdle();
    await worker.close();
    await downOrm.close(true);
    mainWorker.resume();

    const [failed] = await pipeline.queue.getFailed();
    expect(failed?.attemptsMade).toBe(pollQueue.attempts);
    expect(failed?.failedReason).toBe('Connection error: connect ECONNREFUSED 127.0.0.1:1 (attempt 6 of 6, giving up)');
    expect(await runDlqCommand(pipeline.queues, parseArgs(['retry', failed!.id!]))).toMatchObject({ json: { retried: [{ queue: 'poll', id: failed!.id }] } });
    await pipeline.waitUntilIdle();
    expect(await pipeline.storedPlays(userId)).toEqual(pipeline.retrievable(spotifyId));
  });
});

describe('the dead-letter queue', () => {
  it('keeps a job that failed every attempt with a message that explains it, and the CLI replays it once the fault is gone (and answers clearly when the job or command is wrong)', async () => {
    pipeline.emulator.faults.update({ errorRate: 1, errorStatuses: [503] });
    await pipeline.schedule();
    await pipeline.waitUntilIdle();

    const [failed] = await pipeline.queue.getFailed();
    expect(failed?.attemptsMade).toBe(pollQueue.attempts);
    expect(failed?.failedReason).toBe(
      'Spotify GET /me/player/recently-played answered 503 (server error): Service unavailable (attempt 6 of 6, giving up)',
    );
    expect(await pipeline.storedPlays(userId)).toEqual([]);
    expect(await pollState()).toMatchObject({ consecutive_failures: pollQueue.attempts, last_error: failed?.failedReason });

    const [listed, missing, usage] = await Promise.all([dlq('list', '--json'), dlq('retry', 'no-such-job'), dlq('frobnicate')]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      total: 1,
      byQueue: { poll: 1, import: 0 },
      jobs: [{ queue: 'poll', id: failed!.id, userId, reason: 'schedule', attemptsMade: pollQueue.attempts, error: failed!.failedReason }],
    });
    // Wrong job or command: a clear message and a distinct exit code.
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no failed job "no-such-job" \(not found in poll, import, export\)/);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/unknown command "frobnicate"\nusage: playlog dlq /);

    pipeline.emulator.faults.update({ errorRate: 0 });
    const retried = await dlq('retry', failed!.id!);
    expect(retried).toMatchObject({ code: 0, stdout: `Job ${failed!.id} (user ${userId} (schedule)) is queued again in the poll queue.\n` });
    await pipeline.waitUntilIdle();
    expect(await pipeline.queue.getFailedCount()).toBe(0);
    expect(await pipeline.storedPlays(userId)).toEqual(pipeline.retrievable(spotifyId));
    expect((await runDlqCommand(pipeline.queues, parseArgs(['list']))).text).toBe('The dead-letter queues are empty (poll, import, export).');
    expect((await runDlqCommand(pipeline.queues, parseArgs(['list', '--queue', 'poll']))).text).toBe('The dead-letter queue is empty (poll).');
  });

  it('retries all failed jobs, and purges them by age', async () => {
    pipeline.emulator.faults.update({ errorRate: 1, errorStatuses: [500] });
    await pipeline.schedule();
    await pipeline.waitUntilIdle();
    expect(await pipeline.queue.getFailedCount()).toBe(1);

    expect(await runDlqCommand(pipeline.queues, parseArgs(['purge', '--older-than', '1h']))).toMatchObject({ json: { removed: [] } });
    expect(await pipeline.queue.getFailedCount()).toBe(1);
    // Retried while the fault persists: it fails again, all its attempts, and is back in the dead-letter queue.
    expect(await runDlqCommand(pipeline.queues, parseArgs(['retry-all']))).toMatchObject({ json: { retried: [{ queue: 'poll', id: expect.any(String) }] } });
    await pipeline.waitUntilIdle();
    expect((await pipeline.queue.getFailed())[0]?.attemptsMade).toBe(pollQueue.attempts);

    const purged = await runDlqCommand(pipeline.queues, parseArgs(['purge']));
    expect(purged.text).toBe('1 failed job(s) removed.');
    expect(await pipeline.queue.getFailedCount()).toBe(0);
  });

  it('reads durations and options as documented', () => {
    expect(parseArgs(['purge', '--older-than', '7d'])).toMatchObject({ command: 'purge', olderThanMs: 7 * 86_400_000, queues: ['poll', 'import', 'export'] });
    expect(parseArgs(['list', '--json', '--limit=5', '--queue', 'import'])).toMatchObject({ command: 'list', json: true, limit: 5, queues: ['import'] });
    expect(() => parseArgs(['purge', '--older-than', 'soon'])).toThrow(/use a number and a unit/);
    expect(() => parseArgs(['retry'])).toThrow(/exactly one job id/);
    expect(() => parseArgs(['list', '--queue', 'mail'])).toThrow(/the queues are poll, import/);
    expect(() => parseArgs(['list', '--frobnicate'])).toThrow(/Unknown option '--frobnicate'/);
  });

  it('prints its usage for --help (exit 0) and with a usage error (exit 2)', async () => {
    const [help, wrong] = await Promise.all([dlq('--help'), dlq('list', '--limit', 'many')]);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: playlog dlq <command> \[options\]/);
    expect(help.stdout).toContain('--queue <name>');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^dlq: --limit takes a whole number of at least 1, not "many"\nusage: playlog dlq /);
  });
});
