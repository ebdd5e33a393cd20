import { GraphQLError } from 'graphql';

/** An operation over a limit: answered HTTP 400 with code QUERY_TOO_COMPLEX (graphql/error-mapping.ts). */
export class QueryTooComplexError extends GraphQLError {
  constructor(message: string, limits: Record<string, number> = {}) {
    super(message, { extensions: { code: 'QUERY_TOO_COMPLEX', ...limits, http: { status: 400 } } });
    this.name = 'QueryTooComplexError';
  }
}
