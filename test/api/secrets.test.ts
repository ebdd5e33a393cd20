import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveOnEmulator, startApiHarness, START_LOGIN, type ApiHarness } from './api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ label: 'api_secrets' });
});
afterAll(async () => {
  await h?.stop();
});

/** Every response the test received from the API: status line, headers and body. */
const responses: string[] = [];
/** Authorization codes and states Spotify's redirects carried. */
const codes: string[] = [];

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${h.api.url}${path}`, { redirect: 'manual', ...init });
  const text = await response.clone().text();
  responses.push(`${response.status} ${JSON.stringify([...response.headers])}\n${text}`);
  return response;
}

const graphql = async (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  (await call('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) })).json() as Promise<{
    data?: Record<string, Record<string, unknown>>;
    errors?: unknown[];
  }>;

describe('secrets', () => {
  it('never shows a Spotify token, code, verifier or client secret in a response or a log line, nor a session token in a log line', async () => {
    const sessionTokens: string[] = [];
    const complete =
      'mutation ($code: String, $state: String!) { completeSpotifyLogin(input: { code: $code, state: $state }) { session { token user { id } } errors { code message } } }';

    // GraphQL login, a replay of it, a wrong code.
    const started = (await graphql(START_LOGIN)).data!.startSpotifyLogin as { authorizationUrl: string; state: string };
    const redirect = await approveOnEmulator(started.authorizationUrl, h.emulator.users()[0]!.id);
    codes.push(redirect.searchParams.get('code')!);
    const session = ((await graphql(complete, { code: redirect.searchParams.get('code'), state: started.state })).data!.completeSpotifyLogin as { session: { token: string } }).session;
    sessionTokens.push(session.token);
    await graphql(complete, { code: redirect.searchParams.get('code'), state: started.state });
    const again = (await graphql(START_LOGIN)).data!.startSpotifyLogin as { state: string };
    await graphql(complete, { code: 'AQwrong', state: again.state });

    // Browser login.
    const login = await call('/auth/login');
    const stateCookie = login.headers.getSetCookie().find((c) => c.startsWith('playlog_login_state='))!.split(';')[0]!;
    const browserRedirect = await approveOnEmulator(login.headers.get('location')!, h.emulator.users()[1]!.id);
    codes.push(browserRedirect.searchParams.get('code')!);
    const callback = await call(`/auth/callback${browserRedirect.search}`, { headers: { cookie: stateCookie } });
    const sessionCookie = callback.headers.getSetCookie().find((c) => c.startsWith('playlog_session='))!.split(';')[0]!;
    sessionTokens.push(sessionCookie.split('=')[1]!);
    await call(`/auth/callback${browserRedirect.search}`, { headers: { cookie: stateCookie } });

    // Authenticated use, both ways, then errors and logout.
    const auth = { authorization: `Bearer ${session.token}` };
    await graphql('{ me { id spotifyId displayName status historyStartsAt lastSuccessfulPoll spotifyAuthorizedAt } }', {}, auth);
    await graphql('{ listeningHistory(first: 5) { edges { cursor } } }', {}, { cookie: sessionCookie });
    await graphql('mutation { requestSync }', {}, auth);
    await graphql('{ listeningHistory(first: 500) { edges { cursor } } }', {}, auth);
    await graphql('{ me { id } }', {}, { authorization: `Bearer ${session.token}x` });
    await graphql('mutation { logout { revokedAt } }', {}, { cookie: sessionCookie });
    await graphql('mutation { deleteMyAccount { deletedUserId } }', {}, auth);

    const secrets = h.emulator.secrets();
    const spotifySecrets = [secrets.clientSecret, ...secrets.accessTokens, ...secrets.refreshTokens, ...secrets.authorizationCodes, ...secrets.codeVerifiers, ...codes];
    expect(secrets.accessTokens.length).toBeGreaterThan(1);
    expect(secrets.codeVerifiers.length).toBeGreaterThan(1);
    const everyResponse = responses.join('\n');
    const everyLogLine = h.logs.lines.join('\n');
    expect(h.logs.lines.length).toBeGreaterThan(10);

    for (const secret of spotifySecrets) {
      expect(everyResponse.includes(secret), `a response contains ${secret.slice(0, 6)}…`).toBe(false);
      expect(everyLogLine.includes(secret), `a log line contains ${secret.slice(0, 6)}…`).toBe(false);
    }
    for (const token of sessionTokens) {
      expect(everyLogLine.includes(token), 'a log line contains a session token').toBe(false);
    }
  });
});
