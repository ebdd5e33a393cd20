import type { ApolloServerPlugin } from '@apollo/server';
import type { ApiContext } from '../graphql/context.js';
import type { ApiMetrics } from './api-metrics.js';

/**
 * Times each GraphQL operation by type and name, and counts the errors of its answer by code. An
 * operation that never parsed or validated counts as type "invalid".
 */
export function graphqlMetricsPlugin(metrics: ApiMetrics): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, operationName, response, contextValue }) {
          const succeeded = response.body.kind === 'single' && !response.body.singleResult.errors?.length;
          const trusted = succeeded && contextValue.signedIn();
          metrics.operation(operation?.operation ?? 'invalid', operation ? (operationName ?? null) : null, Number(process.hrtime.bigint() - started) / 1e9, trusted);
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            const code = error.extensions?.code;
            metrics.error(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
          }
        },
      };
    },
  };
}
