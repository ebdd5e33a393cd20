import pino, { type Logger, type LoggerOptions } from 'pino';
import { CENSOR, SECRET_KEYS, redactSecrets } from './redact-secrets.js';

export type { Logger } from 'pino';
export { SECRET_KEYS } from './redact-secrets.js';


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
    // Every logged object is walked once for secret keys at any depth (redact-secrets.ts); pino's own
    // redaction is kept for top-level keys only, where it is cheap, because child-logger bindings never
    // pass through `formatters.log`.
    // Errors are serialized there too (pino's `err` serializer, then walked); the `err` serializer below
    // replaces pino's default one, which would serialize that result again, and covers bindings.
    formatters: { log: (object) => redactSecrets(object) },
    serializers: { err: (value: unknown) => redactSecrets(value) },
    redact: { paths: [...SECRET_KEYS], censor: CENSOR },
  };
  if (settings.destination) return pino(options, settings.destination);
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'UTC:yyyy-mm-dd HH:MM:ss.l o', ignore: 'pid,hostname' } } });
  }
  return pino(options);
}
