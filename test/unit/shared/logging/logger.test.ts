import { Writable } from 'node:stream';
import type { ZodType } from 'zod';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../services/shared/logging/logger.js';

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

  it('redacts secrets deep inside objects, arrays, errors and child-logger bindings', () => {
    const { lines, logger } = capture();
    const secrets = ['DeepToken0123456789', 'ArrayToken0123456789', 'ErrorToken0123456789', 'BoundToken0123456789', 'CauseToken0123456789'];
    class SpotifyAnswer {
      constructor(readonly body: Record<string, unknown>) {}
    }
    const error = Object.assign(new Error('refresh failed'), { code: 'invalid_grant', response: new SpotifyAnswer({ access_token: secrets[2] }) });
    const cause = Object.assign(new Error('wrapped'), { details: { refreshToken: secrets[4] } });

    logger.child({ token: secrets[3], jobId: 'job-1' }).warn(
      {
        a: { b: { c: { d: { accessToken: secrets[0] } } } },
        pages: [{ items: [{ refresh_token: secrets[1] }] }],
        err: error,
        extra: { errors: [cause] },
        createdAt: new Date('2026-11-23T12:00:00.000Z'),
      },
      'poll failed',
    );

    const output = lines.join('');
    for (const secret of secrets) expect(output).not.toContain(secret.slice(0, 8));
    const line = JSON.parse(output) as Record<string, unknown>;
    expect(line).toMatchObject({
      jobId: 'job-1',
      token: '[redacted]',
      a: { b: { c: { d: { accessToken: '[redacted]' } } } },
      pages: [{ items: [{ refresh_token: '[redacted]' }] }],
      err: { type: 'Error', message: 'refresh failed', code: 'invalid_grant', response: { body: { access_token: '[redacted]' } } },
      createdAt: '2026-11-23T12:00:00.000Z',
    });
  });

  it('does not change the object a caller logged', () => {
    const { logger } = capture();
    const logged = { user: { accessToken: 'KeepMe0123456789' } };
    logger.info(logged, 'tokens refreshed');
    expect(logged.user.accessToken).toBe('KeepMe0123456789');
  });

  it('keeps error codes readable', () => {
    const { lines, logger } = capture();
    logger.error({ err: Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }) }, 'redis down');
    expect(lines.join('')).toContain('ECONNREFUSED');
  });
});

describe('sensitive configuration', () => {
  it('is one mark, where each variable is declared, that the README table and log redaction both read', async () => {
    const { apiConfigShape } = await import('../../../../services/api/config.js');
    const { workerConfigShape } = await import('../../../../services/worker/config.js');
    const { schedulerConfigShape } = await import('../../../../services/scheduler/config.js');
    const { emulatorEnv } = await import('../../../../services/spotify-emulator/config.js');
    const { isSensitiveSchema } = await import('../../../../services/shared/config/load-config.js');
    const { configTable } = await import('../../../../scripts/config-docs.js');
    const shapes = [apiConfigShape, workerConfigShape, schedulerConfigShape, emulatorEnv] as Array<Record<string, ZodType>>;
    const sensitive = new Set(shapes.flatMap((shape) => Object.entries(shape).filter(([, schema]) => isSensitiveSchema(schema)).map(([name]) => name)));
    expect([...sensitive].sort()).toEqual(['ADMIN_PASSWORD', 'DATABASE_URL', 'EMULATOR_CLIENT_SECRET', 'REDIS_URL', 'SPOTIFY_CLIENT_SECRET', 'TOKEN_ENCRYPTION_KEYS']);

    const table = configTable();
    const { lines, logger } = capture();
    for (const shape of shapes) {
      for (const name of Object.keys(shape)) {
        const row = table.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
        expect(row, name).toBeDefined();
        expect(row!.split(' | ')[3]!.startsWith('Sensitive.'), `${name} in the README table`).toBe(sensitive.has(name));
        logger.info({ config: { [name]: `value-of-${name}` } }, 'configuration');
      }
    }
    const output = lines.join('');
    for (const name of sensitive) expect(output, name).not.toContain(`value-of-${name}`);
    expect(output).toContain('value-of-QUEUE_PREFIX');
    expect(output).toContain('value-of-LOG_LEVEL');
  });
});
