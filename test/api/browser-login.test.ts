import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from 'graphql-request';
import { approveOnEmulator, startApiHarness, type ApiHarness } from './api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ label: 'api_browser', env: { LOGIN_REDIRECT_URL: '/welcome' } });
});
afterAll(async () => {
  await h?.stop();
});

const cookieValue = (setCookies: string[], name: string) => {
  const line = setCookies.find((c) => c.startsWith(`${name}=`));
  return line ? { value: decodeURIComponent(line.slice(name.length + 1).split(';')[0]!), attributes: line.toLowerCase() } : undefined;
};

/** GET /auth/login, as a browser: returns where it is sent and the login-state cookie it got. */
async function beginBrowserLogin(apiUrl = h.api.url) {
  const response = await fetch(`${apiUrl}/auth/login`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const cookie = cookieValue(response.headers.getSetCookie(), 'playlog_login_state');
  return { location: response.headers.get('location')!, cookie: cookie!, loginCookieHeader: `playlog_login_state=${cookie!.value}` };
}

async function callback(search: string, cookieHeader: string | undefined, accept = 'application/json', apiUrl = h.api.url) {
  return fetch(`${apiUrl}/auth/callback${search}`, { redirect: 'manual', headers: { accept, ...(cookieHeader ? { cookie: cookieHeader } : {}) } });
}

const codeOf = async (response: Response) => ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code;
const userCount = async () => Number((await h.db.sql.query('select count(*)::int as n from users')).rows[0].n);

describe('login with a browser alone (/auth/login → Spotify → /auth/callback)', () => {
  it('sets an HttpOnly session cookie that opens the API, and redirects to LOGIN_REDIRECT_URL', async () => {
    const spotifyUser = h.emulator.users()[0]!;
    const begin = await beginBrowserLogin();
    expect(begin.location.startsWith(`${h.emulator.accountsUrl}/authorize?`)).toBe(true);
    expect(begin.cookie.attributes).toContain('httponly');
    expect(begin.cookie.attributes).toContain('path=/auth');

    const redirect = await approveOnEmulator(begin.location, spotifyUser.id);
    const response = await callback(redirect.search, begin.loginCookieHeader);

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/welcome');
    const session = cookieValue(response.headers.getSetCookie(), 'playlog_session')!;
    expect(session.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.attributes).toContain('httponly');
    expect(session.attributes).toContain('samesite=lax');
    expect(session.attributes).not.toContain('secure');

    const browser = new GraphQLClient(h.graphqlUrl, { headers: { cookie: `playlog_session=${session.value}` } });
    const { me } = await browser.request<{ me: { spotifyId: string; status: string } }>('{ me { spotifyId status } }');
    expect(me).toEqual({ spotifyId: spotifyUser.id, status: 'ACTIVE' });
    const home = (await (await fetch(`${h.api.url}/`, { headers: { cookie: `playlog_session=${session.value}` } })).json()) as { loggedInAs: { spotifyId: string } };
    expect(home.loggedInAs.spotifyId).toBe(spotifyUser.id);

    // Logging out through GraphQL revokes the session and clears the cookie.
    const logout = await fetch(h.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `playlog_session=${session.value}` },
      body: JSON.stringify({ query: 'mutation { logout { revokedAt } }' }),
    });
    expect(((await logout.json()) as { data: { logout: { revokedAt: string } } }).data.logout.revokedAt).toMatch(/Z$/);
    expect(cookieValue(logout.headers.getSetCookie(), 'playlog_session')?.attributes).toContain('expires=thu, 01 jan 1970');
    await expect(browser.request('{ me { id } }')).rejects.toThrow(/UNAUTHENTICATED/);
  });

  it('refuses a callback in a browser that did not start the login, and lets the right browser finish it', async () => {
    const begin = await beginBrowserLogin();
    const redirect = await approveOnEmulator(begin.location, h.emulator.users()[1]!.id);
    const users = await userCount();

    const elsewhere = await callback(redirect.search, undefined);
    expect(elsewhere.status).toBe(400);
    expect(await codeOf(elsewhere)).toBe('LOGIN_STATE_INVALID');
    expect(await userCount()).toBe(users);

    const here = await callback(redirect.search, begin.loginCookieHeader);
    expect(here.status).toBe(302);
  });

  it('refuses a replayed callback and stores nothing more', async () => {
    const begin = await beginBrowserLogin();
    const redirect = await approveOnEmulator(begin.location, h.emulator.users()[2]!.id);
    expect((await callback(redirect.search, begin.loginCookieHeader)).status).toBe(302);
    const sessions = Number((await h.db.sql.query('select count(*)::int as n from sessions')).rows[0].n);

    const replay = await callback(redirect.search, begin.loginCookieHeader);

    expect(replay.status).toBe(400);
    expect(await codeOf(replay)).toBe('LOGIN_STATE_INVALID');
    expect(cookieValue(replay.headers.getSetCookie(), 'playlog_session')).toBeUndefined();
    expect(Number((await h.db.sql.query('select count(*)::int as n from sessions')).rows[0].n)).toBe(sessions);
  });

  it('answers a refusal on Spotify’s page (error=access_denied) clearly and stores nothing', async () => {
    const begin = await beginBrowserLogin();
    const redirect = await approveOnEmulator(begin.location, h.emulator.users()[3]!.id, { deny: '1' });
    const users = await userCount();

    const denied = await callback(redirect.search, begin.loginCookieHeader);

    expect(denied.status).toBe(403);
    expect(await codeOf(denied)).toBe('SPOTIFY_LOGIN_DENIED');
    expect(await userCount()).toBe(users);
  });

  it('refuses a missing, forged or repeated state, and a wrong code', async () => {
    const begin = await beginBrowserLogin();
    const forged = await callback('?code=AQx&state=forged', 'playlog_login_state=forged');
    expect([forged.status, await codeOf(forged)]).toEqual([400, 'LOGIN_STATE_INVALID']);

    const missing = await callback('?code=AQx', begin.loginCookieHeader);
    expect([missing.status, await codeOf(missing)]).toEqual([400, 'LOGIN_STATE_INVALID']);

    const repeated = await callback(`?code=AQx&state=${begin.cookie.value}&state=${begin.cookie.value}`, begin.loginCookieHeader);
    expect([repeated.status, await codeOf(repeated)]).toEqual([400, 'BAD_USER_INPUT']);

    const wrongCode = await callback(`?code=AQnotacode&state=${encodeURIComponent(begin.cookie.value)}`, begin.loginCookieHeader);
    expect([wrongCode.status, await codeOf(wrongCode)]).toEqual([400, 'SPOTIFY_LOGIN_FAILED']);
  });

  it('answers browsers with a short HTML page that escapes what it shows', async () => {
    const response = await callback('?error=<script>alert(1)</script>&state=x', 'playlog_login_state=x', 'text/html');
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('LOGIN_STATE_INVALID');
    expect(html).not.toContain('<script>');
  });

  it('marks cookies Secure in production', async () => {
    const production = await h.startAnotherApi({ NODE_ENV: 'production' });
    const begin = await beginBrowserLogin(production.url);
    expect(begin.cookie.attributes).toContain('secure');
    const redirect = await approveOnEmulator(begin.location, h.emulator.users()[0]!.id);
    const response = await callback(redirect.search, begin.loginCookieHeader, 'application/json', production.url);
    expect(cookieValue(response.headers.getSetCookie(), 'playlog_session')?.attributes).toContain('secure');
  });
});
