import { ArgsType, Field } from 'type-graphql';
import { ConnectionArgs } from '../relay/connection-args.js';

export const HISTORY_PAGE_LIMITS = { defaultSize: 50, maxSize: 200 } as const;

@ArgsType()
export class HistoryArgs extends ConnectionArgs {
  @Field(() => Date, { nullable: true, description: 'Only plays at or after this instant (inclusive).' })
  from!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only plays before this instant (exclusive).' })
  to!: Date | null;
}
