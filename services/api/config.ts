import { z } from 'zod';
import { ConfigError, defineEnv, environment, loadConfig } from '../shared/config/load-config.js';
import { MEMORY_BUDGETS, MIN_HEAP_MIB } from '../shared/runtime/memory-budgets.js';
import { adminEnv, databaseEnv, envHelpers, exportStorageEnv, importStorageEnv, metricsEnv, redisEnv, runtimeEnv, spotifyEnv, spotifyGrantEnv, tokenCryptoEnv } from '../shared/config/env-schema.js';

const { httpUrl, port, positiveInt, bool, heapMiB } = envHelpers;
const nonNegativeInt = z.coerce.number().int().min(0);

/** Variables only the API reads. Each has a description: the README's configuration table is built from them. */
export const apiEnv = defineEnv({
  API_HOST: z.string().min(1).default('0.0.0.0').describe('Interface the API listens on.'),
  API_PORT: port.default(4000).describe('Port the API listens on (GraphQL at /graphql, health at /healthz and /readyz).'),
  API_METRICS_PORT: port
    .default(9464)
    .describe('Port of the API’s Prometheus /metrics, apart from API_PORT so that it is not public; 0 picks a free one.'),
  PUBLIC_URL: httpUrl
    .optional()
    .describe('Base URL people reach the API at (e.g. https://playlog.example.com). When it is https, session cookies are Secure.'),
  SPOTIFY_ACCOUNTS_BROWSER_URL: httpUrl
    .optional()
    .describe('Base URL of Spotify’s accounts service as listeners’ browsers reach it (the login page); unset: SPOTIFY_ACCOUNTS_URL. Set it only where Playlog reaches the accounts service at another address than browsers do (the compose demo’s emulator).'),
  LOGIN_REDIRECT_URL: z
    .string()
    .refine(isSafeRedirect, 'must be a path on the API such as / (no // or backslash), or an absolute http(s) URL')
    .default('/')
    .describe('Where /auth/callback sends the browser after a successful login (a path on the API or an http(s) URL of your app).'),
  SESSION_TTL_DAYS: positiveInt.max(365).default(30).describe('How long a session token stays valid after login, in days.'),
  SESSION_COOKIE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only')
    .default('playlog_session')
    .describe('Name of the HttpOnly session cookie set by /auth/callback.'),
  SESSION_COOKIE_SECURE: bool
    .optional()
    .describe('Mark the session cookie Secure (HTTPS only). Default: true when NODE_ENV=production or PUBLIC_URL is https.'),
  SESSION_COOKIE_SAMESITE: z
    .enum(['lax', 'strict', 'none'])
    .default('lax')
    .describe('SameSite attribute of the session cookie; lax lets the redirect back from Spotify carry it. none requires a Secure cookie.'),
  SESSION_COOKIE_DOMAIN: z.string().min(1).optional().describe('Domain attribute of the session cookie; unset: the API host only.'),
  LOGIN_STATE_TTL_SECONDS: positiveInt.max(3600).default(600).describe('How long a started Spotify login (state and PKCE verifier, kept in Redis) can be completed.'),
  GRAPHQL_INTROSPECTION: bool.optional().describe('Allow schema introspection. Default: on, except when NODE_ENV=production.'),
  GRAPHQL_IDE: bool.optional().describe('Serve the GraphiQL IDE (bundled, works offline) to browsers at GET /graphql. Default: on, except when NODE_ENV=production; needs introspection.'),
  GRAPHQL_MAX_DEPTH: positiveInt.max(100).default(10).describe('Deepest field nesting a GraphQL operation may have.'),
  GRAPHQL_MAX_COST: positiveInt
    .default(10_000)
    .describe(
      'Highest estimated cost of a GraphQL operation: each field costs 1, listeningHistory multiplies what it selects by `first` (a full page of 200 with every field costs about 6,800), and statistics cost by their range, buckets, page and time zone (docs/security.md; 2,000 daily buckets about 6,300).',
    ),
  GRAPHQL_MAX_EXPENSIVE_FIELDS: positiveInt
    .max(100)
    .default(5)
    .describe('Most statistics fields (summaries, activity, clocks, rankings, years in review) one GraphQL operation may hold; each runs statements that aggregate in the database. The web app sends at most 3.'),
  GRAPHQL_MAX_ALIASES: nonNegativeInt.max(1000).default(30).describe('Most aliased fields one GraphQL operation may use.'),
  GRAPHQL_MAX_FIELDS: positiveInt
    .max(100_000)
    .default(500)
    .describe('Most fields one GraphQL document may hold, fragments counted each time they are spread (the IDE’s introspection query holds about 230); checked before validation.'),
  GRAPHQL_MAX_SAME_FIELD: positiveInt
    .max(1000)
    .default(16)
    .describe('Most fields merged into one response field (one response name at one path, fragments included); checked before validation.'),
  GRAPHQL_MAX_DIRECTIVES: nonNegativeInt.max(1000).default(50).describe('Most directives (@include, @skip…) one GraphQL operation may use.'),
  API_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb or 1mb')
    .default('100kb')
    .describe('Largest request body the API reads; bigger ones get 413.'),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt.max(3600).default(60).describe('Length of the rate-limit window, in seconds.'),
  RATE_LIMIT_GRAPHQL: nonNegativeInt
    .default(600)
    .describe('Requests to /graphql allowed per window per session (or per client IP without one); 0 disables the limit.'),
  RATE_LIMIT_AUTH: nonNegativeInt.default(60).describe('Requests to /auth/* (and /) allowed per window per client IP; 0 disables the limit.'),
  LISTENBRAINZ_RATE_LIMIT: nonNegativeInt
    .default(100)
    .describe('Requests to the ListenBrainz API (/listenbrainz) allowed per LISTENBRAINZ_RATE_LIMIT_WINDOW_SECONDS per token (per client IP without one); 0 disables the limit.'),
  LISTENBRAINZ_RATE_LIMIT_WINDOW_SECONDS: positiveInt.max(3600).default(10).describe('Length of the ListenBrainz API’s rate-limit window, in seconds (players see it in X-RateLimit-Reset-In).'),
  LISTENBRAINZ_PLAYING_NOW_SECONDS: positiveInt
    .max(86_400)
    .default(600)
    .describe('How long a track a player says is playing now, without a duration, is shown as playing, in seconds.'),
  LISTENBRAINZ_PLAYING_NOW_MAX_SECONDS: positiveInt
    .max(86_400)
    .default(3_600)
    .describe('The longest a track with a duration is shown as playing now, in seconds.'),
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d+|[0-9a-fA-F.:/,\s]+|loopback|linklocal|uniquelocal)$/, 'true, false, a hop count or a list of proxy addresses/subnets')
    .default('false')
    .describe(
      'Express "trust proxy": which proxies may set X-Forwarded-For (the client IP that rate limits use). false: none; 1: one hop (an ingress); or addresses/subnets.',
    ),
  WEB_DIST_DIR: z
    .string()
    .min(1)
    .default('services/web/dist')
    .describe('Directory of the built web app (`npm run web:build`; the image has it), relative to the repository root unless absolute. Without an index.html there, `/` answers JSON and no app is served.'),
  API_SHUTDOWN_GRACE_SECONDS: positiveInt.max(300).default(10).describe('On SIGTERM, how long in-flight requests may finish before connections are closed.'),
  API_MAX_OLD_SPACE_MB: heapMiB(MEMORY_BUDGETS.api).describe(
    `V8 old-space limit of the API process in MiB, which \`playlog api\` gives node as --max-old-space-size (at least ${MIN_HEAP_MIB}; 0: Node sizes it). Keep it about three quarters of the container’s memory limit (the chart’s and compose’s ${MEMORY_BUDGETS.api.limitMiB} MiB).`,
  ),
});

/** Bounded work per GraphQL request and per listener (docs/security.md, "Limits"). */
export const requestBudgetEnv = defineEnv({
  API_REQUEST_TIMEOUT_SECONDS: positiveInt
    .max(600)
    .default(10)
    .describe('Deadline of one GraphQL request: its database statements are cancelled in Postgres when it passes (or when the client goes away), and the answer is a TIMEOUT error.'),
  API_USER_DB_CONNECTIONS: positiveInt
    .optional()
    .describe('Most database statements one listener’s requests run at once in one API process (the rest wait their turn); unset: a quarter of DATABASE_POOL_MAX, at least 1.'),
  API_USER_DB_QUEUE: positiveInt
    .max(10_000)
    .default(64)
    .describe('Most statements of one listener that may wait for their turn in one API process; beyond it, requests get a BUSY error with a retry hint.'),
});

/** The API's import settings (docs/import.md). */
export const importApiEnv = defineEnv({
  ...importStorageEnv,
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    // GraphQL's Int (32-bit) reports an upload's size.
    .max(2 ** 31 - 1)
    .default(1024 * 1024 * 1024)
    .describe('Largest streaming-history upload (zip or JSON) POST /imports accepts, in bytes; bigger ones get 413.'),
  IMPORT_MAX_PENDING: z.coerce
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Most imports one user may have uploading, queued or running at once (counted before the body is read); more uploads get 429.'),
  IMPORT_MAX_USER_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(2 * 1024 * 1024 * 1024)
    .describe('Most bytes one user’s uploads may take on disk at once: pending imports’ files and failed ones’ (kept to be retried until cancelled); at least IMPORT_MAX_BYTES. More uploads get 413.'),
});

/** The API's export settings (docs/export.md). */
export const exportApiEnv = defineEnv({
  ...exportStorageEnv,
  EXPORT_MAX_PENDING: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('Most personal exports one user may have queued or being written at once; requestExport refuses more with a TOO_MANY_PENDING_EXPORTS error.'),
  EXPORT_MAX_KEPT: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(5)
    .describe('Most personal exports one user keeps at once, whatever their status, until they expire; at least EXPORT_MAX_PENDING. Asking for one more deletes their oldest completed or failed one (file and row).'),
});

export const apiConfigShape = { ...runtimeEnv, ...databaseEnv, ...redisEnv, ...tokenCryptoEnv, ...spotifyEnv, ...spotifyGrantEnv, ...adminEnv, ...apiEnv, ...requestBudgetEnv, ...metricsEnv, ...importApiEnv, ...exportApiEnv };

export type ApiConfig = Readonly<z.infer<z.ZodObject<typeof apiConfigShape>>>;

/** Loads and checks the API's configuration, including rules that span several variables. */
export function loadApiConfig(env: NodeJS.ProcessEnv = environment()): ApiConfig {
  const config = loadConfig(apiConfigShape, env);
  if (config.IMPORT_MAX_USER_BYTES < config.IMPORT_MAX_BYTES) {
    throw new ConfigError([`IMPORT_MAX_USER_BYTES is invalid: ${config.IMPORT_MAX_USER_BYTES} is below IMPORT_MAX_BYTES (${config.IMPORT_MAX_BYTES}), so the largest upload allowed could never be accepted`]);
  }
  if (config.EXPORT_MAX_KEPT < config.EXPORT_MAX_PENDING) {
    throw new ConfigError([`EXPORT_MAX_KEPT is invalid: ${config.EXPORT_MAX_KEPT} is below EXPORT_MAX_PENDING (${config.EXPORT_MAX_PENDING}), so a user could not have as many exports pending as allowed`]);
  }
  if (config.SESSION_COOKIE_SAMESITE === 'none' && !cookieIsSecure(config)) {
    throw new ConfigError(['SESSION_COOKIE_SAMESITE is invalid: none needs a Secure cookie (SESSION_COOKIE_SECURE=true or an https PUBLIC_URL)']);
  }
  return config;
}

/**
 * A path that stays on the API's own origin, or an absolute http(s) URL. Browsers read `/\evil.com`
 * (and a path with a tab or newline in it, which they drop) like `//evil.com`, another host: a path is
 * accepted only when resolving it against an origin keeps that origin, and it holds no backslash or
 * control character at all.
 */
function isSafeRedirect(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return false;
  if (!value.startsWith('/')) return httpUrl.safeParse(value).success;
  const base = 'http://playlog.invalid';
  try {
    return new URL(value, base).origin === base;
  } catch {
    return false;
  }
}

export function cookieIsSecure(config: Pick<ApiConfig, 'SESSION_COOKIE_SECURE' | 'NODE_ENV' | 'PUBLIC_URL'>): boolean {
  if (config.SESSION_COOKIE_SECURE !== undefined) return config.SESSION_COOKIE_SECURE;
  return config.NODE_ENV === 'production' || (config.PUBLIC_URL?.startsWith('https:') ?? false);
}

/** The bundled IDE is a development tool: off in production unless asked for, and useless without introspection. */
export function graphqlIdeEnabled(config: Pick<ApiConfig, 'GRAPHQL_IDE' | 'GRAPHQL_INTROSPECTION' | 'NODE_ENV'>): boolean {
  return (config.GRAPHQL_IDE ?? config.NODE_ENV !== 'production') && introspectionEnabled(config);
}

export function introspectionEnabled(config: Pick<ApiConfig, 'GRAPHQL_INTROSPECTION' | 'NODE_ENV'>): boolean {
  return config.GRAPHQL_INTROSPECTION ?? config.NODE_ENV !== 'production';
}

/** Express's "trust proxy" value from TRUST_PROXY. */
export function trustProxySetting(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
