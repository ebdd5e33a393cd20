import { Field, ObjectType } from 'type-graphql';
import { Play } from './play.type.js';

@ObjectType({ description: 'A play and its cursor.' })
export class PlayEdge {
  @Field(() => String, { description: 'Opaque position of this play: pass it as `after` to continue after it.' })
  cursor!: string;

  @Field(() => Play)
  node!: Play;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether older plays follow this page.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last play of this page; null when the page is empty.' })
  endCursor!: string | null;
}

@ObjectType({ description: 'A page of plays, newest first (Relay connection).' })
export class PlayConnection {
  @Field(() => [PlayEdge])
  edges!: PlayEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
