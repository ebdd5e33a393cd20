import { ArgsType, Field, Int } from 'type-graphql';
import type { PageDirection } from '../../shared/db/paging/page-direction.js';
import { badUserInput } from '../app-error.js';

/** The paging arguments of every connection (GraphQL Cursor Connections specification). */
@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: 'Read forward: at most this many edges from the start (or after `after`). The default when neither first nor last is given.' })
  first!: number | null;

  @Field(() => String, { nullable: true, description: 'Only edges after this cursor (an edge’s cursor, or pageInfo.endCursor to read the next page).' })
  after!: string | null;

  @Field(() => Int, { nullable: true, description: 'Read backward: at most this many edges from the end (or before `before`).' })
  last!: number | null;

  @Field(() => String, { nullable: true, description: 'Only edges before this cursor (an edge’s cursor, or pageInfo.startCursor to read the previous page).' })
  before!: string | null;
}

export interface PageSize {
  direction: PageDirection;
  size: number;
}

/** Which way and how far a page reads; first and last together, or out of range, are BAD_USER_INPUT. */
export function pageSizeOf(args: ConnectionArgs, limits: { defaultSize: number; maxSize: number }): PageSize {
  const { first, last } = args;
  if (first !== null && first !== undefined && last !== null && last !== undefined) {
    throw badUserInput('pass first (to read forward) or last (to read backward), not both', 'last');
  }
  const backward = last !== null && last !== undefined;
  const size = backward ? last : (first ?? limits.defaultSize);
  const argument = backward ? 'last' : 'first';
  if (!Number.isInteger(size) || size < 1 || size > limits.maxSize) throw badUserInput(`${argument} must be between 1 and ${limits.maxSize}`, argument);
  return { direction: backward ? 'backward' : 'forward', size };
}

/** The page size a cost estimate assumes: the requested one within the allowed range (out of range is refused later, as BAD_USER_INPUT). */
export function pageSizeForCost(args: { first?: unknown; last?: unknown }, limits: { defaultSize: number; maxSize: number }): number {
  const requested = typeof args.last === 'number' ? args.last : args.first;
  if (typeof requested !== 'number' || !Number.isFinite(requested)) return limits.defaultSize;
  return Math.min(limits.maxSize, Math.max(1, Math.trunc(requested)));
}
