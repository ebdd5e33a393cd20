import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { AlbumSchema, ArtistSchema, ListeningEventSchema, PollStateSchema, SessionSchema, SpotifyCredentialsSchema, TrackArtistSchema, TrackSchema, UserSchema } from './entities/index.js';
import { migrationsList } from './migrations/index.js';
import { ImportSchema } from '../imports/import.entity.js';

export const entities = [UserSchema, SpotifyCredentialsSchema, ArtistSchema, AlbumSchema, TrackSchema, TrackArtistSchema, ListeningEventSchema, PollStateSchema, SessionSchema, ImportSchema];

export interface DatabaseSettings {
  DATABASE_URL: string;
  DATABASE_POOL_MAX: number;
}

export function ormOptions(settings: DatabaseSettings): Options {
  return defineConfig({
    clientUrl: settings.DATABASE_URL,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: settings.DATABASE_POOL_MAX },
    // Timestamps are UTC everywhere; pg sessions too, so now() and text casts agree.
    forceUtcTimezone: true,
    timezone: '+00:00',
    driverOptions: { connection: { options: '-c TimeZone=UTC' } },
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
  });
}
