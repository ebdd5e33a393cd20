import { z } from 'zod';
import { envHelpers } from '../shared/config/env-schema.js';
import { defineEnv, sensitive } from '../shared/config/load-config.js';
import { DEFAULT_FAULTS } from './faults.js';
import { REALISTIC_REPORTING } from './play-reporting.js';
import { EMULATOR_DEFAULTS, type EmulatorOptions } from './start-emulator.js';

const { httpUrl, port, bool } = envHelpers;
const rate = z.coerce.number().min(0).max(1);
const count = z.coerce.number().int().min(0);
const list = z.string().transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));

/** The emulator's own variables (`npm run start:emulator`); Playlog's services never read them. */
export const emulatorEnv = defineEnv({
  EMULATOR_HOST: z.string().min(1).default(EMULATOR_DEFAULTS.host).describe('Interface the Spotify emulator listens on (0.0.0.0 in a container).'),
  EMULATOR_PORT: port.default(4100).describe('Port of the Spotify emulator (accounts service, Web API and admin on one port).'),
  EMULATOR_PUBLIC_URL: httpUrl.optional().describe('Base URL clients reach the emulator at, used in the hrefs it returns; default http://EMULATOR_HOST:EMULATOR_PORT.'),
  EMULATOR_SEED: z.string().min(1).default(EMULATOR_DEFAULTS.seed).describe('Seed of the synthetic catalogue, users and plays: same seed and clock, same plays.'),
  EMULATOR_USERS: count.max(1000).default(EMULATOR_DEFAULTS.users).describe('Number of synthetic users.'),
  EMULATOR_PLAYS_PER_HOUR_MIN: z.coerce.number().min(0).max(60).default(EMULATOR_DEFAULTS.playsPerHour[0]).describe('Lowest average plays per hour a synthetic user gets.'),
  EMULATOR_PLAYS_PER_HOUR_MAX: z.coerce.number().min(0).max(60).default(EMULATOR_DEFAULTS.playsPerHour[1]).describe('Highest average plays per hour a synthetic user gets.'),
  EMULATOR_CLIENT_ID: z.string().min(1).optional().describe('Client id the emulator accepts; default SPOTIFY_CLIENT_ID, else playlog-dev.'),
  EMULATOR_CLIENT_SECRET: sensitive(z.string().min(1).optional(), 'Client secret the emulator accepts; default SPOTIFY_CLIENT_SECRET, else playlog-dev-secret.'),
  SPOTIFY_CLIENT_ID: z.string().min(1).optional().describe('Fallback for EMULATOR_CLIENT_ID, so one .env serves Playlog and the emulator.'),
  SPOTIFY_CLIENT_SECRET: sensitive(z.string().min(1).optional(), 'Fallback for EMULATOR_CLIENT_SECRET.'),
  EMULATOR_REDIRECT_URIS: list.optional().describe('Comma-separated redirect URIs /authorize accepts; unset accepts any http(s) URI.'),
  EMULATOR_ACCESS_TOKEN_TTL_SECONDS: count.min(1).default(EMULATOR_DEFAULTS.accessTokenTtlSeconds).describe('Access token lifetime (expires_in).'),
  EMULATOR_REFRESH_TOKEN_LIFETIME_SECONDS: count
    .min(1)
    .default(EMULATOR_DEFAULTS.refreshTokenLifetimeSeconds)
    .describe('Refresh tokens stop working this long after the user first authorised (default 183 days, ~6 months; refreshing does not extend it).'),
  EMULATOR_CODE_TTL_SECONDS: count.min(1).default(EMULATOR_DEFAULTS.codeTtlSeconds).describe('Authorisation code lifetime.'),
  EMULATOR_OMIT_REFRESH_TOKEN_RATE: rate.default(EMULATOR_DEFAULTS.omitRefreshTokenRate).describe('Fraction of refresh answers without a new refresh_token (the old one stays valid).'),
  EMULATOR_CLOCK_START: z.iso.datetime({ offset: true }).optional().describe('Start the emulator clock at this instant instead of now.'),
  EMULATOR_CLOCK_FROZEN: bool.default(false).describe('Start with the clock frozen (moved only through /admin/clock).'),
  EMULATOR_RATE_LIMIT_PER_WINDOW: count.default(DEFAULT_FAULTS.rateLimitPerWindow).describe('Web API requests per client per rolling window before 429 (0 = no limit).'),
  EMULATOR_RATE_LIMIT_WINDOW_MS: count.min(1).default(DEFAULT_FAULTS.rateLimitWindowMs).describe('Length of the rolling rate-limit window (Spotify: 30 s).'),
  EMULATOR_DAILY_QUOTA: count.default(DEFAULT_FAULTS.dailyQuota).describe('Web API requests per client per UTC day before 429 QUOTA_EXCEEDED (0 = no quota).'),
  EMULATOR_ERROR_RATE: rate.default(DEFAULT_FAULTS.errorRate).describe('Fraction of requests answered with a 5xx from EMULATOR_ERROR_STATUSES.'),
  EMULATOR_ERROR_STATUSES: list
    .pipe(z.array(z.enum(['500', '502', '503'])).min(1))
    .transform((statuses) => statuses.map(Number) as Array<500 | 502 | 503>)
    .optional()
    .describe('Comma-separated statuses the error rate draws from (default 500,502,503; 502 answers an HTML page).'),
  EMULATOR_LATENCY_MS: count.default(DEFAULT_FAULTS.latencyMs).describe('Latency added to every request of the fault targets.'),
  EMULATOR_LATENCY_JITTER_MS: count.default(DEFAULT_FAULTS.latencyJitterMs).describe('Random extra latency, 0..this many ms.'),
  EMULATOR_RESET_RATE: rate.default(DEFAULT_FAULTS.resetRate).describe('Fraction of requests whose connection is reset.'),
  EMULATOR_TIMEOUT_RATE: rate.default(DEFAULT_FAULTS.timeoutRate).describe('Fraction of requests never answered.'),
  EMULATOR_MALFORMED_RATE: rate.default(DEFAULT_FAULTS.malformedRate).describe('Fraction of answers with a truncated JSON body.'),
  EMULATOR_STARTED_AT_SHARE: rate
    .default(REALISTIC_REPORTING.startedAtShare)
    .describe("Share of a listener's UTC days on which recently-played's played_at is the play's start, not its end (0 = always the end)."),
  EMULATOR_PAUSE_SHARE: rate.default(REALISTIC_REPORTING.pauseShare).describe('Share of plays paused part way: they end (and an end played_at moves) later by the pause.'),
  EMULATOR_PAUSE_MAX_MS: count.min(5_000).default(REALISTIC_REPORTING.pauseMaxMs).describe('Longest pause, in ms (a pause lasts 5 s to this long).'),
  EMULATOR_OFFLINE_SHARE: rate.default(REALISTIC_REPORTING.offlineShare).describe("Share of a listener's hours played offline: their plays reach recently-played late, with their old played_at."),
  EMULATOR_OFFLINE_DELAY_MIN_MS: count.default(REALISTIC_REPORTING.offlineDelayMinMs).describe("Shortest delay, after the offline hour's end, before its plays reach recently-played."),
  EMULATOR_OFFLINE_DELAY_MAX_MS: count.default(REALISTIC_REPORTING.offlineDelayMaxMs).describe("Longest delay, after the offline hour's end, before its plays reach recently-played."),
  EMULATOR_FAULT_TARGETS: list
    .pipe(z.array(z.enum(['api', 'token'])).min(1))
    .optional()
    .describe('Comma-separated endpoints the random faults hit: api (Web API) and/or token (POST /api/token). Default api.'),
});

type EmulatorConfig = z.infer<z.ZodObject<typeof emulatorEnv>>;

export function emulatorOptionsFromEnv(config: EmulatorConfig): EmulatorOptions {
  return {
    host: config.EMULATOR_HOST,
    port: config.EMULATOR_PORT,
    ...(config.EMULATOR_PUBLIC_URL && { publicUrl: config.EMULATOR_PUBLIC_URL }),
    seed: config.EMULATOR_SEED,
    users: config.EMULATOR_USERS,
    playsPerHour: [config.EMULATOR_PLAYS_PER_HOUR_MIN, Math.max(config.EMULATOR_PLAYS_PER_HOUR_MIN, config.EMULATOR_PLAYS_PER_HOUR_MAX)],
    clientId: config.EMULATOR_CLIENT_ID ?? config.SPOTIFY_CLIENT_ID ?? EMULATOR_DEFAULTS.clientId,
    clientSecret: config.EMULATOR_CLIENT_SECRET ?? config.SPOTIFY_CLIENT_SECRET ?? EMULATOR_DEFAULTS.clientSecret,
    redirectUris: config.EMULATOR_REDIRECT_URIS ?? [],
    accessTokenTtlSeconds: config.EMULATOR_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenLifetimeSeconds: config.EMULATOR_REFRESH_TOKEN_LIFETIME_SECONDS,
    codeTtlSeconds: config.EMULATOR_CODE_TTL_SECONDS,
    omitRefreshTokenRate: config.EMULATOR_OMIT_REFRESH_TOKEN_RATE,
    clock: { ...(config.EMULATOR_CLOCK_START && { startAt: config.EMULATOR_CLOCK_START }), frozen: config.EMULATOR_CLOCK_FROZEN },
    reporting: {
      startedAtShare: config.EMULATOR_STARTED_AT_SHARE,
      pauseShare: config.EMULATOR_PAUSE_SHARE,
      pauseMaxMs: config.EMULATOR_PAUSE_MAX_MS,
      offlineShare: config.EMULATOR_OFFLINE_SHARE,
      offlineDelayMinMs: config.EMULATOR_OFFLINE_DELAY_MIN_MS,
      offlineDelayMaxMs: Math.max(config.EMULATOR_OFFLINE_DELAY_MIN_MS, config.EMULATOR_OFFLINE_DELAY_MAX_MS),
    },
    faults: {
      rateLimitPerWindow: config.EMULATOR_RATE_LIMIT_PER_WINDOW,
      rateLimitWindowMs: config.EMULATOR_RATE_LIMIT_WINDOW_MS,
      dailyQuota: config.EMULATOR_DAILY_QUOTA,
      errorRate: config.EMULATOR_ERROR_RATE,
      ...(config.EMULATOR_ERROR_STATUSES && { errorStatuses: config.EMULATOR_ERROR_STATUSES }),
      latencyMs: config.EMULATOR_LATENCY_MS,
      latencyJitterMs: config.EMULATOR_LATENCY_JITTER_MS,
      resetRate: config.EMULATOR_RESET_RATE,
      timeoutRate: config.EMULATOR_TIMEOUT_RATE,
      malformedRate: config.EMULATOR_MALFORMED_RATE,
      ...(config.EMULATOR_FAULT_TARGETS && { targets: config.EMULATOR_FAULT_TARGETS }),
    },
  };
}
