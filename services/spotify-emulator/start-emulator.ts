import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import pino from 'pino';
import type { Logger } from '../shared/logging/logger.js';
import { accountsRoutes } from './accounts.routes.js';
import { adminRoutes } from './admin.routes.js';
import { buildCatalogue, type Catalogue } from './catalogue.js';
import { EmulatorClock } from './clock.js';
import type { EmulatorState } from './emulator-state.js';
import { DEFAULT_FAULTS, FaultInjector, faultSettingsSchema, type FaultSettings } from './faults.js';
import { groundTruth, type GroundTruthPlay } from './ground-truth.js';
import { REALISTIC_REPORTING, type ReportingSettings } from './play-reporting.js';
import { Rng } from './prng.js';
import { requestAccounting } from './request-accounting.js';
import { EmulatorStats } from './stats.js';
import { SyntheticListeners, type NewUserSpec, type SyntheticUser } from './synthetic-listeners.js';
import { expireAccessTokens, revokeRefreshTokens } from './token-faults.js';
import { TokenStore, type IssuedSecrets } from './token-store.js';
import { webApiRoutes } from './web-api.routes.js';

export interface EmulatorOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  /** Base URL clients reach the emulator at, when it differs from http://host:port (e.g. a Kubernetes Service). */
  publicUrl?: string;
  /** Seed of the catalogue, the listeners and every random decision. Default "playlog". */
  seed?: string;
  /** Number of synthetic users at start. Default 5 (a development-mode Spotify app serves at most 5). */
  users?: number;
  /** Range the users' average plays per hour are drawn from. Default [6, 20]. */
  playsPerHour?: readonly [number, number];
  /** Default "playlog-dev". */
  clientId?: string;
  /** Default "playlog-dev-secret". */
  clientSecret?: string;
  /** Redirect URIs /authorize accepts; empty (the default) accepts any http(s) URI. */
  redirectUris?: string[];
  /** Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Refresh tokens die this long after the user first authorised. Default 183 days (~6 months). */
  refreshTokenLifetimeSeconds?: number;
  /** Default 600. */
  codeTtlSeconds?: number;
  /** Fraction of refresh answers that carry no new refresh token. Default 0.25. */
  omitRefreshTokenRate?: number;
  /** A clock to share, or where to start one. Default: real time. */
  clock?: EmulatorClock | { startAt?: Date | number | string; frozen?: boolean };
  faults?: Partial<FaultSettings>;
  /** How plays are reported (play-reporting.ts); default REALISTIC_REPORTING, EXACT_REPORTING for sources that all agree. */
  reporting?: Partial<ReportingSettings>;
  /** Default: silent. */
  logger?: Logger;
}

/** A running emulator, in-process. Everything the admin endpoints do is also available here. */
export interface RunningEmulator {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** SPOTIFY_ACCOUNTS_URL for Playlog: `${url}/accounts` */
  accountsUrl: string;
  /** SPOTIFY_API_URL for Playlog: `${url}/v1` */
  apiUrl: string;
  adminUrl: string;
  clientId: string;
  clientSecret: string;
  clock: EmulatorClock;
  catalogue: Catalogue;
  listeners: SyntheticListeners;
  faults: FaultInjector;
  stats: EmulatorStats;
  tokens: TokenStore;
  users(): SyntheticUser[];
  addUser(spec?: NewUserSpec): SyntheticUser;
  /** Every play in [from, to) up to now (oldest first), or what recently-played can return now. */
  groundTruth(userId: string, from: Date | number | 'retrievable', to?: Date | number): GroundTruthPlay[];
  revokeRefreshTokens(userId: string): number;
  expireAccessTokens(userId: string): number;
  secrets(): IssuedSecrets;
  /** Closes the server, dropping open connections (including requests held by a timeout fault). */
  stop(): Promise<void>;
}

export const EMULATOR_DEFAULTS = {
  host: '127.0.0.1',
  seed: 'playlog',
  users: 5,
  playsPerHour: [6, 20] as const,
  clientId: 'playlog-dev',
  clientSecret: 'playlog-dev-secret',
  accessTokenTtlSeconds: 3600,
  refreshTokenLifetimeSeconds: 183 * 86_400,
  codeTtlSeconds: 600,
  omitRefreshTokenRate: 0.25,
};

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const seed = options.seed ?? EMULATOR_DEFAULTS.seed;
  const clock = options.clock instanceof EmulatorClock ? options.clock : new EmulatorClock(options.clock);
  const catalogue = buildCatalogue(seed);
  const clientSecret = options.clientSecret ?? EMULATOR_DEFAULTS.clientSecret;
  const omitRefreshTokenRate = options.omitRefreshTokenRate ?? EMULATOR_DEFAULTS.omitRefreshTokenRate;
  if (!(omitRefreshTokenRate >= 0 && omitRefreshTokenRate <= 1)) throw new RangeError('omitRefreshTokenRate must be between 0 and 1');
  const state: EmulatorState = {
    urls: { base: '', accounts: '', api: '' },
    client: { id: options.clientId ?? EMULATOR_DEFAULTS.clientId, secret: clientSecret },
    redirectUris: options.redirectUris ?? [],
    omitRefreshTokenRate,
    tokenRng: new Rng(seed, 'token-endpoint'),
    clock,
    catalogue,
    listeners: new SyntheticListeners(seed, catalogue, clock, {
      users: options.users ?? EMULATOR_DEFAULTS.users,
      playsPerHour: options.playsPerHour ?? EMULATOR_DEFAULTS.playsPerHour,
      reporting: { ...REALISTIC_REPORTING, ...options.reporting },
    }),
    tokens: new TokenStore(clock, {
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? EMULATOR_DEFAULTS.accessTokenTtlSeconds,
      refreshTokenLifetimeSeconds: options.refreshTokenLifetimeSeconds ?? EMULATOR_DEFAULTS.refreshTokenLifetimeSeconds,
      codeTtlSeconds: options.codeTtlSeconds ?? EMULATOR_DEFAULTS.codeTtlSeconds,
      clientSecret,
    }),
    faults: new FaultInjector(faultSettingsSchema.parse({ ...DEFAULT_FAULTS, ...options.faults }), clock, seed),
    stats: new EmulatorStats(() => clock.now()),
    logger: options.logger ?? pino({ level: 'silent' }),
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestAccounting(state));
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  app.use('/accounts', accountsRoutes(state));
  app.use('/v1', webApiRoutes(state));
  app.use('/admin', adminRoutes(state));
  app.use((_req, res) => res.status(404).json({ error: 'not found: the emulator serves /accounts, /v1 and /admin' }));
  app.use(jsonErrors(state));

  const server = await listen(app, options.host ?? EMULATOR_DEFAULTS.host, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? EMULATOR_DEFAULTS.host;
  const base = (options.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  state.urls = { base, accounts: `${base}/accounts`, api: `${base}/v1` };

  return {
    url: base,
    accountsUrl: state.urls.accounts,
    apiUrl: state.urls.api,
    adminUrl: `${base}/admin`,
    clientId: state.client.id,
    clientSecret,
    clock,
    catalogue,
    listeners: state.listeners,
    faults: state.faults,
    stats: state.stats,
    tokens: state.tokens,
    users: () => state.listeners.list(),
    addUser: (spec) => state.listeners.add(spec),
    groundTruth: (userId, from, to) =>
      groundTruth(state, userId, from === 'retrievable' ? from : Number(from), to === undefined ? undefined : Number(to)),
    revokeRefreshTokens: (userId) => revokeRefreshTokens(state, userId),
    expireAccessTokens: (userId) => expireAccessTokens(state, userId),
    secrets: () => state.tokens.secrets(),
    stop: () => close(server),
  };
}

/** Errors as JSON, never Express's HTML page with a stack: bad JSON bodies keep their 4xx, bugs are 500s and logged. */
function jsonErrors(state: EmulatorState) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    if (status >= 500) state.logger.error({ err: error }, 'emulator error');
    if (res.headersSent) return;
    res.status(status).json({ error: { status, message: status >= 500 ? 'Emulator error (see its log)' : (error as Error).message } });
  };
}

function listen(app: express.Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets and requests held by a timeout fault would otherwise keep the server open.
    server.closeAllConnections();
  });
}
