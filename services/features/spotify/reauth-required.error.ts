/**
 * The user has to log in to Playlog again: Spotify refused their refresh token (revoked, rotated away,
 * or past its six-month lifetime), or refused a freshly refreshed access token. Retrying cannot help.
 */
export class ReauthRequiredError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReauthRequiredError';
  }
}
