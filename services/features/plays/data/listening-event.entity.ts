import { EntitySchema } from '@mikro-orm/core';
import type { Track } from '../../catalogue/data/catalogue.entity.js';
import type { User } from '../../accounts/data/user.entity.js';

export const PLAY_SOURCES = ['poll', 'import', 'listenbrainz'] as const;
export type PlaySource = (typeof PLAY_SOURCES)[number];

/**
 * One play. Its key is (user, track, played_at). Which reports are the same play is decided by
 * data/schema/playlog_duplicate_plays.sql for each batch ingestPlays stores (docs/import.md, "How duplicates
 * are decided"): the same report again, or the same play from another source, is not stored again.
 * The primary key lists its columns as (user_id, played_at, track_id): the same uniqueness, and the
 * same index then serves "a user's plays, newest first, from cursor X" as one range scan, so no
 * second index has to be written on every insert. The one other index, (track_id, user_id, played_at), serves
 * the track's foreign key, "has this user played this track" (a track, album or artist as a node), and the
 * duplicate rule's "this user's plays of this track near an instant".
 */
export class ListeningEvent {
  user!: User;
  playedAt!: Date;
  track!: Track;
  contextType: string | null = null;
  contextUri: string | null = null;
  source: PlaySource = 'poll';
  msPlayed: number | null = null;
  /** Which player reported it, where the source says (a ListenBrainz client's name); null for Spotify's own sources. */
  client: string | null = null;
  /** When the play began, where the source says so (a ListenBrainz listen's `listened_at`); `playedAt` is its end. */
  startedAt: Date | null = null;
  ingestedAt: Date = new Date();
}

export const ListeningEventSchema = new EntitySchema<ListeningEvent>({
  class: ListeningEvent,
  tableName: 'listening_events',
  indexes: [{ name: 'listening_events_track_id_user_id_played_at_index', properties: ['track', 'user', 'playedAt'] }],
  properties: {
    user: { kind: 'm:1', entity: 'User', primary: true, deleteRule: 'cascade', fieldName: 'user_id' },
    playedAt: { type: 'Date', columnType: 'timestamptz', primary: true },
    track: { kind: 'm:1', entity: 'Track', primary: true, fieldName: 'track_id' },
    contextType: { type: 'string', columnType: 'text', nullable: true },
    contextUri: { type: 'string', columnType: 'text', nullable: true },
    source: { enum: true, items: () => [...PLAY_SOURCES], default: 'poll' },
    msPlayed: { type: 'integer', nullable: true },
    client: { type: 'string', columnType: 'text', nullable: true },
    startedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    ingestedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
