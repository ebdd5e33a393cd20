import { GraphQLError } from 'graphql';

/**
 * Every error code the API answers with on purpose. Clients can rely on these: they are part of the API.
 * Apollo adds its own for malformed requests (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
 * BAD_REQUEST, PERSISTED_QUERY_NOT_FOUND...) and INTERNAL_SERVER_ERROR for everything unexpected.
 */
export const API_ERROR_CODES = {
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
  /** Spotify access expired or was revoked: log in again. */
  REAUTH_REQUIRED: 'REAUTH_REQUIRED',
  /** The operation is too deep, too costly or uses too many aliases. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** Too many requests in the current window. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A dependency (Redis, Postgres) is down; trying again later may work. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[keyof typeof API_ERROR_CODES];

/** Codes whose message is meant for the client; any other error is masked in production. */
export const CLIENT_SAFE_CODES: ReadonlySet<string> = new Set([
  ...Object.values(API_ERROR_CODES),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** The one error type of the API: a message for people and a stable `extensions.code` for programs. */
export class ApiError extends GraphQLError {
  readonly code: ApiErrorCode;

  constructor(code: ApiErrorCode, message: string, options: { httpStatus?: number; extensions?: Record<string, unknown> } = {}) {
    super(message, {
      extensions: {
        code,
        ...options.extensions,
        // Apollo turns `http` into the response status and strips it from the body.
        ...(options.httpStatus ? { http: { status: options.httpStatus } } : {}),
      },
    });
    this.name = 'ApiError';
    this.code = code;
  }
}

export const unauthenticated = (tokenGiven = false) =>
  new ApiError(
    'UNAUTHENTICATED',
    tokenGiven
      ? 'The session token is unknown, expired or revoked: log in again.'
      : 'Log in first: send a session token as "Authorization: Bearer <token>" or the session cookie.',
  );
export const badUserInput = (message: string, argument?: string) =>
  new ApiError('BAD_USER_INPUT', message, argument ? { extensions: { argument } } : {});
