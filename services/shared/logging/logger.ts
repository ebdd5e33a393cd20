import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values are secrets wherever they appear in a logged object (up to three levels deep). */
export const SECRET_KEYS = [
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'token',
  'idToken',
  'id_token',
  'clientSecret',
  'client_secret',
  'secret',
  'password',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  'authorizationCode',
  'authorization_code',
  'code_verifier',
  'codeVerifier',
  'encryptionKeys',
  'TOKEN_ENCRYPTION_KEYS',
  'SPOTIFY_CLIENT_SECRET',
  'DATABASE_URL',
  'REDIS_URL',
] as const;

/** Paths where an OAuth `code` travels; `code` elsewhere is usually an error code and stays readable. */
const CODE_PATHS = ['query.code', 'req.query.code', 'params.code', 'body.code', 'variables.code', 'args.code', 'res.headers["set-cookie"]'];

function redactPaths(): string[] {
  const paths: string[] = [...CODE_PATHS];
  for (const key of SECRET_KEYS) paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  return paths;
}

export interface LoggerSettings {
  service: string;
  level?: string;
  format?: 'auto' | 'json' | 'pretty';
  /** For tests: write lines here instead of stdout. */
  destination?: pino.DestinationStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const pretty = settings.format === 'pretty' || (settings.format !== 'json' && !settings.destination && process.stdout.isTTY);
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { service: settings.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths(), censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  if (settings.destination) return pino(options, settings.destination);
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'UTC:yyyy-mm-dd HH:MM:ss.l o', ignore: 'pid,hostname' } } });
  }
  return pino(options);
}
