import { createUnionType, Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Album, Artist, Track } from '../catalogue/catalogue.type.js';
import { PageInfo } from '../relay/page-info.type.js';
import { Milliseconds } from '../stats/stats.types.js';

export enum SearchKind {
  TRACK = 'track',
  ALBUM = 'album',
  ARTIST = 'artist',
}

registerEnumType(SearchKind, {
  name: 'SearchKind',
  description: 'What a search result is.',
  valuesConfig: { TRACK: { description: 'A track: `item` is a Track.' }, ALBUM: { description: 'An album: `item` is an Album.' }, ARTIST: { description: 'An artist: `item` is an Artist.' } },
});

export const SearchItem = createUnionType({
  name: 'SearchItem',
  description: 'A track, album or artist: its __typename says which.',
  types: () => [Track, Album, Artist] as const,
  // The catalogue's nodes are plain objects that say their type (to-catalogue.ts).
  resolveType: (item) => item.__typename,
});

@ObjectType({ description: 'A track, album or artist you played whose name matched a search, with how much you played it.' })
export class SearchHit {
  @Field(() => SearchKind, { description: 'Whether it is a track, an album or an artist.' })
  kind!: SearchKind;

  @Field(() => Int, { description: 'Your counted plays of it, all time (as topTracks, topAlbums and topArtists count them).' })
  plays!: number;

  @Field(() => Milliseconds, { description: 'Their listening time in milliseconds.' })
  msPlayed!: number;

  @Field(() => SearchItem, { description: 'The track, album or artist.' })
  item!: Track | Album | Artist;
}

@ObjectType({ description: 'A search result and its cursor.' })
export class SearchHitEdge {
  @Field(() => String, { description: 'Opaque position in the results: pass it as `after` for the results that follow.' })
  cursor!: string;

  @Field(() => SearchHit, { description: 'The result.' })
  node!: SearchHit;
}

@ObjectType({ description: 'A page of search results, most played first.' })
export class SearchConnection {
  @Field(() => [SearchHitEdge], { description: 'The page’s results, most played first.' })
  edges!: SearchHitEdge[];

  @Field(() => PageInfo, { description: 'Whether results follow this page, and the cursor to read them from.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'How many tracks, albums and artists matched in all.' })
  totalCount!: number;
}
