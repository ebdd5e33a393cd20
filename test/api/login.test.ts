import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-request';
import {
  approveOnEmulator,
  completeLogin,
  completeLoginSession,
  countRows,
  errorCodes,
  loginErrorCodes,
  startApiHarness,
  startLogin,
  userIdOf,
  type ApiHarness,
} from './api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ label: 'api_login' });
});
afterAll(async () => {
  await h?.stop();
});

const ME = gql`
  query Me {
    me {
      id
      spotifyId
      displayName
      status
      historyStartsAt
      lastSuccessfulPoll
      spotifyAuthorizedAt
    }
  }
`;

const userCount = async () => Number((await h.db.sql.query('select count(*)::int as n from users')).rows[0].n);
const sessionCount = async () => Number((await h.db.sql.query('select count(*)::int as n from sessions')).rows[0].n);

describe('login through GraphQL (startSpotifyLogin → Spotify → completeSpotifyLogin)', () => {
  it('logs a Spotify user in, stores them with encrypted tokens, and schedules a first poll', async () => {
    const spotifyUser = h.emulator.users()[0]!;
    const client = h.client();

    const started = await startLogin(client);
    const authorize = new URL(started.authorizationUrl);
    expect(authorize.origin + authorize.pathname).toBe(`${h.emulator.accountsUrl}/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBe(started.state);
    expect(authorize.searchParams.get('scope')).toContain('user-read-recently-played');

    const redirect = await approveOnEmulator(started.authorizationUrl, spotifyUser.id);
    const session = await completeLoginSession(client, { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state')! });

    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(session.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(session.user).toMatchObject({ spotifyId: spotifyUser.id, displayName: spotifyUser.displayName, status: 'ACTIVE' });

    const { me } = await h.client(session.token).request<{ me: Record<string, unknown> }>(ME);
    expect(me).toMatchObject({ id: session.user.id, spotifyId: spotifyUser.id, status: 'ACTIVE', historyStartsAt: null, lastSuccessfulPoll: null });
    expect(typeof me.spotifyAuthorizedAt).toBe('string');

    const userId = userIdOf(session.user.id);
    const credentials = (await h.db.sql.query('select * from spotify_credentials where user_id = $1', [userId])).rows[0];
    const secrets = h.emulator.secrets();
    expect(credentials.access_token_encrypted).toMatch(/^v1\./);
    expect(secrets.accessTokens).not.toContain(credentials.access_token_encrypted);
    expect(secrets.refreshTokens).not.toContain(credentials.refresh_token_encrypted);
    expect(await countRows(h.db, 'poll_state', userId)).toBe(1);
    const stored = (await h.db.sql.query('select token_hash from sessions where user_id = $1', [userId])).rows;
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).not.toContain(session.token);

    const jobs = await h.queue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.map((job) => job.data)).toContainEqual({ userId, reason: 'login', requestId: expect.stringMatching(/^[A-Za-z0-9._-]{8,128}$/) });
  });

  it('makes a user who had to re-authorise active again, with a fresh authorisation time', async () => {
    const spotifyUser = h.emulator.users()[1]!;
    const first = await h.login(spotifyUser.id);
    await h.db.sql.query(`update users set status = 'reauth_required' where id = $1`, [first.userId]);
    await h.db.sql.query(`update spotify_credentials set authorized_at = now() - interval '200 days' where user_id = $1`, [first.userId]);

    const again = await h.login(spotifyUser.id);

    expect(again.userId).toBe(first.userId);
    const row = (await h.db.sql.query(
      `select u.status, sc.authorized_at > now() - interval '1 minute' as fresh from users u join spotify_credentials sc on sc.user_id = u.id where u.id = $1`,
      [first.userId],
    )).rows[0];
    expect(row).toEqual({ status: 'active', fresh: true });
  });

  it('refuses a replayed state and stores nothing the second time', async () => {
    const client = h.client();
    const started = await startLogin(client);
    const redirect = await approveOnEmulator(started.authorizationUrl, h.emulator.users()[2]!.id);
    await completeLoginSession(client, { code: redirect.searchParams.get('code'), state: started.state });
    const [users, sessions] = [await userCount(), await sessionCount()];

    const codes = await loginErrorCodes(completeLogin(client, { code: redirect.searchParams.get('code'), state: started.state }));

    expect(codes).toEqual(['LOGIN_STATE_INVALID']);
    expect([await userCount(), await sessionCount()]).toEqual([users, sessions]);
  });

  it('refuses a forged state without calling Spotify', async () => {
    const exchangesBefore = h.emulator.secrets().accessTokens.length;
    expect(await loginErrorCodes(completeLogin(h.client(), { code: 'AQBogus', state: 'forged-state-value' }))).toEqual(['LOGIN_STATE_INVALID']);
    expect(h.emulator.secrets().accessTokens.length).toBe(exchangesBefore);
  });

  it('refuses a state that has expired', async () => {
    const shortLived = await h.startAnotherApi({ LOGIN_STATE_TTL_SECONDS: '1' });
    const client = h.client(undefined, `${shortLived.url}/graphql`);
    const started = await startLogin(client);
    const redirect = await approveOnEmulator(started.authorizationUrl, h.emulator.users()[3]!.id);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const users = await userCount();

    expect(await loginErrorCodes(completeLogin(client, { code: redirect.searchParams.get('code'), state: started.state }))).toEqual(['LOGIN_STATE_INVALID']);
    expect(await userCount()).toBe(users);
  });

  it('refuses a wrong code and stores nothing', async () => {
    const users = await userCount();
    const started = await startLogin(h.client());
    const codes = await loginErrorCodes(completeLogin(h.client(), { code: 'AQDefinitelyNotACodeSpotifyIssued', state: started.state }));
    expect(codes).toEqual(['SPOTIFY_LOGIN_FAILED']);
    expect(await userCount()).toBe(users);
  });

  it('refuses a code issued for another redirect URI and stores nothing', async () => {
    const users = await userCount();
    const started = await startLogin(h.client());
    const redirect = await approveOnEmulator(started.authorizationUrl, h.emulator.users()[3]!.id, { redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    expect(redirect.pathname).toBe('/elsewhere');

    const codes = await loginErrorCodes(completeLogin(h.client(), { code: redirect.searchParams.get('code'), state: started.state }));

    expect(codes).toEqual(['SPOTIFY_LOGIN_FAILED']);
    expect(await userCount()).toBe(users);
  });

  it('reports a refusal on Spotify’s page (error=access_denied) and stores nothing', async () => {
    const users = await userCount();
    const started = await startLogin(h.client());
    const redirect = await approveOnEmulator(started.authorizationUrl, h.emulator.users()[3]!.id, { deny: '1' });
    expect(redirect.searchParams.get('error')).toBe('access_denied');

    const codes = await loginErrorCodes(completeLogin(h.client(), { error: redirect.searchParams.get('error'), state: redirect.searchParams.get('state')! }));

    expect(codes).toEqual(['SPOTIFY_LOGIN_DENIED']);
    expect(await userCount()).toBe(users);
    // The state is spent: the login cannot be completed afterwards.
    expect(await loginErrorCodes(completeLogin(h.client(), { code: 'AQx', state: started.state }))).toEqual(['LOGIN_STATE_INVALID']);
  });

  it('answers malformed login input with BAD_USER_INPUT', async () => {
    const started = await startLogin(h.client());
    expect(await errorCodes(completeLogin(h.client(), { state: started.state }))).toEqual(['BAD_USER_INPUT']);
    expect(await errorCodes(completeLogin(h.client(), { state: started.state, code: 'a', error: 'b' }))).toEqual(['BAD_USER_INPUT']);
    expect(await errorCodes(completeLogin(h.client(), { state: 'x'.repeat(10_000), code: 'a' }))).toEqual(['BAD_USER_INPUT']);
    expect(await errorCodes(completeLogin(h.client(), { state: started.state, code: 'x'.repeat(5_000) }))).toEqual(['BAD_USER_INPUT']);
  });

  it('does not complete at /auth/callback a login started through GraphQL', async () => {
    const started = await startLogin(h.client());
    const redirect = await approveOnEmulator(started.authorizationUrl, h.emulator.users()[3]!.id);
    const response = await fetch(`${h.api.url}/auth/callback${redirect.search}`, {
      redirect: 'manual',
      headers: { accept: 'application/json', cookie: `playlog_login_state=${started.state}` },
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('LOGIN_STATE_INVALID');
    // ...and the GraphQL login can still be completed.
    const session = await completeLoginSession(h.client(), { code: redirect.searchParams.get('code'), state: started.state });
    expect(session.user.spotifyId).toBe(h.emulator.users()[3]!.id);
  });
});

describe('logout', () => {
  it('revokes the session: the token no longer opens anything', async () => {
    const { token } = await h.login(h.emulator.users()[0]!.id);
    const client = h.client(token);
    expect((await client.request<{ me: { id: string } }>(ME)).me.id).toBeTruthy();

    const before = Date.now();
    const { logout } = await client.request<{ logout: { revokedAt: string; clientMutationId: string | null } }>(
      gql`mutation { logout(input: { clientMutationId: "bye" }) { revokedAt clientMutationId } }`,
    );
    expect(logout.clientMutationId).toBe('bye');
    expect(new Date(logout.revokedAt).getTime()).toBeGreaterThanOrEqual(before - 1_000);

    expect(await errorCodes(client.request(ME))).toEqual(['UNAUTHENTICATED']);
    expect(await errorCodes(client.request(gql`mutation { logout { revokedAt } }`))).toEqual(['UNAUTHENTICATED']);
  });

  it('leaves the user’s other sessions open', async () => {
    const a = await h.login(h.emulator.users()[0]!.id);
    const b = await h.login(h.emulator.users()[0]!.id);
    await h.client(a.token).request(gql`mutation { logout { revokedAt } }`);
    expect((await h.client(b.token).request<{ me: { id: string } }>(ME)).me.id).toBe(b.globalUserId);
  });
});
