import { SafeIntResolver } from 'graphql-scalars';
import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

/** Listening time in milliseconds: a whole number beyond Int's 32 bits (24 days of listening pass them). */
export const Milliseconds = SafeIntResolver;

@InputType({ description: 'A span of time: `from` inclusive, `to` exclusive, each between 1900-01-01T00:00:00Z and 2200-01-01T00:00:00Z; either may be left out (unbounded).' })
export class StatsRange {
  @Field(() => Date, { nullable: true, description: 'Only plays at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only plays before this instant.' })
  to?: Date | null;
}

export enum ActivityBucket {
  DAY = 'day',
  WEEK = 'week',
  MONTH = 'month',
  YEAR = 'year',
}

registerEnumType(ActivityBucket, {
  name: 'ActivityBucket',
  description: 'The length of the buckets of listeningActivity, in the time zone of the query.',
  valuesConfig: {
    DAY: { description: 'Local days, from midnight.' },
    WEEK: { description: 'ISO weeks, from Monday midnight.' },
    MONTH: { description: 'Calendar months.' },
    YEAR: { description: 'Calendar years.' },
  },
});

@ObjectType({ description: 'The counted plays of one bucket of time.' })
export class ActivityPoint {
  @Field(() => Date, { description: 'When the bucket starts: its local midnight (or the first instant of that day, when midnight does not exist there), as an instant.' })
  start!: Date;

  @Field(() => Int, { description: 'Plays in the bucket (and in the range) that count: polled ones, and imported ones of 30 seconds or more.' })
  plays!: number;

  @Field(() => Milliseconds, { description: 'Their listening time in milliseconds.' })
  msPlayed!: number;
}

@ObjectType({ description: 'The counted plays of one hour of one weekday, in the time zone of the query.' })
export class ClockCell {
  @Field(() => Int, { description: 'The weekday: 1 = Monday … 7 = Sunday.' })
  weekday!: number;

  @Field(() => Int, { description: 'The hour of the day, 0 to 23.' })
  hour!: number;

  @Field(() => Int, { description: 'Counted plays that ended in this hour.' })
  plays!: number;

  @Field(() => Milliseconds, { description: 'Their listening time in milliseconds.' })
  msPlayed!: number;
}

@ObjectType({ description: 'A run of consecutive local days, each with at least one counted play.' })
export class Streak {
  @Field(() => Int, { description: 'How many days it lasted.' })
  days!: number;

  @Field(() => String, { description: 'Its first local day, YYYY-MM-DD.' })
  from!: string;

  @Field(() => String, { description: 'Its last local day, YYYY-MM-DD.' })
  to!: string;
}

@ObjectType({ description: 'What a listener listened to over a range, counted as Spotify counts (docs/stats.md).' })
export class ListeningSummary {
  @Field(() => Int, { description: 'Counted plays: polled ones, and imported ones of 30 seconds or more.' })
  plays!: number;

  @Field(() => Milliseconds, { description: 'Their listening time in milliseconds (a play’s own time where known, else its track’s length).' })
  msPlayed!: number;

  @Field(() => Int, { description: 'Distinct tracks among them.' })
  distinctTracks!: number;

  @Field(() => Int, { description: 'Distinct artists credited on those tracks.' })
  distinctArtists!: number;

  @Field(() => Int, { description: 'Distinct albums of those tracks.' })
  distinctAlbums!: number;

  @Field(() => Int, { description: 'Local days with at least one counted play.' })
  activeDays!: number;

  @Field(() => Date, { nullable: true, description: 'The first counted play; null when there is none.' })
  firstPlayedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'The last counted play; null when there is none.' })
  lastPlayedAt!: Date | null;

  @Field(() => Streak, { nullable: true, description: 'The longest run of consecutive active local days (the latest, when two are as long); null when there is no play.' })
  longestStreak!: Streak | null;
}
