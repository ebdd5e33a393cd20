import type { ApiHarness, LoggedIn } from '../api/api-harness.js';

export const CREATE_TOKEN = /* GraphQL */ `
  mutation ($name: String!) {
    createApiToken(input: { name: $name }) {
      token
      apiToken { id name createdAt lastUsedAt }
    }
  }
`;

export interface CreatedToken {
  token: string;
  id: string;
}

/** A listener's new API token, made through GraphQL as the web app's Account page makes it. */
export async function createToken(h: ApiHarness, user: LoggedIn, name = 'Navidrome'): Promise<CreatedToken> {
  const { createApiToken } = await h.client(user.token).request<{ createApiToken: { token: string; apiToken: { id: string } } }>(CREATE_TOKEN, { name });
  return { token: createApiToken.token, id: createApiToken.apiToken.id };
}

export interface LbResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A request to the API's ListenBrainz endpoints, as a player makes it. */
export async function lb(h: ApiHarness, path: string, init: { method?: string; token?: string | null; body?: unknown; headers?: Record<string, string> } = {}): Promise<LbResponse> {
  const headers: Record<string, string> = { ...(init.token ? { Authorization: `Token ${init.token}` } : {}), ...init.headers };
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(`${h.api.url}/listenbrainz${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** A listen as players send it. */
export function listen(listenedAt: number, track: { artist: string; title: string; release?: string; info?: Record<string, unknown> }) {
  return {
    listened_at: listenedAt,
    track_metadata: { artist_name: track.artist, track_name: track.title, ...(track.release ? { release_name: track.release } : {}), additional_info: { submission_client: 'test player', ...track.info } },
  };
}

/** A listener's history as the web app reads it: enough of each play to see which source, track and names it has. */
export const HISTORY = /* GraphQL */ `
  query {
    listeningHistory(first: 50) {
      totalCount
      edges { node { playedAt source track { id name artists { name } album { name } } } }
    }
  }
`;
export type History = {
  listeningHistory: {
    totalCount: number;
    edges: Array<{ node: { playedAt: string; source: string; track: { id: string; name: string; artists: Array<{ name: string }>; album: { name: string } | null } } }>;
  };
};
