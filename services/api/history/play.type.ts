import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Track } from '../catalogue/catalogue.type.js';
import { GLOBAL_ID, Node } from '../relay/node.type.js';

export enum PlaySource {
  POLL = 'poll',
  IMPORT = 'import',
  LISTENBRAINZ = 'listenbrainz',
}

registerEnumType(PlaySource, {
  name: 'PlaySource',
  description: 'How Playlog learned of a play.',
  valuesConfig: {
    POLL: { description: 'Read from Spotify’s recently played tracks.' },
    IMPORT: { description: 'Imported from a Spotify extended streaming history.' },
    LISTENBRAINZ: { description: 'Sent by one of the listener’s music players through the ListenBrainz API (docs/listenbrainz.md).' },
  },
});

// simpleResolvers: a history page resolves hundreds of these fields; graphql-js reads them as plain
// properties instead of through type-graphql's per-field wrapper (they have no middleware or auth).
@ObjectType({ simpleResolvers: true, description: 'What a play was started from: an album, a playlist, an artist…' })
export class PlayContext {
  @Field(() => String, { description: 'Spotify’s context type, such as album, playlist or artist.' })
  type!: string;

  @Field(() => String, { description: 'The Spotify URI of the context (spotify:playlist:…).' })
  uri!: string;
}

@ObjectType({ implements: Node, simpleResolvers: true, description: 'One play of a track by the user.' })
export class Play implements Node {
  __typename!: 'Play';

  @Field(() => ID, { description: GLOBAL_ID })
  id!: string;

  @Field(() => Date, { description: 'When the play ended (as Spotify reports it), in UTC.' })
  playedAt!: Date;

  @Field(() => Int, { nullable: true, description: 'How long the track played, in milliseconds; null when Spotify did not say (plays read by polling).' })
  msPlayed!: number | null;

  @Field(() => PlaySource, { description: 'How Playlog learned of the play.' })
  source!: PlaySource;

  @Field(() => PlayContext, { nullable: true, description: 'What the play was started from; null when Spotify gave nothing (a single track, a search…).' })
  context!: PlayContext | null;

  @Field(() => Track, { description: 'The track played, with its album and artists.' })
  track!: Track;
}
