import type { Logger } from '../shared/logging/logger.js';
import type { Catalogue } from './catalogue.js';
import type { EmulatorClock } from './clock.js';
import type { FaultInjector } from './faults.js';
import type { Rng } from './prng.js';
import type { EmulatorStats } from './stats.js';
import type { SyntheticListeners } from './synthetic-listeners.js';
import type { TokenStore } from './token-store.js';

/** Everything the routes share. */
export interface EmulatorState {
  /** Public base URLs, known once the server listens. */
  urls: { base: string; accounts: string; api: string };
  client: { id: string; secret: string };
  /** Allowed redirect URIs; empty allows any http(s) URI. */
  redirectUris: string[];
  omitRefreshTokenRate: number;
  /** Draws the omit-refresh-token decisions, seeded so a run is reproducible. */
  tokenRng: Rng;
  clock: EmulatorClock;
  catalogue: Catalogue;
  listeners: SyntheticListeners;
  tokens: TokenStore;
  faults: FaultInjector;
  stats: EmulatorStats;
  logger: Logger;
}
