import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { HistoryPosition } from '../../history/history-cursor.js';

export enum PlaySource {
  POLL = 'poll',
  IMPORT = 'import',
}

registerEnumType(PlaySource, {
  name: 'PlaySource',
  description: 'How Playlog learned of a play.',
  valuesConfig: {
    POLL: { description: 'Read from Spotify’s recently played tracks.' },
    IMPORT: { description: 'Imported from a Spotify extended streaming history export.' },
  },
});

@ObjectType({ description: 'What a play was started from (an album, a playlist, an artist...).' })
export class PlayContext {
  @Field(() => String, { nullable: true, description: 'Spotify’s context type, e.g. album, playlist, artist.' })
  type!: string | null;

  @Field(() => String, { nullable: true })
  uri!: string | null;
}

@ObjectType({ description: 'One play of a track.' })
export class Play {
  @Field(() => Date, { description: 'When the play ended (as Spotify reports it), UTC.' })
  playedAt!: Date;

  @Field(() => Int, { nullable: true, description: 'How long it played, when known.' })
  msPlayed!: number | null;

  @Field(() => PlaySource)
  source!: PlaySource;

  @Field(() => PlayContext, { nullable: true })
  context!: PlayContext | null;

  /** Resolved by PlayResolver (batched). */
  trackId!: string;

  /** The key of this play in the history's order, for its cursor. */
  position!: HistoryPosition;
}
