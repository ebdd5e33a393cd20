import { describe, expect, it } from 'vitest';
import { cookieIsSecure, introspectionEnabled, loadApiConfig } from '../../../services/api/config.js';
import { ConfigError } from '../../../services/shared/config/load-config.js';
import { newEncryptionKeys } from '../../support/test-env.js';

const base = { TOKEN_ENCRYPTION_KEYS: newEncryptionKeys(), SPOTIFY_CLIENT_ID: 'id', SPOTIFY_CLIENT_SECRET: 'secret' };

describe('API configuration', () => {
  it('has working defaults: port 4000, 30-day sessions, introspection on outside production', () => {
    const config = loadApiConfig(base);
    expect(config).toMatchObject({ API_PORT: 4000, API_HOST: '0.0.0.0', SESSION_TTL_DAYS: 30, LOGIN_REDIRECT_URL: '/', GRAPHQL_MAX_DEPTH: 10 });
    expect(introspectionEnabled(config)).toBe(true);
    expect(cookieIsSecure(config)).toBe(false);
  });

  it('turns introspection off and Secure cookies on in production, unless told otherwise', () => {
    const production = loadApiConfig({ ...base, NODE_ENV: 'production' });
    expect([introspectionEnabled(production), cookieIsSecure(production)]).toEqual([false, true]);
    const told = loadApiConfig({ ...base, NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true', SESSION_COOKIE_SECURE: 'false' });
    expect([introspectionEnabled(told), cookieIsSecure(told)]).toEqual([true, false]);
    expect(cookieIsSecure(loadApiConfig({ ...base, PUBLIC_URL: 'https://playlog.example.com' }))).toBe(true);
  });

  it('names every bad variable at once', () => {
    try {
      loadApiConfig({ ...base, API_PORT: 'http', GRAPHQL_MAX_COST: '0', LOGIN_REDIRECT_URL: '//evil.example', API_BODY_LIMIT: 'lots' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const name of ['API_PORT', 'GRAPHQL_MAX_COST', 'LOGIN_REDIRECT_URL', 'API_BODY_LIMIT']) expect(message).toContain(name);
    }
  });

  it('accepts as LOGIN_REDIRECT_URL only a path on the API or an absolute http(s) URL, never one a browser reads as another host', () => {
    for (const fine of ['/', '/app/history?tab=1#top', 'https://app.example.com/after-login', 'http://127.0.0.1:5173/']) {
      expect(loadApiConfig({ ...base, LOGIN_REDIRECT_URL: fine }).LOGIN_REDIRECT_URL).toBe(fine);
    }
    for (const open of ['//evil.example', '/\\evil.example', '/\\/evil.example', '\\\\evil.example', '/\t/evil.example', '/\n/evil.example', 'javascript:alert(1)', 'evil.example', 'ftp://evil.example']) {
      expect(() => loadApiConfig({ ...base, LOGIN_REDIRECT_URL: open }), JSON.stringify(open)).toThrow(/LOGIN_REDIRECT_URL/);
    }
  });

  it('refuses SameSite=None without a Secure cookie', () => {
    expect(() => loadApiConfig({ ...base, SESSION_COOKIE_SAMESITE: 'none' })).toThrow(/SESSION_COOKIE_SAMESITE/);
    expect(loadApiConfig({ ...base, SESSION_COOKIE_SAMESITE: 'none', SESSION_COOKIE_SECURE: 'true' }).SESSION_COOKIE_SAMESITE).toBe('none');
  });

  it('refuses a per-user disk quota smaller than the largest upload', () => {
    expect(() => loadApiConfig({ ...base, IMPORT_MAX_BYTES: '1000', IMPORT_MAX_USER_BYTES: '999' })).toThrow(/IMPORT_MAX_USER_BYTES is invalid: 999 is below IMPORT_MAX_BYTES/);
    expect(loadApiConfig({ ...base, IMPORT_MAX_BYTES: '1000', IMPORT_MAX_USER_BYTES: '1000' }).IMPORT_MAX_USER_BYTES).toBe(1000);
  });
});
