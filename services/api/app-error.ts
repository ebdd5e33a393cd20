/**
 * Every error code the API answers with on purpose. Clients can rely on these: they are part of the API.
 * Apollo adds its own for malformed requests (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
 * BAD_REQUEST, PERSISTED_QUERY_NOT_FOUND...) and INTERNAL_SERVER_ERROR for everything unexpected.
 */
export const APP_ERROR_CODES = {
  /** No session, or an expired, revoked or unknown one. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** An argument is out of range or malformed (first, after, from/to...). */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** The login's state is unknown, expired, already used, or was started by another flow. */
  LOGIN_STATE_INVALID: 'LOGIN_STATE_INVALID',
  /** The person refused access on Spotify's page (error=access_denied). */
  SPOTIFY_LOGIN_DENIED: 'SPOTIFY_LOGIN_DENIED',
  /** Spotify refused the code (wrong, expired, already used, other redirect URI) or the login otherwise failed. */
  SPOTIFY_LOGIN_FAILED: 'SPOTIFY_LOGIN_FAILED',
  /** Spotify could not be reached or answered with a server error; trying again later may work. */
  SPOTIFY_UNAVAILABLE: 'SPOTIFY_UNAVAILABLE',
  /** The account is disabled by the operator. */
  ACCOUNT_DISABLED: 'ACCOUNT_DISABLED',
  /** The operation is too deep, too costly or uses too many aliases. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** Too many requests in the current window. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A dependency (Redis, Postgres) is down; trying again later may work. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The request ran past its deadline (API_REQUEST_TIMEOUT_SECONDS) and its work was stopped: ask for less, or retry. */
  TIMEOUT: 'TIMEOUT',
  /** Too much of this listener's work is running or waiting at once; `retryAfterSeconds` says when to try again. */
  BUSY: 'BUSY',
} as const;

export type AppErrorCode = (typeof APP_ERROR_CODES)[keyof typeof APP_ERROR_CODES];

/**
 * The one error type of the API's features: a message for people and a stable code for programs, with
 * no transport in it. GraphQL (graphql/error-mapping.ts) and the HTTP routes (http/error-handler.ts)
 * each turn it into their answer in one place.
 */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Facts a client can act on (which argument, Spotify's error kind...), sent with the code. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const unauthenticated = (tokenGiven = false) =>
  new AppError(
    'UNAUTHENTICATED',
    tokenGiven
      ? 'The session token is unknown, expired or revoked: log in again.'
      : 'Log in first: send a session token as "Authorization: Bearer <token>" or the session cookie.',
  );

export const badUserInput = (message: string, argument?: string) => new AppError('BAD_USER_INPUT', message, argument ? { argument } : {});

export const accountDisabled = () => new AppError('ACCOUNT_DISABLED', 'This Playlog account is disabled; ask the operator.');
