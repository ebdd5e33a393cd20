import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Track } from './catalogue.type.js';

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

// simpleResolvers: a history page resolves hundreds of these fields; graphql-js reads them as plain
// properties instead of through type-graphql's per-field wrapper (they have no middleware or auth).
@ObjectType({ simpleResolvers: true, description: 'What a play was started from (an album, a playlist, an artist...).' })
export class PlayContext {
  @Field(() => String, { nullable: true, description: 'Spotify’s context type, e.g. album, playlist, artist.' })
  type!: string | null;

  @Field(() => String, { nullable: true })
  uri!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'One play of a track.' })
export class Play {
  @Field(() => Date, { description: 'When the play ended (as Spotify reports it), UTC.' })
  playedAt!: Date;

  @Field(() => Int, { nullable: true, description: 'How long it played, when known.' })
  msPlayed!: number | null;

  @Field(() => PlaySource)
  source!: PlaySource;

  @Field(() => PlayContext, { nullable: true })
  context!: PlayContext | null;

  @Field(() => Track, { description: 'The track played, with its album and artists.' })
  track!: Track;
}
