import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from '../relay/page-info.type.js';
import { Play } from './play.type.js';

// simpleResolvers: a history page resolves hundreds of these fields; graphql-js reads them as plain
// properties instead of through type-graphql's per-field wrapper (they have no middleware or auth).
@ObjectType({ simpleResolvers: true, description: 'A play and its cursor.' })
export class PlayEdge {
  @Field(() => String, { description: 'Opaque position of this play: pass it as `after` (or `before`) to read on from it.' })
  cursor!: string;

  @Field(() => Play, { description: 'The play.' })
  node!: Play;
}

/** What totalCount counts: the connection's user, range and tracks (not exposed). */
export interface PlayCountScope {
  userId: string;
  from?: Date;
  to?: Date;
  /** Only these tracks' plays, when the history is filtered. */
  trackIds?: readonly string[];
}

@ObjectType({ description: 'A page of the user’s plays, newest first (a Relay connection).' })
export class PlayConnection {
  @Field(() => [PlayEdge], { description: 'The page’s plays, newest first, whichever way it was read.' })
  edges!: PlayEdge[];

  @Field(() => PageInfo, { description: 'Whether plays precede or follow this page, and the cursors to read them from.' })
  pageInfo!: PageInfo;

  // totalCount: HistoryResolver's field resolver, computed only when asked for.
  scope!: PlayCountScope;
}
