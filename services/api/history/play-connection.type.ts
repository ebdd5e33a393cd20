import { Field, ObjectType } from 'type-graphql';
import { Play } from './play.type.js';

// simpleResolvers: a history page resolves hundreds of these fields; graphql-js reads them as plain
// properties instead of through type-graphql's per-field wrapper (they have no middleware or auth).
@ObjectType({ simpleResolvers: true, description: 'A play and its cursor.' })
export class PlayEdge {
  @Field(() => String, { description: 'Opaque position of this play: pass it as `after` to continue after it.' })
  cursor!: string;

  @Field(() => Play)
  node!: Play;
}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether older plays follow this page.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last play of this page; null when the page is empty.' })
  endCursor!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A page of plays, newest first (Relay connection).' })
export class PlayConnection {
  @Field(() => [PlayEdge])
  edges!: PlayEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
