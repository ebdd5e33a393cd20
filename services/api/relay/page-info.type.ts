import { Field, ObjectType } from 'type-graphql';

// simpleResolvers: plain data, read as properties (no middleware or auth on these fields).
@ObjectType({ simpleResolvers: true, description: 'Where a page of a connection lies within it (GraphQL Cursor Connections specification).' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether more edges follow this page (pass endCursor as `after` with `first` to read them).' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'Whether more edges precede this page (pass startCursor as `before` with `last` to read them).' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge of this page; null when the page is empty.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge of this page; null when the page is empty.' })
  endCursor!: string | null;
}
