import { stdSerializers } from 'pino';
// The shared configuration sections register their sensitive variables when loaded: loaded here, so that
// every logger knows them, whatever else its process has imported.
import '../config/env-schema.js';
import { isSensitiveVariable } from '../config/load-config.js';

/**
 * Keys whose values are secrets wherever they appear in a logged object, at any depth. Configuration
 * variables marked sensitive where they are declared (TOKEN_ENCRYPTION_KEYS, DATABASE_URL…) are
 * secrets too, by name (`isSensitiveVariable`): the docs generator reads the same mark.
 */
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
] as const;

export const CENSOR = '[redacted]';

const SECRET = new Set<string>(SECRET_KEYS);
/** `code` is an OAuth authorization code only under these keys; elsewhere it is usually an error code and stays readable. */
const CODE_PARENTS = new Set(['query', 'params', 'body', 'variables', 'args']);
/** Deeper than anything we log; it also stops a cycle. */
const MAX_DEPTH = 6;

const isSecret = (key: string, parentKey: string | undefined) =>
  SECRET.has(key) ||
  isSensitiveVariable(key) || (key === 'code' && parentKey !== undefined && CODE_PARENTS.has(parentKey)) || (key === 'set-cookie' && parentKey === 'headers');

/**
 * Walked: anything JSON.stringify would print key by key (plain data, class instances, errors, what pino's
 * error serializer returns). Not walked: values printed through their own toJSON (Date, Buffer…), whose
 * copy would print differently, and binary views, which have no secret keys and many indices.
 */
function isWalkable(value: unknown): value is Record<string, unknown> | unknown[] {
  if (value === null || typeof value !== 'object') return false;
  return typeof (value as { toJSON?: unknown }).toJSON !== 'function' && !ArrayBuffer.isView(value);
}

/** A plain copy with what `for…in` sees (a serialized error's inherited type, message and stack included). */
function plainCopy(record: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key in record) copy[key] = record[key];
  return copy;
}

/**
 * The value with every secret replaced by `[redacted]`. Objects and arrays on the way to a secret are
 * copied (as plain data: what JSON prints of them) and nothing else is, so the common line (no secret in
 * it) costs one pass over its keys and no allocation. One Set lookup per key replaced pino's path redaction,
 * whose wildcard patterns were a visible share of the worker's CPU (docs/benchmarks.md has the figures).
 */
export function redactSecrets<T>(value: T, parentKey?: string, depth = 0): T {
  // An error is printed the way pino prints `err` (type, message, stack, its own fields), wherever it is, and then walked.
  if (value instanceof Error) return redactSecrets(stdSerializers.err(value) as T, parentKey, depth);
  if (depth > MAX_DEPTH || !isWalkable(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const redacted = redactSecrets(item, parentKey, depth + 1);
      if (redacted !== item) (copy ??= value.slice())[i] = redacted;
    }
    return (copy ?? value) as T;
  }
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    const redacted = isSecret(key, parentKey) ? (item === undefined ? item : CENSOR) : redactSecrets(item, key, depth + 1);
    if (redacted !== item) (copy ??= plainCopy(record))[key] = redacted;
  }
  return (copy ?? value) as T;
}
