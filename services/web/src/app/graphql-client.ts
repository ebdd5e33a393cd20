import { Client, cacheExchange, fetchExchange } from 'urql';

/**
 * The app's only way to the API: GraphQL at /graphql on the same origin, so the HttpOnly session
 * cookie of /auth/login goes with every request and no token is ever in the page's reach.
 */
export const graphqlClient = new Client({
  url: '/graphql',
  exchanges: [cacheExchange, fetchExchange],
  fetchOptions: { credentials: 'same-origin' },
  requestPolicy: 'cache-and-network',
  preferGetMethod: false,
});
