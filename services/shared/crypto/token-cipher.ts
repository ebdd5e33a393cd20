import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM encryption of OAuth tokens at rest.
 *
 * Ciphertext format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id travels with
 * each value so keys can rotate: the first configured key encrypts, every configured key decrypts.
 * Callers pass a context (e.g. `spotify_credentials:<userId>:refresh_token`) bound as additional
 * authenticated data, so a ciphertext copied onto another user's row or column does not decrypt.
 */
export class TokenCipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenCipherError';
  }
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

const VERSION = 'v1';
const IV_BYTES = 12;

export class TokenCipher {
  private readonly keys: Map<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(keys: EncryptionKey[]) {
    const [first] = keys;
    if (!first) throw new TokenCipherError('at least one encryption key is required');
    this.current = first;
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.current.id, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  decrypt(value: string, context: string): string {
    const parts = value.split('.');
    const [version, keyId, iv, tag, ciphertext] = parts;
    if (parts.length !== 5 || version !== VERSION || !keyId || !iv || !tag || ciphertext === undefined) {
      throw new TokenCipherError('encrypted token is malformed');
    }
    const key = this.keys.get(keyId);
    if (!key) throw new TokenCipherError(`encrypted token uses key "${keyId}", which is not configured in TOKEN_ENCRYPTION_KEYS`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenCipherError(`encrypted token failed authentication with key "${keyId}": it was tampered with or belongs elsewhere`);
    }
  }

  /** True when the value was encrypted with a key other than the current one (key rotation). */
  needsReencryption(value: string): boolean {
    return value.split('.')[1] !== this.current.id;
  }
}

/** Parses `keyId:base64key[,keyId:base64key...]`; throws with a message naming the bad entry, never the key. */
export function parseEncryptionKeys(spec: string): EncryptionKey[] {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new TokenCipherError('no keys given: expected keyId:base64key[,keyId:base64key]');
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new TokenCipherError(`entry ${index + 1} needs a key id of letters, digits, - or _ before ':'`);
    }
    if (seen.has(id)) throw new TokenCipherError(`key id "${id}" appears twice`);
    seen.add(id);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new TokenCipherError(`key "${id}" must be 32 bytes of base64 (openssl rand -base64 32), got ${key.length} bytes`);
    return { id, key };
  });
}

/** A new random key in TOKEN_ENCRYPTION_KEYS' form, `keyId:base64key`, its id the day it was made (key-YYYYMMDD). */
export function generateEncryptionKey(now = new Date()): string {
  return `key-${now.toISOString().slice(0, 10).replaceAll('-', '')}:${randomBytes(32).toString('base64')}`;
}
