import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { AlbumSchema, ApiTokenSchema, ArtistSchema, StreamingHistoryTrackNamesSchema, ImportSchema, ExportSchema, LakeChangedDaySchema, LakeChangedTableSchema, ListeningEventSchema, PlayCountSchema, PlayDuplicateSchema, PollStateSchema, SessionSchema, SpotifyCredentialsSchema, StatsClockCellSchema, StatsDaySchema, StatsQuarterSchema, StatsTrackSchema, TrackArtistSchema, TrackSchema, UserSchema, YearReviewSchema, YearReviewVersionSchema } from './entities.js';
import { migrationsList } from '../shared/db/migrations/index.js';

export const entities = [UserSchema, SpotifyCredentialsSchema, ArtistSchema, AlbumSchema, TrackSchema, TrackArtistSchema, StreamingHistoryTrackNamesSchema, ListeningEventSchema, PlayCountSchema, PollStateSchema, SessionSchema, ImportSchema, ExportSchema, StatsClockCellSchema, StatsDaySchema, StatsQuarterSchema, StatsTrackSchema, LakeChangedDaySchema, LakeChangedTableSchema, ApiTokenSchema, PlayDuplicateSchema, YearReviewSchema, YearReviewVersionSchema];

export interface DatabaseSettings {
  DATABASE_URL: string;
  DATABASE_POOL_MAX: number;
}

/** Where the ORM and its SQL client (knex) report; pino's levels. Without one their messages are dropped. */
export interface OrmLog {
  debug(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function ormOptions(settings: DatabaseSettings, log?: OrmLog): Options {
  const quiet = () => undefined;
  return defineConfig({
    clientUrl: settings.DATABASE_URL,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: settings.DATABASE_POOL_MAX },
    // Timestamps are UTC everywhere; pg sessions too, so now() and text casts agree.
    forceUtcTimezone: true,
    timezone: '+00:00',
    driverOptions: {
      connection: { options: '-c TimeZone=UTC' },
      // knex prints its warnings (a pooled connection Postgres closed, for one) with console.log unless
      // given a logger: they go to the service's log instead, as JSON lines like everything else.
      log: { warn: log?.warn ?? quiet, error: log?.error ?? quiet, deprecate: log?.debug ?? quiet, debug: log?.debug ?? quiet },
    },
    // The inverse one-to-one sides of User (poll state, credentials) are joined only when asked for.
    autoJoinOneToOneOwner: false,
    // Schema changes happen through checked-in migrations only, never by schema sync.
    ensureDatabase: false,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: true },
    migrations: {
      migrationsList,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      path: 'services/shared/db/migrations',
      emit: 'ts',
    },
    debug: false,
    logger: log?.debug ?? quiet,
  });
}
