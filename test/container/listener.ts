import { API_URL, EMULATOR_URL, waitFor } from './stack.js';

/** The emulator's synthetic listeners, as its admin endpoint lists them (docs/spotify-emulator.md). */
export async function syntheticUserIds(): Promise<string[]> {
  const response = await fetch(`${EMULATOR_URL}/admin`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`the emulator's /admin answered HTTP ${response.status}`);
  const { users } = (await response.json()) as { users: string[] };
  return users;
}

/** A GraphQL request with a session token, as a program sends it (docs/api.md: Authorization: Bearer). */
export async function graphql<T>(token: string, query: string): Promise<T> {
  const response = await fetch(`${API_URL}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (!body.data || body.errors?.length) throw new Error(`GraphQL (HTTP ${response.status}): ${body.errors?.map((error) => error.message).join('; ') ?? 'no data'}`);
  return body.data;
}

export interface History {
  totalCount: number;
  edges: Array<{ node: { playedAt: string; track: { name: string } } }>;
}

const HISTORY = '{ listeningHistory(first: 5) { totalCount edges { node { playedAt track { name } } } } }';

/** The listener's history once the worker has stored some plays (its first poll follows the login). */
export function waitForPlays(token: string, timeoutMs = 90_000): Promise<History> {
  return waitFor('plays in listeningHistory', timeoutMs, async () => {
    const { listeningHistory } = await graphql<{ listeningHistory: History }>(token, HISTORY);
    // The page and its total are two statements: the first poll can commit between them, so wait for rows.
    return listeningHistory.edges.length > 0 ? listeningHistory : undefined;
  }, 2_000);
}
