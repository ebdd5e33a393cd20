import { Field, Int, ObjectType } from 'type-graphql';
import { AlbumRanking, ArtistRanking, TrackRanking } from './ranking.types.js';
import { ActivityPoint, ClockCell, ListeningSummary, Milliseconds } from './stats.types.js';

@ObjectType({ description: 'The local day with the most counted plays.' })
export class BusiestDay {
  @Field(() => String, { description: 'The local day, YYYY-MM-DD.' })
  date!: string;

  @Field(() => Int, { description: 'Its counted plays.' })
  plays!: number;

  @Field(() => Milliseconds, { description: 'Their listening time in milliseconds.' })
  msPlayed!: number;
}

@ObjectType({ description: 'A local calendar year of listening, in the time zone of the query.' })
export class YearInReview {
  @Field(() => Int, { description: 'The year.' })
  year!: number;

  @Field(() => String, { description: 'The IANA time zone the year, its days and hours were counted in.' })
  timeZone!: string;

  @Field(() => ListeningSummary, { description: 'The year’s summary.' })
  summary!: ListeningSummary;

  @Field(() => [TrackRanking], { description: 'The year’s five most played tracks.' })
  topTracks!: TrackRanking[];

  @Field(() => [ArtistRanking], { description: 'The year’s five most played artists.' })
  topArtists!: ArtistRanking[];

  @Field(() => [AlbumRanking], { description: 'The year’s five most played albums.' })
  topAlbums!: AlbumRanking[];

  @Field(() => BusiestDay, { nullable: true, description: 'The day with the most counted plays (the earliest, when several have as many); null in a year without plays.' })
  busiestDay!: BusiestDay | null;

  @Field(() => ClockCell, { nullable: true, description: 'The hour of the week with the most counted plays (the earliest, when several have as many); null in a year without plays.' })
  busiestHour!: ClockCell | null;

  @Field(() => Int, { description: 'How many artists were first heard this year (never played before it).' })
  newArtistCount!: number;

  @Field(() => [ArtistRanking], { description: 'The five most played of them this year (ranked among themselves).' })
  topNewArtists!: ArtistRanking[];

  @Field(() => [ActivityPoint], { description: 'The twelve months of the year, January first.' })
  months!: ActivityPoint[];
}
