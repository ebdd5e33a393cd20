import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchemaSync } from 'type-graphql';
import { ImportsResolver } from '../imports/imports.resolver.js';
import { AccountResolver } from './resolvers/account.resolver.js';
import { AuthResolver } from './resolvers/auth.resolver.js';
import { HistoryResolver } from './resolvers/history.resolver.js';
import { MeResolver } from './resolvers/me.resolver.js';

let schema: GraphQLSchema | undefined;

/**
 * The API's schema, from the type-graphql resolvers (built once per process: type-graphql's metadata is global).
 * Dates are the `DateTime` scalar (RFC 3339, UTC out). `schema.graphql` is printed from this by scripts/generate-schema.ts.
 */
export function buildApiSchema(): GraphQLSchema {
  schema ??= buildSchemaSync({
    resolvers: [AuthResolver, MeResolver, HistoryResolver, AccountResolver, ImportsResolver],
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    // Arguments are checked where they are used, with messages that say what is allowed.
    validate: false,
  });
  return schema;
}
