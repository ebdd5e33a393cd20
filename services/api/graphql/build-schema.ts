import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchemaSync } from 'type-graphql';
import { ListenBrainzResolver } from '../listenbrainz/listenbrainz.resolver.js';
import { AccountResolver } from '../account/account.resolver.js';
import { AuthResolver } from '../auth/auth.resolver.js';
import { ExportsResolver } from '../exports/exports.resolver.js';
import { HistoryResolver } from '../history/history.resolver.js';
import { ImportsResolver } from '../imports/imports.resolver.js';
import { NodeResolver } from '../node/node.resolver.js';
import { RankingsResolver } from '../stats/rankings.resolver.js';
import { StatsResolver } from '../stats/stats.resolver.js';
import { YearInReviewResolver } from '../stats/year-in-review.resolver.js';
import { SearchResolver } from '../search/search.resolver.js';

let schema: GraphQLSchema | undefined;

/**
 * The API's schema, assembled from each feature's resolvers (built once per process: type-graphql's
 * metadata is global). Dates are the `DateTime` scalar (RFC 3339, UTC out). `schema.graphql` is printed
 * from this by scripts/generate-schema.ts.
 */
export function buildApiSchema(): GraphQLSchema {
  schema ??= buildSchemaSync({
    resolvers: [AuthResolver, AccountResolver, ListenBrainzResolver, HistoryResolver, ImportsResolver, ExportsResolver, NodeResolver, StatsResolver, RankingsResolver, YearInReviewResolver, SearchResolver],
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    // Arguments are checked where they are used, with messages that say what is allowed.
    validate: false,
  });
  return schema;
}
