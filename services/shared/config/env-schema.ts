import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { isPublishedKey } from '../crypto/published-keys.js';
import { parseEncryptionKeys, type EncryptionKey } from '../crypto/token-cipher.js';
import { MIN_HEAP_MIB, type MemoryBudget } from '../runtime/memory-budgets.js';
import { defineEnv, sensitive } from './load-config.js';

/**
 * The environment variables several services read, in sections that each service's `config.ts`
 * composes with its own. Each has a description (the README's configuration table is generated from
 * these) and, where it holds a secret, the `sensitive` mark (docs never print its value, logs redact it).
 */

const url = (protocols: string[], what: string) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a ${what} URL (${protocols.map((p) => `${p}//`).join(' or ')}...)`);

const httpUrl = url(['http:', 'https:'], 'http(s)');
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
/**
 * A heap variable of a memory budget (runtime/memory-budgets.ts), which the launcher gives node as
 * --max-old-space-size: declared here too so that it is validated and documented with the rest.
 */
const heapMiB = (budget: MemoryBudget) =>
  z.coerce
    .number()
    .int()
    .refine((mib) => mib === 0 || mib >= MIN_HEAP_MIB, `must be 0 (Node sizes the heap) or at least ${MIN_HEAP_MIB}`)
    .default(budget.heapMiB);

export const runtimeEnv = defineEnv({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development').describe('Runtime mode: development, test or production.'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level.'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto').describe('auto: pretty in a terminal, JSON otherwise.'),
});

export const databaseEnv = defineEnv({
  DATABASE_URL: sensitive(
    url(['postgres:', 'postgresql:'], 'postgres')
      .refine((value) => new URL(value).pathname.length > 1, 'must name a database: postgres://user:password@host:5432/<database>')
      .default('postgres://playlog:playlog@127.0.0.1:5432/playlog'),
    'Postgres connection URL (with its password, when it needs one).',
  ),
  DATABASE_POOL_MAX: positiveInt.default(10).describe('Maximum Postgres connections per process.'),
});

export const redisEnv = defineEnv({
  REDIS_URL: sensitive(
    url(['redis:', 'rediss:'], 'redis').default('redis://127.0.0.1:6379'),
    'Redis connection URL (BullMQ queues, login state), with its password when it needs one: redis://:<password>@host:6379.',
  ),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
    .default('playlog')
    .describe('Prefix of every BullMQ key in Redis; lets several Playlogs share one Redis.'),
});

export const tokenCryptoEnv = defineEnv({
  TOKEN_ENCRYPTION_KEYS: sensitive(
    z.string().transform((value, ctx) => {
      try {
        return parseEncryptionKeys(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
    'Comma-separated keyId:base64key pairs (32-byte keys, AES-256-GCM); the first encrypts, all decrypt. Generate one with `playlog generate-key` (or `openssl rand -base64 32`). Production refuses the keys published in Playlog’s repository (the development key of .env.example).',
    {
      inProduction: (keys: EncryptionKey[]) => {
        const published = keys.filter((key) => isPublishedKey(key.key)).map((key) => `"${key.id}"`);
        return published.length === 0
          ? null
          : `key ${published.join(', ')} is published in Playlog's repository (the development or an example key), so anyone can decrypt what it encrypts: generate your own (playlog generate-key) for NODE_ENV=production`;
      },
    },
  ),
});

export const spotifyEnv = defineEnv({
  SPOTIFY_ACCOUNTS_URL: httpUrl.default('https://accounts.spotify.com').describe('Spotify accounts service base URL (authorize, token).'),
  SPOTIFY_API_URL: httpUrl.default('https://api.spotify.com/v1').describe('Spotify Web API base URL.'),
  SPOTIFY_CLIENT_ID: z.string().min(1).describe('Client id of your Spotify app.'),
  SPOTIFY_CLIENT_SECRET: sensitive(z.string().min(1), 'Client secret of your Spotify app.'),
  SPOTIFY_REDIRECT_URI: httpUrl.default('http://127.0.0.1:4000/auth/callback').describe('Redirect URI registered with your Spotify app (the API’s /auth/callback).'),
  SPOTIFY_HTTP_TIMEOUT_MS: positiveInt.default(10_000).describe('Timeout of one call to Spotify, in milliseconds.'),
});

/** How long a listener's Spotify authorisation lasts: the worker warns in its logs, the API tells the listener. */
export const spotifyGrantEnv = defineEnv({
  SPOTIFY_REFRESH_TOKEN_LIFETIME_DAYS: positiveInt
    .default(182)
    .describe('Spotify refresh tokens stop working this many days after the user authorised Playlog (about six months); refreshing does not extend it.'),
  SPOTIFY_REAUTH_WARNING_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .default(14)
    .describe('Within this many days of that deadline, each poll of the user logs a warning and the web app shows a banner asking them to log in again.'),
});

/** The BullMQ dashboard on the API (`services/api/dashboard`); without a password it is not mounted at all. */
export const adminEnv = defineEnv({
  ADMIN_USERNAME: z.string().min(1).default('admin').describe('User name of the job dashboard’s HTTP basic auth.'),
  ADMIN_PASSWORD: sensitive(
    z.string().min(12, 'use at least 12 characters (the dashboard can retry and delete jobs)').optional(),
    'Password of the job dashboard’s HTTP basic auth; unset: the dashboard is not mounted.',
  ),
  DASHBOARD_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/, 'an absolute path such as /admin/queues, no trailing slash')
    .default('/admin/queues')
    .describe('Path of the BullMQ job dashboard on the API server.'),
  DASHBOARD_LOGIN_ATTEMPTS: positiveInt
    .max(10_000)
    .default(10)
    .describe('Failed dashboard logins one client IP may make per DASHBOARD_LOGIN_WINDOW_SECONDS; past it every login from that IP, right or wrong, gets 429 until the window has passed.'),
  DASHBOARD_LOGIN_WINDOW_SECONDS: positiveInt.max(86_400).default(900).describe('Window of DASHBOARD_LOGIN_ATTEMPTS, in seconds.'),
});

/** Where uploaded streaming histories wait for the worker: shared by the API (writes) and the worker (reads, deletes). */
export const importStorageEnv = defineEnv({
  IMPORT_DIR: z
    .string()
    .min(1)
    .default(join(tmpdir(), 'playlog-imports'))
    .describe(
      'Directory where uploaded streaming histories wait until imported (deleted once done); the API and the worker must both see it (one shared volume). It must belong to the user Playlog runs as: made 0700 at start-up, refused if another user owns it.',
    ),
});

/** Personal exports (docs/export.md): the worker writes them, the API serves their downloads, both see EXPORT_DIR. */
export const exportStorageEnv = defineEnv({
  EXPORT_DIR: z
    .string()
    .min(1)
    .default(join(tmpdir(), 'playlog-exports'))
    .describe(
      'Directory where finished personal exports wait to be downloaded (deleted once expired); the API and the worker must both see it (one shared volume). It must belong to the user Playlog runs as: made 0700 at start-up, refused if another user owns it.',
    ),
  EXPORT_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(72)
    .describe('Hours a personal export can be downloaded after it was asked for; then its file and its row are deleted.'),
});

/** Where the API's and the worker's Prometheus endpoints listen (docs/operations.md). */
export const metricsEnv = defineEnv({
  METRICS_HOST: z
    .string()
    .min(1)
    .default('0.0.0.0')
    .describe('Interface the metrics port (API_METRICS_PORT, WORKER_METRICS_PORT) listens on. No Service or Ingress exposes that port unless an operator adds it; 127.0.0.1 keeps it to the machine.'),
});

export const envHelpers = { url, httpUrl, port, positiveInt, bool, heapMiB };
