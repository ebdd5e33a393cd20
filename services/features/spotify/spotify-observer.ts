/**
 * What a Spotify client tells whoever watches it (the worker's metrics): each request's endpoint (a
 * fixed name such as `GET /tracks/{id}`, never an id), how it ended (the HTTP status, or `timeout` /
 * `network` when Spotify did not answer) and how long it took; and how each refresh of an access token
 * ended. Optional, so that a client without an observer does nothing extra.
 */
export interface SpotifyObserver {
  request(endpoint: string, status: string, seconds: number): void;
  tokenRefresh(outcome: 'refreshed' | 'reauth_required' | 'failed'): void;
}

/** The status label of a request that threw: Spotify's HTTP status when it answered, else why it did not. */
export function statusOfFailure(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { status, kind } = error as { status?: unknown; kind?: unknown };
    if (typeof status === 'number') return String(status);
    if (kind === 'timeout' || kind === 'network') return kind;
  }
  return 'error';
}
