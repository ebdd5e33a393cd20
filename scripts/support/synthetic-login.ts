/**
 * Logs a synthetic listener in through the real OAuth flow: the API's startSpotifyLogin mutation,
 * the emulator's /authorize (choosing the user non-interactively), then completeSpotifyLogin.
 */
export interface DemoSession {
  token: string;
  displayName: string;
}

async function graphql<T>(apiUrl: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (!body.data || body.errors?.length) throw new Error(`GraphQL error: ${body.errors?.map((e) => e.message).join('; ') ?? response.status}`);
  return body.data;
}

export async function loginSyntheticListener(apiUrl: string, spotifyUserId: string): Promise<DemoSession> {
  const { startSpotifyLogin } = await graphql<{ startSpotifyLogin: { authorizationUrl: string } }>(
    apiUrl,
    'mutation { startSpotifyLogin { authorizationUrl state } }',
  );
  const authorize = new URL(startSpotifyLogin.authorizationUrl);
  authorize.searchParams.set('user', spotifyUserId);
  const redirect = await fetch(authorize, { redirect: 'manual' });
  const location = redirect.headers.get('location');
  if (redirect.status !== 302 || !location) throw new Error(`the emulator did not redirect back (HTTP ${redirect.status})`);
  const callback = new URL(location);
  const code = callback.searchParams.get('code');
  const state = callback.searchParams.get('state');
  if (!code || !state) throw new Error(`the emulator refused the login: ${callback.searchParams.get('error') ?? 'no code'}`);
  const { completeSpotifyLogin } = await graphql<{ completeSpotifyLogin: { token: string; user: { displayName: string | null } } }>(
    apiUrl,
    'mutation ($code: String!, $state: String!) { completeSpotifyLogin(code: $code, state: $state) { token user { displayName } } }',
    { code, state },
  );
  return { token: completeSpotifyLogin.token, displayName: completeSpotifyLogin.user.displayName ?? spotifyUserId };
}

/** Revokes a session (the `logout` mutation), so a demo run leaves no session behind. */
export async function logoutSession(apiUrl: string, session: DemoSession): Promise<void> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ query: 'mutation { logout }' }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json()) as { data?: { logout?: boolean } };
  if (body.data?.logout !== true) throw new Error(`logout answered HTTP ${response.status}`);
}
