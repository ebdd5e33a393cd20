import { ArgsType, Field, Int } from 'type-graphql';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

@ArgsType()
export class HistoryArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE, description: `Plays per page, 1 to ${MAX_PAGE_SIZE}.` })
  first!: number | null;

  @Field(() => String, { nullable: true, description: 'Continue after this cursor (an edge’s cursor or pageInfo.endCursor).' })
  after!: string | null;

  @Field(() => Date, { nullable: true, description: 'Only plays at or after this instant (inclusive).' })
  from!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only plays before this instant (exclusive).' })
  to!: Date | null;
}
