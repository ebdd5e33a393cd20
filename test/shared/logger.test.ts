import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../services/shared/logging/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', destination }) };
}

describe('logger redaction', () => {
  it('prints no part of a token, secret, authorization header or OAuth code', () => {
    const { lines, logger } = capture();
    const secrets = ['BQAccessToken0123456789', 'AQRefreshToken0123456789', 'ClientSecret0123456789', 'AuthCode0123456789', 'SessionToken0123456789'];

    logger.info(
      {
        credentials: { accessToken: secrets[0], refresh_token: secrets[1] },
        spotify: { client: { clientSecret: secrets[2] } },
        req: { headers: { authorization: `Bearer ${secrets[0]}`, cookie: `playlog_session=${secrets[4]}` }, query: { code: secrets[3], state: 'visible-state' } },
        token: secrets[4],
      },
      'login finished',
    );

    const output = lines.join('');
    for (const secret of secrets) {
      expect(output).not.toContain(secret);
      expect(output).not.toContain(secret.slice(0, 8));
    }
    expect(output).toContain('visible-state');
    expect(output).toContain('[redacted]');
  });

  it('keeps error codes readable', () => {
    const { lines, logger } = capture();
    logger.error({ err: Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }) }, 'redis down');
    expect(lines.join('')).toContain('ECONNREFUSED');
  });
});
