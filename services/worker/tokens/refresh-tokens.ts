import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../../shared/crypto/token-cipher.js';
import { loadCredentials, saveCredentials, type StoredCredentials } from '../../features/accounts/data/credentials.repository.js';
import { ReauthRequiredError } from '../../features/spotify/reauth-required.error.js';
import type { SpotifyOAuthClient } from '../../features/spotify/spotify-oauth.client.js';
import { SpotifyError } from '../../features/spotify/spotify.errors.js';
import { refreshDeadline } from './refresh-deadline.js';

export interface TokenSettings {
  refreshMarginMs: number;
  lifetimeDays: number;
  warningDays: number;
}

export interface FreshToken {
  credentials: StoredCredentials;
  /** True when this call asked Spotify for a new access token. */
  refreshed: boolean;
}

/**
 * Returns credentials whose access token is good for at least the margin, refreshing it when needed
 * (or always, with `force`, after Spotify answered 401 to the current one).
 *
 * The refresh runs inside a transaction that holds the user's credentials row locked, read afresh under
 * the lock: two jobs of one user (a retry from the dead-letter queue next to a scheduled poll) never
 * spend the same refresh token twice — with PKCE, refresh tokens are single-use, and the loser would be
 * told `invalid_grant` and the user wrongly logged out. The new tokens are saved, encrypted, and
 * committed BEFORE they are used; when Spotify sends no new refresh token the old one is kept.
 */
export async function freshAccessToken(
  em: EntityManager,
  deps: { cipher: TokenCipher; oauth: SpotifyOAuthClient; now: () => number },
  userId: string,
  current: StoredCredentials,
  settings: TokenSettings,
  options: { force?: boolean } = {},
): Promise<FreshToken> {
  const goodEnough = (credentials: StoredCredentials) => credentials.accessTokenExpiresAt.getTime() - settings.refreshMarginMs > deps.now();
  if (!options.force && goodEnough(current)) return { credentials: current, refreshed: false };

  // Set once Spotify has answered: from then on these are the user's only working tokens (the old refresh
  // token is rotated away), so they must reach the database even if the transaction does not.
  let issued: StoredCredentials | undefined;
  try {
    return await em.transactional(async (tx) => {
      const latest = await loadCredentials(tx, deps.cipher, userId, { lock: true });
      if (!latest) throw new ReauthRequiredError('The user’s Spotify credentials are gone (deleted meanwhile?): they must log in again.');
      // Another job refreshed while we waited for the lock: use its token instead of spending the refresh token again.
      if (latest.accessToken !== current.accessToken && goodEnough(latest)) return { credentials: latest, refreshed: false };

      let tokens;
      try {
        tokens = await deps.oauth.refresh(latest.refreshToken);
      } catch (error) {
        if (error instanceof SpotifyError && error.kind === 'invalid_grant') throw new ReauthRequiredError(explainInvalidGrant(latest, deps.now(), settings, error), { cause: error });
        throw error;
      }
      const next: StoredCredentials = {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken ?? latest.refreshToken,
        accessTokenExpiresAt: tokens.expiresAt,
        scopes: tokens.scopes.length > 0 ? tokens.scopes : latest.scopes,
        authorizedAt: latest.authorizedAt,
      };
      issued = next;
      // authorizedAt is not passed: refreshing does not extend the refresh token's life.
      await saveCredentials(tx, deps.cipher, userId, next);
      return { credentials: next, refreshed: true };
    });
  } catch (error) {
    if (!issued) throw error;
    // The transaction died after Spotify answered (Postgres restarted, the connection was cut): save the
    // new tokens again on a fresh connection, for a few seconds, rather than lose the user's access.
    await saveWithRetries(em, deps.cipher, userId, issued, error);
    return { credentials: issued, refreshed: true };
  }
}

async function saveWithRetries(em: EntityManager, cipher: TokenCipher, userId: string, tokens: StoredCredentials, cause: unknown): Promise<void> {
  const delaysMs = [0, 250, 500, 1_000, 2_000, 4_000, 8_000];
  for (const delayMs of delaysMs) {
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    try {
      await saveCredentials(em.fork(), cipher, userId, tokens);
      return;
    } catch {
      // Postgres still away: try again
    }
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  throw new Error(`Spotify issued new tokens but they could not be saved (${reason}); the user may have to log in again`, { cause });
}

function explainInvalidGrant(credentials: StoredCredentials, now: number, settings: TokenSettings, error: SpotifyError): string {
  const deadline = refreshDeadline(credentials.authorizedAt, now, settings);
  const why =
    deadline.daysLeft < 0
      ? `the refresh token has expired (authorised ${credentials.authorizedAt.toISOString()}, Spotify refresh tokens last about ${settings.lifetimeDays} days)`
      : 'the refresh token was revoked (the user removed Playlog’s access, or it was rotated away)';
  return `The user must log in again: Spotify refused to refresh their access token, ${why}. (${error.message})`;
}
