import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';

/**
 * A GraphQL IDE served by the API itself, for development: GraphiQL and React come from node_modules,
 * so the page works with no internet (Apollo's default landing page loads from a CDN).
 * GET /graphql from a browser gets the page; GraphQL requests pass through to Apollo.
 */
const require = createRequire(import.meta.url);
// The UMD builds are not in the packages' export maps: find them next to each package.json.
const packageFile = (name: string, file: string) => join(dirname(require.resolve(`${name}/package.json`)), file);
const ASSETS: Record<string, { file: string; type: string }> = {
  'react.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  'graphiql.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
};

const DEFAULT_QUERY = `# Playlog's GraphQL API. Log in first (open /auth/login), then run:
{
  me { displayName status historyStartsAt lastSuccessfulPoll }
  listeningHistory(first: 10) {
    totalCount
    edges { node { id playedAt track { name artists { name } album { name } } } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Playlog GraphQL</title>
  <link rel="stylesheet" href="/graphiql/graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/react.js"></script>
  <script src="/graphiql/react-dom.js"></script>
  <script src="/graphiql/graphiql.js"></script>
  <script>
    // Same-origin requests carry the session cookie set by /auth/callback.
    const fetcher = GraphiQL.createFetcher({ url: '/graphql', fetch: (url, init) => fetch(url, { ...init, credentials: 'same-origin' }) });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery: ${JSON.stringify(DEFAULT_QUERY)} }),
    );
  </script>
</body>
</html>`;

export function graphiqlRoutes(): Router {
  const router = express.Router();
  router.get('/graphiql/:asset', (req, res, next) => {
    const asset = ASSETS[req.params.asset];
    if (!asset) return next();
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type(asset.type).sendFile(asset.file);
  });
  router.get('/graphql', (req, res, next) => {
    // Only a browser navigating here gets the page; GraphQL GET requests (?query=) go on to Apollo.
    if (req.query.query !== undefined || !req.accepts(['application/json', 'text/html']) || req.accepts(['application/json', 'text/html']) !== 'text/html') return next();
    res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
    res.type('html').send(PAGE);
  });
  return router;
}
