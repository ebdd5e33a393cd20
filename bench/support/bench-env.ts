/** Services come from `bash scripts/services.sh up`, at the same URLs tests and services use. */
export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://playlog:playlog@127.0.0.1:5432/playlog';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrlFor(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * What every benchmarked worker process needs: its database, Redis prefix, key and the emulator as
 * Spotify, with the app-wide limiter lifted (it stands for Spotify's rate limit in production; in a
 * benchmark it would only measure itself).
 */
export function benchWorkerEnv(options: {
  databaseUrl: string;
  prefix: string;
  encryptionKeys: string;
  emulator: { accountsUrl: string; apiUrl: string; clientId: string; clientSecret: string };
}): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: options.prefix,
    // Several workers run at once: each one's metrics and probes on a free port of loopback.
    METRICS_HOST: '127.0.0.1',
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    TOKEN_ENCRYPTION_KEYS: options.encryptionKeys,
    SPOTIFY_ACCOUNTS_URL: options.emulator.accountsUrl,
    SPOTIFY_API_URL: options.emulator.apiUrl,
    SPOTIFY_CLIENT_ID: options.emulator.clientId,
    SPOTIFY_CLIENT_SECRET: options.emulator.clientSecret,
    WORKER_MAX_JOBS_PER_SECOND: '1000000',
  };
}
