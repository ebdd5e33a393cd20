import type { EntityManager } from '@mikro-orm/postgresql';
import { findActiveSession, type ActiveSession } from '../../features/accounts/data/sessions.repository.js';
import { hashSessionToken, looksLikeSessionToken } from './session-token.js';

/**
 * The session a request carries, looked up at most once per request and only when first asked for:
 * by the rate limiter (which counts a valid session apart from its IP) or by a resolver that needs a user.
 */
export class RequestAuth {
  private found: Promise<ActiveSession | null> | undefined;

  constructor(
    private readonly em: EntityManager,
    /** The raw credential the request carried (Bearer token or cookie), if any. */
    readonly token: string | undefined,
  ) {}

  /** The active session, or null when the request carries none or an unknown, expired or revoked one. */
  lookup(): Promise<ActiveSession | null> {
    // A value that cannot be a token costs no database look-up.
    this.found ??=
      this.token !== undefined && looksLikeSessionToken(this.token) ? findActiveSession(this.em, hashSessionToken(this.token)) : Promise.resolve(null);
    return this.found;
  }
}
