import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Album, Artist, Track } from '../catalogue/catalogue.type.js';
import { PageInfo } from '../relay/page-info.type.js';
import { Milliseconds } from './stats.types.js';

export enum RankOrder {
  PLAYS = 'plays',
  TIME = 'time',
}

registerEnumType(RankOrder, {
  name: 'RankOrder',
  description: 'What a ranking ranks by; ties go to the other measure, then to the id.',
  valuesConfig: { PLAYS: { description: 'Counted plays, most first.' }, TIME: { description: 'Listening time, most first.' } },
});

/** The measures of a ranked track, album or artist, and its place. */
@ObjectType()
abstract class Ranked {
  @Field(() => Int, { description: 'The 1-based place in the ranking.' })
  rank!: number;

  @Field(() => Int, { description: 'Counted plays in the range.' })
  plays!: number;

  @Field(() => Milliseconds, { description: 'Their listening time in milliseconds.' })
  msPlayed!: number;

  @Field(() => Date, { description: 'The first of those plays.' })
  firstPlayedAt!: Date;

  @Field(() => Date, { description: 'The last of those plays.' })
  lastPlayedAt!: Date;
}

@ObjectType({ description: 'A track’s place among the listener’s tracks.' })
export class TrackRanking extends Ranked {
  @Field(() => Track, { description: 'The track.' })
  track!: Track;
}

@ObjectType({ description: 'An album’s place among the listener’s albums (a play of a track counts for its album).' })
export class AlbumRanking extends Ranked {
  @Field(() => Album, { description: 'The album.' })
  album!: Album;
}

@ObjectType({ description: 'An artist’s place among the listener’s artists (a play counts once for each artist credited on the track).' })
export class ArtistRanking extends Ranked {
  @Field(() => Artist, { description: 'The artist.' })
  artist!: Artist;
}

const edgeAndConnection = <T extends object>(node: new () => T, name: string, what: string) => {
  @ObjectType(`${name}Edge`, { description: `A ranked ${what} and its cursor.` })
  class Edge {
    @Field(() => String, { description: 'Opaque position in the ranking: pass it as `after` for the items that follow.' })
    cursor!: string;

    @Field(() => node, { description: `The ranked ${what}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of the listener’s ${what}s, best first.` })
  class Connection {
    @Field(() => [Edge], { description: 'The page’s items, best first.' })
    edges!: Edge[];

    @Field(() => PageInfo, { description: 'Whether items follow this page, and the cursor to read them from.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: `How many ${what}s the whole ranking holds.` })
    totalCount!: number;
  }
  return { Edge, Connection };
};

export const { Edge: TrackRankingEdge, Connection: TrackRankingConnection } = edgeAndConnection(TrackRanking, 'TrackRanking', 'track');
export const { Edge: AlbumRankingEdge, Connection: AlbumRankingConnection } = edgeAndConnection(AlbumRanking, 'AlbumRanking', 'album');
export const { Edge: ArtistRankingEdge, Connection: ArtistRankingConnection } = edgeAndConnection(ArtistRanking, 'ArtistRanking', 'artist');
