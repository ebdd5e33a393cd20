import type { Queue } from 'bullmq';
import type { TokenCipher } from '../../shared/crypto/token-cipher.js';
import type { MikroORM } from '../../features/open-orm.js';
import { saveCredentials } from '../../features/accounts/data/credentials.repository.js';
import { createSession } from '../../features/accounts/data/sessions.repository.js';
import { findUserBySpotifyIdForUpdate, upsertSpotifyUser } from '../../features/accounts/data/users.repository.js';
import { ensurePollState } from '../../features/polling/data/poll-state.repository.js';
import type { PollJobData } from '../../shared/jobs/job-registry.js';
import { requestPoll } from '../../features/polling/poll-jobs.js';
import type { Logger } from '../../shared/logging/logger.js';
import { newOAuthState, newPkcePair } from '../../features/spotify/pkce.js';
import type { SpotifyApiClient } from '../../features/spotify/spotify-api.client.js';
import type { SpotifyOAuthClient } from '../../features/spotify/spotify-oauth.client.js';
import { PLAYLOG_SPOTIFY_SCOPES } from '../../features/spotify/spotify-scopes.js';
import { SpotifyError } from '../../features/spotify/spotify.errors.js';
import { AppError, accountDisabled, badUserInput } from '../app-error.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';
import type { LoginFlow, LoginStateStore } from './login-state.store.js';
import { hashSessionToken, newSessionToken } from './session-token.js';

export interface SpotifyLoginDeps {
  orm: MikroORM;
  oauth: SpotifyOAuthClient;
  spotifyApi: SpotifyApiClient;
  cipher: TokenCipher;
  loginStates: LoginStateStore;
  pollQueue: Queue<PollJobData>;
  sessionTtlMs: number;
  logger: Logger;
  /** Counts logins by outcome (absent: nothing is counted). */
  metrics?: ApiMetrics;
}

export interface LoginStart {
  authorizationUrl: string;
  state: string;
}

/** What Spotify's redirect brought back: a code, or an error (the person refused, or Spotify failed). */
export interface LoginCallback {
  state: string;
  code?: string | null;
  error?: string | null;
  /** The request completing the login: its id travels into the first poll's job. */
  requestId?: string;
}

export interface NewSession {
  /** Shown to the client once; only its hash is stored. */
  token: string;
  expiresAt: Date;
  userId: string;
}

const MAX_STATE_LENGTH = 256;
const MAX_CODE_LENGTH = 2048;
const MAX_ERROR_LENGTH = 256;
const HISTORY_SCOPE = 'user-read-recently-played';

/**
 * Logging in with Spotify (authorization code + PKCE), shared by the GraphQL mutations and the browser
 * routes: start (state + verifier kept server-side), then complete (check state, exchange the code,
 * read the profile, store the user and encrypted tokens, open a session, ask for a first poll).
 * Every refusal happens before anything is written, and is an AppError with a stable code.
 */
export class SpotifyLogin {
  constructor(private readonly deps: SpotifyLoginDeps) {}

  async start(flow: LoginFlow): Promise<LoginStart> {
    const state = newOAuthState();
    const { codeVerifier, codeChallenge } = await newPkcePair();
    await this.deps.loginStates.save(flow, state, { codeVerifier, createdAt: new Date().toISOString() });
    return { state, authorizationUrl: this.deps.oauth.buildLoginUrl({ state, codeChallenge, scopes: PLAYLOG_SPOTIFY_SCOPES }) };
  }

  /** Completes a login, counting how it ended (the API's metrics). */
  async complete(flow: LoginFlow, callback: LoginCallback): Promise<NewSession> {
    try {
      const session = await this.completeLogin(flow, callback);
      this.deps.metrics?.login('success');
      return session;
    } catch (error) {
      if (error instanceof AppError) this.refused(error);
      else this.deps.metrics?.login('error');
      throw error;
    }
  }

  /** Counts a login refused before it could be completed (a browser callback from another browser). */
  refused(error: AppError): AppError {
    this.deps.metrics?.login(error.code);
    return error;
  }

  private async completeLogin(flow: LoginFlow, callback: LoginCallback): Promise<NewSession> {
    const { state, code, error } = checkCallback(callback);
    const started = await this.deps.loginStates.take(flow, state);
    if (!started) {
      throw new AppError(
        'LOGIN_STATE_INVALID',
        'This login is unknown, expired or already completed: start a new one.' +
          (flow === 'browser' ? ' (Logins started with the startSpotifyLogin mutation are completed with completeSpotifyLogin.)' : ''),
      );
    }
    if (error !== undefined) {
      if (error === 'access_denied') throw new AppError('SPOTIFY_LOGIN_DENIED', 'Access to Spotify was refused on Spotify’s page; nothing was stored.');
      throw new AppError('SPOTIFY_LOGIN_FAILED', `Spotify did not complete the login (${error}); nothing was stored.`, { spotifyError: error });
    }

    const tokens = await this.spotify(() => this.deps.oauth.exchangeCode({ code: code!, codeVerifier: started.codeVerifier }));
    if (tokens.scopes.length > 0 && !tokens.scopes.includes(HISTORY_SCOPE)) {
      throw new AppError('SPOTIFY_LOGIN_FAILED', `Spotify did not grant the ${HISTORY_SCOPE} scope Playlog needs; nothing was stored.`);
    }
    const profile = await this.spotify(() => this.deps.spotifyApi.getMe(tokens.accessToken));

    const token = newSessionToken();
    const expiresAt = new Date(Date.now() + this.deps.sessionTtlMs);
    const authorizedAt = new Date();
    const { userId, created } = await this.deps.orm.em.fork().transactional(async (em) => {
      const existing = await findUserBySpotifyIdForUpdate(em, profile.id);
      if (existing?.status === 'disabled') throw accountDisabled();
      const user = await upsertSpotifyUser(em, { spotifyUserId: profile.id, displayName: profile.display_name ?? null });
      await saveCredentials(
        em,
        this.deps.cipher,
        user.id,
        { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, accessTokenExpiresAt: tokens.expiresAt, scopes: tokens.scopes },
        authorizedAt,
      );
      await ensurePollState(em, user.id);
      await createSession(em, { userId: user.id, tokenHash: hashSessionToken(token), expiresAt });
      return { userId: user.id, created: !existing };
    });

    const log = this.deps.logger.child({ userId });
    log.info({ flow, newUser: created }, 'user logged in with Spotify');
    try {
      await requestPoll(this.deps.pollQueue, userId, 'login', callback.requestId);
    } catch (enqueueError) {
      // The login stands: the scheduler's next run polls the user anyway.
      log.warn({ err: enqueueError }, 'could not enqueue the first poll after login');
    }
    return { token, expiresAt, userId };
  }

  /** Runs a call to Spotify; its failure becomes an AppError saying whether to retry or start over. */
  private async spotify<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof SpotifyError)) throw error;
      this.deps.logger.warn({ kind: error.kind, status: error.status, endpoint: error.endpoint, message: error.message }, 'Spotify login step failed');
      switch (error.kind) {
        case 'access_denied':
          throw new AppError('SPOTIFY_LOGIN_DENIED', 'Access to Spotify was refused; nothing was stored.');
        case 'invalid_client':
          this.deps.logger.error('Spotify refused Playlog’s client credentials: check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET');
          throw new AppError('SPOTIFY_LOGIN_FAILED', 'Spotify refused this Playlog’s app credentials; the operator must check its configuration.');
        case 'rate_limited':
        case 'quota_exceeded':
        case 'server_error':
        case 'timeout':
        case 'network':
        case 'malformed_response':
          throw new AppError('SPOTIFY_UNAVAILABLE', 'Spotify could not complete the login right now; start a new login in a moment.', { spotifyError: error.kind });
        default:
          throw new AppError('SPOTIFY_LOGIN_FAILED', 'Spotify refused the login (the code is wrong, expired or already used); start a new login.', { spotifyError: error.kind });
      }
    }
  }
}

/** Rejects malformed callback input before anything is looked up. */
function checkCallback(callback: LoginCallback): { state: string; code?: string; error?: string } {
  const { state } = callback;
  const code = callback.code ?? undefined;
  const error = callback.error ?? undefined;
  if (typeof state !== 'string' || state.length === 0 || state.length > MAX_STATE_LENGTH || !/^[\x21-\x7e]+$/.test(state)) {
    throw badUserInput(`state must be the value startSpotifyLogin returned (1 to ${MAX_STATE_LENGTH} printable characters)`, 'state');
  }
  if ((code === undefined) === (error === undefined)) throw badUserInput('give either code or error, as Spotify’s redirect carried them', 'code');
  if (code !== undefined && (code.length === 0 || code.length > MAX_CODE_LENGTH || !/^[\x21-\x7e]+$/.test(code))) {
    throw badUserInput(`code must be the value Spotify's redirect carried (1 to ${MAX_CODE_LENGTH} printable characters)`, 'code');
  }
  if (error !== undefined && (error.length === 0 || error.length > MAX_ERROR_LENGTH || !/^[\x20-\x7e]+$/.test(error))) {
    throw badUserInput(`error must be the value Spotify's redirect carried (1 to ${MAX_ERROR_LENGTH} printable characters)`, 'error');
  }
  return { state, ...(code !== undefined && { code }), ...(error !== undefined && { error }) };
}
