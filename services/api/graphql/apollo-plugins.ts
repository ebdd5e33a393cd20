import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { ApiContext } from './context.js';
import { CLIENT_SAFE_CODES } from './errors.js';

/**
 * Logs every error the client did not cause (a resolver's bug, a database outage...) with the request
 * id, the operation and the field path; client mistakes are logged at debug level only.
 */
export function errorLoggingPlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            if (typeof code === 'string' && CLIENT_SAFE_CODES.has(code)) {
              contextValue.logger.debug({ code, operationName, path: error.path }, `GraphQL request refused: ${error.message}`);
            } else {
              contextValue.logger.error({ err: error.originalError ?? error, operationName, path: error.path }, 'unexpected error in a GraphQL operation');
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          // Every error names its request, so a person can quote it and an operator can find the log lines.
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

/**
 * Apollo's formatError: errors with a client-facing code pass unchanged (never with a stack trace);
 * anything else becomes INTERNAL_SERVER_ERROR, with its message hidden in production (it may name
 * tables, hosts or values). The request id is added by errorLoggingPlugin.
 */
export function formatApiError(maskInternalErrors: boolean) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    if (typeof code === 'string' && CLIENT_SAFE_CODES.has(code)) return { ...formatted, extensions };
    return {
      message: maskInternalErrors ? 'Internal server error' : formatted.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
