import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { EntityManager } from '@mikro-orm/postgresql';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import type { TokenCipher } from '../shared/crypto/token-cipher.js';
import type { MikroORM } from '../features/open-orm.js';
import type { Queues } from '../shared/jobs/open-queues.js';
import type { Logger } from '../shared/logging/logger.js';
import type { SpotifyApiClient } from '../features/spotify/spotify-api.client.js';
import type { SpotifyOAuthClient } from '../features/spotify/spotify-oauth.client.js';
import { authRoutes } from './auth/auth.routes.js';
import { LoginStateStore } from './auth/login-state.store.js';
import { RequestAuth } from './auth/request-auth.js';
import { SessionCookie } from './auth/session-cookie.js';
import { sessionTokenFrom } from './auth/session-credentials.js';
import { SpotifyLogin } from './auth/spotify-login.js';
import { cookieIsSecure, graphqlIdeEnabled, introspectionEnabled, trustProxySetting, type ApiConfig } from './config.js';
import { attachBudget, OwnerShares, StatementBudget } from '../shared/db/statements/statement-budget.js';
import { mountDashboard } from './dashboard/mount-dashboard.js';
import { buildApiSchema } from './graphql/build-schema.js';
import { createContext, type ApiContext, type ApiServices } from './graphql/context.js';
import { ParsedDocumentCache } from './graphql/document-cache.js';
import { errorLoggingPlugin, formatApiError } from './graphql/error-mapping.js';
import { operationLimits } from './graphql/operation-limits.js';
import { errorHandler, notFound, sendError } from './http/error-handler.js';
import { graphqlGuard } from './http/graphql-guard.js';
import { graphiqlRoutes } from './http/graphiql.routes.js';
import { healthRoutes } from './http/health.routes.js';
import type { ApiMetrics } from './metrics/api-metrics.js';
import { graphqlMetricsPlugin } from './metrics/graphql-metrics.plugin.js';
import { httpMetrics } from './metrics/http-metrics.js';
import { homePage } from './http/home.page.js';
import { clientIp, rateLimit } from './http/rate-limit.js';
import { requestContext, requestIdOf, requestLogger } from './http/request-context.js';
import { downloadRoutes } from './exports/download.routes.js';
import { uploadRoutes } from './imports/upload.routes.js';
import { webAppRoutes, wantsPage } from './web/web-app.routes.js';
import { NowPlayingStore } from '../features/listenbrainz/now-playing.js';
import { listenBrainzRoutes } from './listenbrainz/listenbrainz.routes.js';
import { listenBrainzRateLimit } from './listenbrainz/listenbrainz-rate-limit.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Everything the API talks to, opened by the caller (startApiServer, or a test). */
export interface ApiDeps {
  config: ApiConfig;
  logger: Logger;
  orm: MikroORM;
  /** A producer connection (fails fast): login state, rate limits, readiness. */
  redis: Redis;
  /** Every queue of the job registry (polls on demand, imports, the dashboard), on that connection. */
  queues: Queues;
  oauth: SpotifyOAuthClient;
  spotifyApi: SpotifyApiClient;
  cipher: TokenCipher;
  metrics: ApiMetrics;
}

export interface ApiApp {
  app: express.Express;
  /** Not listening yet: the caller listens (port 0 in tests). */
  httpServer: Server;
  /** Stops accepting connections, lets in-flight requests finish (up to the grace period), stops Apollo. */
  stop(): Promise<void>;
}

/** Longest GraphQL document in tokens: far above any real query, far below what makes parsing costly. */
const MAX_DOCUMENT_TOKENS = 5_000;
/** Most field selections one operation may expand to once fragments are inlined (Apollo's guard against fragment bombs). */
const MAX_RECURSIVE_SELECTIONS = 10_000;
// Far deeper than any variables this schema takes (its inputs are flat); deeper ones are refused as a bad request.
const MAX_VARIABLE_DEPTH = 32;

/**
 * The API's HTTP application: health, the Spotify login routes, the job dashboard and GraphQL, with
 * request ids, rate limits, a body size limit, CSRF prevention, operation limits and error masking.
 */
export async function createApiApp(deps: ApiDeps): Promise<ApiApp> {
  const { config, logger } = deps;
  const production = config.NODE_ENV === 'production';
  let stopping = false;

  const app = express();
  const httpServer = createServer(app);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  app.set('query parser', 'simple');

  const sessionCookie = new SessionCookie({
    name: config.SESSION_COOKIE_NAME,
    secure: cookieIsSecure(config),
    sameSite: config.SESSION_COOKIE_SAMESITE,
    domain: config.SESSION_COOKIE_DOMAIN,
  });
  const login = new SpotifyLogin({
    orm: deps.orm,
    oauth: deps.oauth,
    spotifyApi: deps.spotifyApi,
    cipher: deps.cipher,
    loginStates: new LoginStateStore(deps.redis, config.QUEUE_PREFIX, config.LOGIN_STATE_TTL_SECONDS),
    pollQueue: deps.queues.poll,
    sessionTtlMs: config.SESSION_TTL_DAYS * 86_400_000,
    logger,
    metrics: deps.metrics,
  });
  const nowPlaying = new NowPlayingStore(deps.redis, {
    prefix: config.QUEUE_PREFIX,
    defaultSeconds: config.LISTENBRAINZ_PLAYING_NOW_SECONDS,
    maxSeconds: config.LISTENBRAINZ_PLAYING_NOW_MAX_SECONDS,
  });
  const services: ApiServices = {
    nowPlaying,
    login,
    queues: deps.queues,
    sessionCookie,
    grant: { lifetimeDays: config.SPOTIFY_REFRESH_TOKEN_LIFETIME_DAYS, warningDays: config.SPOTIFY_REAUTH_WARNING_DAYS },
    exports: { ttlHours: config.EXPORT_TTL_HOURS, maxPending: config.EXPORT_MAX_PENDING, maxKept: config.EXPORT_MAX_KEPT },
  };
  const limit = (scope: string, perWindow: number, keyOf: (req: Request, res: Response) => string | Promise<string>) =>
    rateLimit({ redis: deps.redis, prefix: config.QUEUE_PREFIX, scope, limit: perWindow, windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS, keyOf, logger, onRejected: (scope) => deps.metrics.rateLimitRejected(scope) });

  app.use(requestContext(logger));
  app.use(httpMetrics(deps.metrics, config.DASHBOARD_PATH));
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });

  // Health first: probes are neither rate limited nor authenticated.
  app.use(healthRoutes({ orm: deps.orm, redis: deps.redis, isStopping: () => stopping, logger }));

  // The BullMQ job dashboard, every queue of the job registry, behind its own basic auth (mounted only when ADMIN_PASSWORD is set).
  mountDashboard(app, {
    queues: deps.queues.all(),
    basePath: config.DASHBOARD_PATH,
    username: config.ADMIN_USERNAME,
    password: config.ADMIN_PASSWORD,
    redis: deps.redis,
    prefix: config.QUEUE_PREFIX,
    loginAttempts: { limit: config.DASHBOARD_LOGIN_ATTEMPTS, windowSeconds: config.DASHBOARD_LOGIN_WINDOW_SECONDS },
    clientOf: clientIp,
    publicUrl: config.PUBLIC_URL,
    logger,
  });

  // The listeners' web app: its assets, and its page for any path a browser navigates to that is not the API's own.
  const web = webAppRoutes({
    distDir: resolve(REPOSITORY_ROOT, config.WEB_DIST_DIR),
    reservedPrefixes: ['/graphql', '/graphiql', '/auth', '/imports', '/exports', '/listenbrainz', '/1', '/healthz', '/readyz', '/metrics', config.DASHBOARD_PATH],
  });
  app.use(
    '/auth',
    limit('auth', config.RATE_LIMIT_AUTH, (req) => `ip:${clientIp(req)}`),
    authRoutes({
      login,
      sessionCookie,
      redirectAfterLogin: config.LOGIN_REDIRECT_URL,
      loginStateTtlSeconds: config.LOGIN_STATE_TTL_SECONDS,
      secureCookies: cookieIsSecure(config),
      ...(web.served ? { failurePage: '/sign-in' } : {}),
    }),
  );

  const limits = operationLimits({
    maxDepth: config.GRAPHQL_MAX_DEPTH,
    maxAliases: config.GRAPHQL_MAX_ALIASES,
    maxCost: config.GRAPHQL_MAX_COST,
    maxExpensiveFields: config.GRAPHQL_MAX_EXPENSIVE_FIELDS,
    maxDirectives: config.GRAPHQL_MAX_DIRECTIVES,
    hideSuggestions: !introspectionEnabled(config),
  });
  const apollo = new ApolloServer<ApiContext>({
    schema: buildApiSchema(),
    introspection: introspectionEnabled(config),
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    // runService owns SIGTERM/SIGINT: it stops the whole API (HTTP, Apollo, queues, Redis, database) and exits 0.
    // Apollo's own handling (on whenever NODE_ENV is not test) would stop Apollo alone and re-raise the signal.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: MAX_DOCUMENT_TOKENS },
    // Apollo's default cache of parsed documents counts their JSON, a third to a quarter of the heap they hold.
    documentStore: new ParsedDocumentCache(),
    maxRecursiveSelections: MAX_RECURSIVE_SELECTIONS,
    validationRules: limits.validationRules,
    formatError: formatApiError(production),
    logger: apolloLogger(logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.API_SHUTDOWN_GRACE_SECONDS * 1000 }),
      ...limits.plugins,
      errorLoggingPlugin(),
      graphqlMetricsPlugin(deps.metrics),
      // Apollo's landing page loads from a CDN, which may be out of reach: development serves its own
      // GraphiQL instead (graphiql.routes.ts), production none.
      ApolloServerPluginLandingPageDisabled(),
      // Apollo installs cache-control hints by default, which wraps every field resolver; Playlog sends
      // no cache hints (responses are per user, Cache-Control: no-store), and reports nothing to Apollo.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
    ],
  });
  await apollo.start();

  if (graphqlIdeEnabled(config)) app.use(graphiqlRoutes());

  // One listener's statements at once in this process, and how many may wait (API_USER_DB_*).
  const ownerShares = new OwnerShares({
    running: config.API_USER_DB_CONNECTIONS ?? Math.max(1, Math.floor(config.DATABASE_POOL_MAX / 4)),
    waiting: config.API_USER_DB_QUEUE,
  });

  app.use(
    '/graphql',
    (req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      // One EntityManager fork per request: its identity map lives and dies with the request.
      const em = deps.orm.em.fork() as EntityManager;
      res.locals.em = em;
      // Its database work has a deadline and, once the session names the listener, their share of the connections;
      // it stops when the client goes away.
      const budget = new StatementBudget({ deadlineMs: config.API_REQUEST_TIMEOUT_SECONDS * 1000, shares: ownerShares });
      attachBudget(em, budget);
      res.locals.budget = budget;
      res.once('close', () => (res.writableFinished ? budget.finish() : budget.stop('abandoned')));
      res.locals.auth = new RequestAuth(em, sessionTokenFrom(req.headers, sessionCookie.name));
      next();
    },
    limit('graphql', config.RATE_LIMIT_GRAPHQL, async (req, res) => {
      // A valid session is counted on its own (several people may share one IP); anything else by IP.
      const auth = res.locals.auth as RequestAuth;
      const session = auth.token === undefined ? null : await auth.lookup().catch(() => null);
      return session ? `session:${session.sessionId}` : `ip:${clientIp(req)}`;
    }),
    requireJsonBody,
    express.json({ limit: config.API_BODY_LIMIT }),
    (req, _res, next) => {
      // Apollo needs req.body set; a bodyless POST then gets Apollo's own 400.
      req.body ??= {};
      next();
    },
    graphqlGuard({ maxTokens: MAX_DOCUMENT_TOKENS, maxFields: config.GRAPHQL_MAX_FIELDS, maxSameName: config.GRAPHQL_MAX_SAME_FIELD, maxVariableDepth: MAX_VARIABLE_DEPTH }),
    expressMiddleware(apollo, {
      context: async ({ res }) =>
        createContext(
          { requestId: requestIdOf(res), logger: requestLogger(res), em: res.locals.em as EntityManager, auth: res.locals.auth as RequestAuth, budget: res.locals.budget as StatementBudget, res },
          services,
        ),
    }),
  );

  // Streaming-history uploads (docs/import.md): the body is the file, streamed to disk.
  app.use(
    '/imports',
    limit('imports', config.RATE_LIMIT_AUTH, (req) => `ip:${clientIp(req)}`),
    uploadRoutes({
      orm: deps.orm,
      importQueue: deps.queues.import,
      cookieName: sessionCookie.name,
      importDir: config.IMPORT_DIR,
      maxBytes: config.IMPORT_MAX_BYTES,
      maxPending: config.IMPORT_MAX_PENDING,
      maxUserBytes: config.IMPORT_MAX_USER_BYTES,
    }),
  );

  // Personal exports' files (docs/export.md), to their owners alone.
  app.use(
    '/exports',
    limit('exports', config.RATE_LIMIT_AUTH, (req) => `ip:${clientIp(req)}`),
    downloadRoutes({ orm: deps.orm, cookieName: sessionCookie.name, exportDir: config.EXPORT_DIR }),
  );

  // The ListenBrainz API for every player (docs/listenbrainz.md): API tokens, not sessions; its own rate limit per token.
  const listenBrainz = [
    listenBrainzRateLimit({
      redis: deps.redis,
      prefix: config.QUEUE_PREFIX,
      limit: config.LISTENBRAINZ_RATE_LIMIT,
      windowSeconds: config.LISTENBRAINZ_RATE_LIMIT_WINDOW_SECONDS,
      clientIp,
      logger,
      onRejected: () => deps.metrics.rateLimitRejected('listenbrainz'),
    }),
    listenBrainzRoutes({
      orm: deps.orm,
      nowPlaying,
      shares: ownerShares,
      deadlineMs: config.API_REQUEST_TIMEOUT_SECONDS * 1000,
      onListensSubmitted: (type, received, stored) => deps.metrics.listensSubmitted(type, received, stored),
    }),
  ];
  app.use('/listenbrainz', ...listenBrainz);
  // Also at the origin's /1: players whose library keeps only the host of the URL they are given (Music Assistant).
  app.use('/1', ...listenBrainz);

  if (!web.served) logger.info({ dir: config.WEB_DIST_DIR }, 'no built web app: / answers JSON (npm run web:build builds it)');
  const home = homePage({ orm: deps.orm, cookieName: sessionCookie.name });
  app.get('/', limit('home', config.RATE_LIMIT_AUTH, (req) => `ip:${clientIp(req)}`), (req, res) => (web.served && wantsPage(req) ? web.sendIndex(res) : home(req, res)));
  app.use(web.router);

  app.use(notFound);
  app.use(errorHandler);

  return {
    app,
    httpServer,
    async stop() {
      stopping = true;
      await apollo.stop();
    },
  };
}

/** A POST with a body must be JSON: anything else gets 415 before it is read. */
function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  if (req.method === 'POST' && hasBody && !req.is('application/json')) {
    sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send GraphQL requests as JSON: Content-Type: application/json.');
    return;
  }
  next();
}

/** Apollo's own messages through pino. */
function apolloLogger(logger: Logger) {
  const log = logger.child({ component: 'apollo' });
  return {
    debug: (message: string) => log.debug(message),
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string) => log.error(message),
  };
}
