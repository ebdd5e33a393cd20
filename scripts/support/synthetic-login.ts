/**
 * Logs a synthetic listener in through the real OAuth flow: the API's startSpotifyLogin mutation,
 * the emulator's /authorize (choosing the user non-interactively), then completeSpotifyLogin.
 */
export interface DemoSession {
  token: string;
  displayName: string;
  /** The listener's id at the emulator (its streaming history is fetched by it). */
  spotifyUserId: string;
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
  const { completeSpotifyLogin } = await graphql<{
    completeSpotifyLogin: { session: { token: string; user: { displayName: string | null } } | null; errors: Array<{ code: string; message: string }> };
  }>(apiUrl, 'mutation ($input: CompleteSpotifyLoginInput!) { completeSpotifyLogin(input: $input) { session { token user { displayName } } errors { code message } } }', {
    input: { code, state },
  });
  const { session, errors } = completeSpotifyLogin;
  if (!session) throw new Error(`the login failed: ${errors.map((error) => `${error.code}: ${error.message}`).join('; ')}`);
  return { token: session.token, displayName: session.user.displayName ?? spotifyUserId, spotifyUserId };
}

/** Revokes a session (the `logout` mutation), so a demo run leaves no session behind. */
export async function logoutSession(apiUrl: string, session: DemoSession): Promise<void> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ query: 'mutation { logout { revokedAt } }' }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json()) as { data?: { logout?: { revokedAt?: string } } };
  if (typeof body.data?.logout?.revokedAt !== 'string') throw new Error(`logout answered HTTP ${response.status}`);
}
