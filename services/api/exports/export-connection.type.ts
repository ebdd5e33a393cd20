import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from '../relay/page-info.type.js';
import { Export } from './export.type.js';

@ObjectType({ description: 'An export and its cursor.' })
export class ExportEdge {
  @Field(() => String, { description: 'Opaque position of this export: pass it as `after` (or `before`) to read on from it.' })
  cursor!: string;

  @Field(() => Export, { description: 'The export.' })
  node!: Export;
}

@ObjectType({ description: 'A page of the user’s exports that have not expired, newest first (a Relay connection).' })
export class ExportConnection {
  @Field(() => [ExportEdge], { description: 'The page’s exports, newest first, whichever way it was read.' })
  edges!: ExportEdge[];

  @Field(() => PageInfo, { description: 'Whether exports precede or follow this page, and the cursors to read them from.' })
  pageInfo!: PageInfo;

  // totalCount: ExportsResolver's field resolver, computed only when asked for.
  userId!: string;
}
