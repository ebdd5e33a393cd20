import { describe, expect, it } from 'vitest';
import { CENSOR, redactSecrets } from '../../../../services/shared/logging/redact-secrets.js';

const SECRET = 'Secret0123456789';

describe('what a log line keeps of a secret', () => {
  it('nothing, under any of the names secrets go by, at any depth and in arrays', () => {
    const logged = {
      credentials: { accessToken: SECRET, refresh_token: SECRET, id_token: SECRET },
      spotify: { client_secret: SECRET, codeVerifier: SECRET },
      pages: [[{ password: SECRET }], { token: SECRET }],
      config: { DATABASE_URL: `postgres://playlog:${SECRET}@db/playlog`, REDIS_URL: `redis://:${SECRET}@redis`, TOKEN_ENCRYPTION_KEYS: `k1:${SECRET}` },
    };
    const line = JSON.stringify(redactSecrets(logged));
    expect(line).not.toContain(SECRET);
    expect(JSON.parse(line)).toMatchObject({ credentials: { accessToken: CENSOR }, pages: [[{ password: CENSOR }], { token: CENSOR }], config: { DATABASE_URL: CENSOR } });
  });

  it('nothing of a request’s Authorization, cookies or OAuth code, while its other fields stay readable', () => {
    const req = { method: 'GET', url: '/auth/callback', headers: { authorization: `Bearer ${SECRET}`, cookie: `s=${SECRET}`, 'set-cookie': [`s=${SECRET}`], accept: 'text/html' }, query: { code: SECRET, state: 'visible-state' } };
    const redacted = redactSecrets({ req, res: { headers: { 'set-cookie': `s=${SECRET}` } } });
    expect(JSON.stringify(redacted)).not.toContain(SECRET);
    expect(redacted.req).toMatchObject({ method: 'GET', headers: { accept: 'text/html' }, query: { state: 'visible-state' } });
    for (const parent of ['params', 'body', 'variables', 'args']) expect(redactSecrets({ [parent]: { code: SECRET } }), parent).toEqual({ [parent]: { code: CENSOR } });
  });

  it('keeps error codes and other `code`s readable: only an OAuth code is a secret', () => {
    expect(redactSecrets({ err: { code: 'ECONNREFUSED' }, spotify: { code: 429 } })).toEqual({ err: { code: 'ECONNREFUSED' }, spotify: { code: 429 } });
  });

  it('nothing, inside an error and its own fields, printed the way pino prints errors', () => {
    const error = Object.assign(new Error('refresh failed'), { code: 'invalid_grant', response: { body: { access_token: SECRET } } });
    const redacted = redactSecrets({ failures: [error] }) as unknown as { failures: Array<Record<string, unknown>> };
    expect(JSON.stringify(redacted)).not.toContain(SECRET);
    expect(redacted.failures[0]).toMatchObject({ type: 'Error', message: 'refresh failed', code: 'invalid_grant', response: { body: { access_token: CENSOR } } });
  });

  it('leaves the logged object as it was, and values that print themselves as they are', () => {
    const logged = { user: { accessToken: SECRET }, at: new Date('2026-11-23T12:00:00Z'), bytes: Buffer.from('abc') };
    const redacted = redactSecrets(logged);
    expect(logged.user.accessToken).toBe(SECRET);
    expect(redacted.at).toBe(logged.at);
    expect(redacted.bytes).toBe(logged.bytes);
  });

  it('does not claim a secret was there when it was not', () => {
    expect(redactSecrets({ accessToken: undefined, name: 'x' })).toEqual({ accessToken: undefined, name: 'x' });
  });

  it('copes with an object that refers to itself', () => {
    const cyclic: Record<string, unknown> = { token: SECRET };
    cyclic.self = cyclic;
    const redacted = redactSecrets(cyclic);
    expect(redacted.token).toBe(CENSOR);
    expect((redacted.self as Record<string, unknown>).token).toBe(CENSOR);
  });
});
