import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { APP_ERROR_CODES, AppError } from '../app-error.js';
import type { ApiContext } from './context.js';
import { ShareBusyError, StatementStoppedError } from '../../shared/db/statements/statement-budget.js';
import { capEchoedValues } from './echo-cap.js';
import { QueryTooComplexError } from './query-too-complex.error.js';

/**
 * The one place errors become GraphQL errors. A feature's AppError becomes an error with its code in
 * `extensions.code` (and its details beside it); errors graphql-js and Apollo raise for a malformed
 * request keep their codes; anything else is INTERNAL_SERVER_ERROR, its message hidden in production
 * (it may name tables, hosts or values). Every error carries the request id.
 */

/** Codes whose message is meant for the client; any other error is masked in production. */
export const CLIENT_SAFE_CODES: ReadonlySet<string> = new Set([
  ...Object.values(APP_ERROR_CODES),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Apollo's formatError (never a stack trace), with any client value a message repeats cut short
 * (echo-cap.ts). The request id is added by errorLoggingPlugin.
 */
export function formatApiError(maskInternalErrors: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = formatWhole(maskInternalErrors, formatted, error);
    return { ...result, message: capEchoedValues(result.message) };
  };
}

function formatWhole(maskInternalErrors: boolean, formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const where = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  const cause = unwrapResolverError(error);
  if (cause instanceof AppError) return { message: cause.message, ...where, extensions: { code: cause.code, ...cause.details } };
  const budget = budgetError(cause);
  if (budget) return { message: budget.message, ...where, extensions: { code: budget.code, ...budget.details } };
  // An operation over a limit, refused while validating (Apollo gives every validation error its own code).
  const limit = error instanceof GraphQLError && error.originalError instanceof QueryTooComplexError ? error.originalError : null;
  if (limit) {
    const { http: _http, ...details } = limit.extensions;
    return { message: limit.message, ...where, extensions: details };
  }
  const code = formatted.extensions?.code;
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
  if (typeof code === 'string' && CLIENT_SAFE_CODES.has(code)) return { ...formatted, extensions };
  return { message: maskInternalErrors ? 'Internal server error' : formatted.message, ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** A statement stopped by its request's budget (statement-budget.ts), as the client is told. */
function budgetError(cause: unknown): AppError | null {
  if (cause instanceof StatementStoppedError) {
    const seconds = Math.round(cause.deadlineMs / 1000);
    return new AppError('TIMEOUT', `This request ran past its ${seconds}-second deadline and was stopped: ask for less (a shorter range, fewer fields), or try again.`, { deadlineSeconds: seconds });
  }
  if (cause instanceof ShareBusyError) {
    return new AppError('BUSY', `Too many of your requests are running at once: try again in ${cause.retryAfterSeconds} s.`, { retryAfterSeconds: cause.retryAfterSeconds });
  }
  return null;
}

/**
 * Logs every error the client did not cause (a resolver's bug, a database outage...) with the request
 * id, the operation and the field path; client mistakes are logged at debug level only. Adds the request
 * id to every error of the answer, so a person can quote it and an operator can find the log lines.
 */
export function errorLoggingPlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const cause = unwrapResolverError(error);
            const code = cause instanceof AppError ? cause.code : (budgetError(cause)?.code ?? error.extensions?.code);
            if (typeof code === 'string' && CLIENT_SAFE_CODES.has(code)) {
              contextValue.logger.debug({ code, operationName, path: error.path }, `GraphQL request refused: ${capEchoedValues(error.message)}`);
            } else {
              contextValue.logger.error({ err: error.originalError ?? error, operationName, path: error.path }, 'unexpected error in a GraphQL operation');
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind === 'single' && response.body.singleResult.errors) {
            response.body.singleResult.errors = response.body.singleResult.errors.map((error) => ({
              ...error,
              extensions: { ...error.extensions, requestId: contextValue.requestId },
            }));
          }
        },
      };
    },
  };
}
