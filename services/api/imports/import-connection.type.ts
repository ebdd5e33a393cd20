import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from '../relay/page-info.type.js';
import { Import } from './import.type.js';

@ObjectType({ description: 'An import and its cursor.' })
export class ImportEdge {
  @Field(() => String, { description: 'Opaque position of this import: pass it as `after` (or `before`) to read on from it.' })
  cursor!: string;

  @Field(() => Import, { description: 'The import.' })
  node!: Import;
}

@ObjectType({ description: 'A page of the user’s imports, newest first (a Relay connection).' })
export class ImportConnection {
  @Field(() => [ImportEdge], { description: 'The page’s imports, newest first, whichever way it was read.' })
  edges!: ImportEdge[];

  @Field(() => PageInfo, { description: 'Whether imports precede or follow this page, and the cursors to read them from.' })
  pageInfo!: PageInfo;

  // totalCount: ImportsResolver's field resolver, computed only when asked for.
  userId!: string;
}
