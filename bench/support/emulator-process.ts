import { writeFileSync } from 'node:fs';
import { PLAYLOG_SPOTIFY_SCOPES } from '../../services/features/spotify/spotify-scopes.js';
import { startEmulator } from '../../services/spotify-emulator/start-emulator.js';

/**
 * The Spotify emulator as a process of its own for benchmarks (so its CPU is not the bench's), with
 * more users than `npm run start:emulator` allows, no rate limit, and an optional fixed latency.
 * Every user gets a grant with tokens issued directly by the emulator's token store (what a login
 * through /authorize would leave behind, without 10,000 round trips); they go to `tokensFile`.
 * The clock is frozen, so every run of a scenario sees the same plays; scenarios move it through
 * POST /admin/clock/advance.
 */
export interface BenchEmulatorConfig {
  users: number;
  latencyMs: number;
  tokensFile: string;
}

export interface BenchEmulatorTokens {
  url: string;
  apiUrl: string;
  accountsUrl: string;
  adminUrl: string;
  clientId: string;
  clientSecret: string;
  clockMs: number;
  accessTokenExpiresAtMs: number;
  users: Array<{ id: string; accessToken: string; refreshToken: string }>;
}

const config = JSON.parse(process.env.BENCH_EMULATOR_CONFIG ?? '{}') as BenchEmulatorConfig;
const accessTokenTtlSeconds = 7 * 86_400;
const emulator = await startEmulator({
  port: 0,
  seed: 'playlog-bench',
  users: config.users,
  accessTokenTtlSeconds,
  clock: { startAt: Date.now(), frozen: true },
  faults: { rateLimitPerWindow: 0, dailyQuota: 0, latencyMs: config.latencyMs, targets: ['api'] },
});
const users = emulator.users().map((user) => {
  const grant = emulator.tokens.createGrant({ clientId: emulator.clientId, userId: user.id, scopes: [...PLAYLOG_SPOTIFY_SCOPES], pkce: true });
  return { id: user.id, accessToken: emulator.tokens.issueAccessToken(grant).token, refreshToken: emulator.tokens.issueRefreshToken(grant) };
});
const tokens: BenchEmulatorTokens = {
  url: emulator.url,
  apiUrl: emulator.apiUrl,
  accountsUrl: emulator.accountsUrl,
  adminUrl: emulator.adminUrl,
  clientId: emulator.clientId,
  clientSecret: emulator.clientSecret,
  clockMs: emulator.clock.now(),
  accessTokenExpiresAtMs: emulator.clock.now() + accessTokenTtlSeconds * 1000,
  users,
};
writeFileSync(config.tokensFile, JSON.stringify(tokens), { mode: 0o600 });
console.log(JSON.stringify({ msg: 'bench emulator ready', url: emulator.url, users: users.length }));

const stop = () => {
  void emulator.stop().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
