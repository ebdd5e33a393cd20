import { EntitySchema } from '@mikro-orm/core';
import type { Track } from '../../catalogue/data/catalogue.entity.js';
import type { User } from '../../accounts/data/user.entity.js';

/**
 * A report of a play that joined a play already stored (docs/import.md, "How duplicates are decided"): the
 * same play from another source, or from another ListenBrainz client. Kept so that the report is recognised
 * when it is sent again, and so that a stored play takes at most one report of each reporter. Only
 * data/schema/playlog_duplicate_plays.sql writes it; rows go with their user.
 */
export class PlayDuplicate {
  user!: User;
  track!: Track;
  /** `poll`, `import`, or `listenbrainz/<client>` (data/schema/playlog_play_reporter.sql). */
  reportedBy!: string;
  /** What the report said: a poll's played_at, a streaming history's ts, a listen's listened_at. */
  reportedAt!: Date;
  /** The stored play it joined (with user and track, its key in listening_events). */
  playedAt!: Date;
  /** Its span (data/schema/playlog_play_span.sql): a later report may join the stored play by it too. */
  span!: string;
  createdAt: Date = new Date();
}

export const PlayDuplicateSchema = new EntitySchema<PlayDuplicate>({
  class: PlayDuplicate,
  tableName: 'play_duplicates',
  uniques: [{ name: 'play_duplicates_user_id_track_id_played_at_reported_by_unique', properties: ['user', 'track', 'playedAt', 'reportedBy'] }],
  properties: {
    user: { kind: 'm:1', entity: 'User', primary: true, deleteRule: 'cascade', fieldName: 'user_id' },
    track: { kind: 'm:1', entity: 'Track', primary: true, fieldName: 'track_id' },
    reportedBy: { type: 'string', columnType: 'text', primary: true },
    reportedAt: { type: 'Date', columnType: 'timestamptz', primary: true },
    playedAt: { type: 'Date', columnType: 'timestamptz' },
    span: { type: 'string', columnType: 'tstzrange' },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
