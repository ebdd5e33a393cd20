import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrm, type MikroORM } from '../../services/features/open-orm.js';
import { freshAccessToken } from '../../services/worker/tokens/refresh-tokens.js';
import { startPipeline, type Pipeline } from '../pipeline/pipeline-harness.js';

/**
 * Spotify rotates refresh tokens: once it has answered a refresh, the old refresh token is dead and the
 * new one exists only in the worker's memory until it is committed. If Postgres drops the worker's
 * connection while Spotify is answering (a restart, a failover: the chaos run's postgres_restart_*), the
 * new tokens must still reach the database, or the user is logged out for good.
 */
describe('a refresh whose transaction dies while Spotify answers', () => {
  let pipeline: Pipeline;
  let orm: MikroORM;
  let userId: string;
  let spotifyUserId: string;

  beforeAll(async () => {
    // Every refresh answer carries a new refresh token, so the old one always dies.
    pipeline = await startPipeline('refresh_commit', { users: 1, omitRefreshTokenRate: 0 });
    spotifyUserId = pipeline.emulator.users()[0]!.id;
    userId = await pipeline.login(spotifyUserId);
    orm = await openOrm({ DATABASE_URL: pipeline.db.url, DATABASE_POOL_MAX: 3 });
  }, 60_000);
  afterAll(async () => {
    await orm?.close(true);
    await pipeline?.close();
  });

  it('still stores the tokens Spotify issued, so the user stays logged in', async () => {
    const before = (await pipeline.credentials(userId))!;
    pipeline.emulator.faults.update({ latencyMs: 600, targets: ['token'] });
    const settings = { refreshMarginMs: 60_000, lifetimeDays: 182, warningDays: 14 };
    const deps = { cipher: pipeline.cipher, oauth: pipeline.deps.oauth, now: Date.now };
    const refreshing = freshAccessToken(orm.em.fork(), deps, userId, before, settings, { force: true }).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );

    // While Spotify takes its time, Postgres cuts the connection of the transaction holding the refresh lock.
    const admin = new pg.Client({ connectionString: pipeline.db.url });
    await admin.connect();
    let terminated = 0;
    for (let i = 0; i < 50 && terminated === 0; i++) {
      // The refresh's transaction holds the user's credentials row locked (select … for update: a RowShareLock on the table).
      const { rows } = await admin.query(
        `select pg_terminate_backend(l.pid) as done from pg_locks l join pg_class c on c.oid = l.relation
          where c.relname = 'spotify_credentials' and l.mode = 'RowShareLock' and l.pid <> pg_backend_pid()`,
      );
      terminated = rows.length;
      if (!terminated) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await admin.end();
    expect(terminated).toBe(1);
    const outcome = await refreshing;
    pipeline.emulator.faults.reset();

    const after = (await pipeline.credentials(userId))!;
    expect(pipeline.emulator.tokens.checkRefreshToken(before.refreshToken, pipeline.emulator.clientId)).toEqual({ ok: false, reason: 'rotated' });
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(pipeline.emulator.tokens.checkRefreshToken(after.refreshToken, pipeline.emulator.clientId).ok).toBe(true);
    expect(pipeline.emulator.tokens.checkAccessToken(after.accessToken).ok).toBe(true);
    expect(outcome.ok).toBe(true);
  });
});
