import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { saveCredentials } from '../../services/features/accounts/data/credentials.repository.js';
import { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import { freshAccessToken } from '../../services/worker/tokens/refresh-tokens.js';
import { parsedLogs, startPipeline, type Pipeline } from './pipeline-harness.js';

const DAY_MS = 86_400_000;
const accessTokensIssued = (pipeline: Pipeline) => pipeline.emulator.stats.snapshot().oauth.access_token_issued ?? 0;
const userStatus = async (pipeline: Pipeline, userId: string) =>
  (await pipeline.db.sql.query<{ status: string }>('select status from users where id = $1', [userId])).rows[0]?.status;

describe('token refresh (Spotify rotates refresh tokens on every refresh)', () => {
  let pipeline: Pipeline;
  let ids: string[];

  beforeAll(async () => {
    pipeline = await startPipeline('tokens', { users: 3, omitRefreshTokenRate: 0 });
    ids = [];
    for (const user of pipeline.emulator.users()) ids.push(await pipeline.login(user.id));
    await pipeline.startWorker();
  }, 60_000);
  afterAll(() => pipeline?.close());
  beforeEach(() => pipeline.queue.obliterate({ force: true }));

  it('refreshes a token that expired early exactly once, and stores the new tokens encrypted', async () => {
    const [spotifyA, spotifyB] = [...pipeline.users.keys()];
    const [userA, userB] = [pipeline.users.get(spotifyA!)!, pipeline.users.get(spotifyB!)!];
    const before = await pipeline.credentials(userA);
    const untouched = await pipeline.credentials(userB);
    const issued = accessTokensIssued(pipeline);
    // Spotify may end an access token before its expires_in: the stored expiry still says it is good.
    expect(pipeline.emulator.expireAccessTokens(spotifyA!)).toBeGreaterThan(0);

    await pipeline.schedule();
    await pipeline.waitUntilIdle();

    expect(accessTokensIssued(pipeline)).toBe(issued + 1);
    const after = (await pipeline.credentials(userA))!;
    expect(after.accessToken).not.toBe(before!.accessToken);
    expect(after.refreshToken).not.toBe(before!.refreshToken);
    expect(after.authorizedAt).toEqual(before!.authorizedAt);
    expect(pipeline.emulator.tokens.checkAccessToken(after.accessToken).ok).toBe(true);
    expect(pipeline.emulator.tokens.checkRefreshToken(after.refreshToken, pipeline.emulator.clientId).ok).toBe(true);
    expect(pipeline.emulator.tokens.checkRefreshToken(before!.refreshToken, pipeline.emulator.clientId)).toEqual({ ok: false, reason: 'rotated' });
    expect(await pipeline.credentials(userB)).toEqual(untouched);

    const raw = (await pipeline.db.sql.query('select * from spotify_credentials where user_id = $1', [userA])).rows[0];
    expect(JSON.stringify(raw)).not.toContain(after.accessToken);
    expect(JSON.stringify(raw)).not.toContain(after.refreshToken);
    expect(await pipeline.storedPlays(userA)).toEqual(pipeline.retrievable(spotifyA!));
    expect(await pipeline.queue.getFailedCount()).toBe(0);
  });

  it('refreshes before use when the stored token is about to expire', async () => {
    const userC = ids[2]!;
    const current = (await pipeline.credentials(userC))!;
    await saveCredentials(pipeline.db.orm.em.fork(), pipeline.cipher, userC, { ...current, accessTokenExpiresAt: new Date(Date.now() + 10_000) });
    const unauthorizedBefore = pipeline.emulator.stats.snapshot().requests['GET /v1/me/player/recently-played']?.['401'] ?? 0;

    await pipeline.schedule({ now: Date.now() + 300_000 });
    await pipeline.waitUntilIdle();

    const after = (await pipeline.credentials(userC))!;
    expect(after.accessToken).not.toBe(current.accessToken);
    expect(after.accessTokenExpiresAt.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(pipeline.emulator.stats.snapshot().requests['GET /v1/me/player/recently-played']?.['401'] ?? 0).toBe(unauthorizedBefore);
  });

  it('two jobs of one user needing a refresh at once spend the refresh token only once', async () => {
    const userC = ids[2]!;
    const current = (await pipeline.credentials(userC))!;
    const issued = accessTokensIssued(pipeline);
    const settings = { refreshMarginMs: 60_000, lifetimeDays: 182, warningDays: 14 };
    const deps = { cipher: pipeline.cipher, oauth: pipeline.deps.oauth, now: Date.now };
    const [first, second] = await Promise.all([
      freshAccessToken(pipeline.db.orm.em.fork(), deps, userC, current, settings, { force: true }),
      freshAccessToken(pipeline.db.orm.em.fork(), deps, userC, current, settings, { force: true }),
    ]);
    expect(accessTokensIssued(pipeline)).toBe(issued + 1);
    expect(first.credentials.accessToken).toBe(second.credentials.accessToken);
    expect([first.refreshed, second.refreshed].sort()).toEqual([false, true]);
    expect(await userStatus(pipeline, userC)).toBe('active');
  });
});

describe('a refresh answer without a refresh token', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline('tokens2', { users: 1, omitRefreshTokenRate: 1 });
    await pipeline.login(pipeline.emulator.users()[0]!.id);
    await pipeline.startWorker();
  }, 60_000);
  afterAll(() => pipeline?.close());

  it('keeps the old refresh token, which still works', async () => {
    const [spotifyId, userId] = [...pipeline.users][0]!;
    const before = (await pipeline.credentials(userId!))!;
    pipeline.emulator.expireAccessTokens(spotifyId!);
    await pipeline.schedule();
    await pipeline.waitUntilIdle();
    const after = (await pipeline.credentials(userId!))!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(pipeline.emulator.tokens.checkRefreshToken(after.refreshToken, pipeline.emulator.clientId).ok).toBe(true);
  });
});

describe('a user who must log in again', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline('reauth', { users: 4 });
    for (const user of pipeline.emulator.users()) await pipeline.login(user.id);
  }, 60_000);
  afterAll(() => pipeline?.close());
  beforeEach(() => pipeline.queue.obliterate({ force: true }));

  it('a revoked refresh token: reauth_required, no retries, other users unaffected; logging in again resumes polling', async () => {
    const worker = await pipeline.startWorker();
    const [revoked, ...others] = [...pipeline.users];
    const [spotifyId, userId] = revoked!;
    pipeline.emulator.revokeRefreshTokens(spotifyId);

    await pipeline.schedule();
    await pipeline.waitUntilIdle();

    expect(await userStatus(pipeline, userId)).toBe('reauth_required');
    const failed = await pipeline.queue.getFailed();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ data: { userId }, attemptsMade: 1 });
    expect(failed[0]!.failedReason).toMatch(/^The user must log in again: Spotify refused to refresh their access token, the refresh token was revoked/);
    expect(await pipeline.storedPlays(userId)).toEqual([]);
    for (const [otherSpotifyId, otherUserId] of others) {
      expect(await pipeline.storedPlays(otherUserId)).toEqual(pipeline.retrievable(otherSpotifyId));
    }

    // The scheduler leaves them alone until they log in again.
    const next = await pipeline.schedule({ now: Date.now() + 300_000 });
    expect(next.scanned).toBe(others.length);

    await pipeline.login(spotifyId);
    expect(await userStatus(pipeline, userId)).toBe('active');
    const after = await pipeline.schedule({ now: Date.now() + 600_000 });
    expect(after.scanned).toBe(others.length + 1);
    await pipeline.waitUntilIdle();
    expect(await pipeline.storedPlays(userId)).toEqual(pipeline.retrievable(spotifyId));
    await worker.close();
  });

  it('a 401 for a token Spotify just issued: reauth_required after one refresh, no retries', async () => {
    const [spotifyId, userId] = [...pipeline.users][1]!;
    // A Web API that refuses every token of this user, as Spotify does once the user's grant is gone.
    const api = new SpotifyApiClient({
      apiUrl: pipeline.emulator.apiUrl,
      timeoutMs: 2_000,
      fetch: async () => new Response(JSON.stringify({ error: { status: 401, message: 'Invalid access token' } }), { status: 401, headers: { 'content-type': 'application/json' } }),
    });
    const worker = await pipeline.startWorker({ deps: { api } });
    const issued = accessTokensIssued(pipeline);
    await pipeline.queue.add('poll-user', { userId, reason: 'manual' }, { jobId: `poll-${userId}-manual-1`, attempts: 6, backoff: { type: 'jitteredExponential', delay: 10 } });
    await pipeline.waitUntilIdle();

    expect(accessTokensIssued(pipeline)).toBe(issued + 1);
    expect(await userStatus(pipeline, userId)).toBe('reauth_required');
    const [failed] = await pipeline.queue.getFailed();
    expect(failed).toMatchObject({ attemptsMade: 1 });
    expect(failed!.failedReason).toMatch(/^The user must log in again: Spotify refused a freshly refreshed access token/);
    await worker.close();
    await pipeline.login(spotifyId);
  });

  it('knows the refresh-token deadline: warns ahead of it, and explains an expired token after it', async () => {
    const worker = await pipeline.startWorker();
    const [soonSpotify, soonUser] = [...pipeline.users][2]!;
    const [lateSpotify, lateUser] = [...pipeline.users][3]!;
    for (const [userId, daysAgo] of [
      [soonUser, 175],
      [lateUser, 200],
    ] as const) {
      const current = (await pipeline.credentials(userId))!;
      await saveCredentials(pipeline.db.orm.em.fork(), pipeline.cipher, userId, current, new Date(Date.now() - daysAgo * DAY_MS));
    }
    // Past the deadline Spotify answers invalid_grant (the emulator's grant is younger: revoke it to get that answer).
    pipeline.emulator.revokeRefreshTokens(lateSpotify);
    pipeline.emulator.expireAccessTokens(soonSpotify);

    await pipeline.schedule({ now: Date.now() + 900_000 });
    await pipeline.waitUntilIdle();

    const warning = parsedLogs(pipeline.logLines).find((line) => line.userId === soonUser && line.reauthSoon === true);
    expect(warning).toMatchObject({ level: 40, status: 'polled' });
    expect(warning!.msg).toMatch(/the user must log in again by \d{4}-\d\d-\d\dT/);
    const failed = (await pipeline.queue.getFailed()).find((job) => job.data.userId === lateUser);
    expect(failed?.failedReason).toMatch(/the refresh token has expired \(authorised .*Spotify refresh tokens last about 182 days\)/);
    expect(await userStatus(pipeline, lateUser)).toBe('reauth_required');
    await worker.close();
  });
});
