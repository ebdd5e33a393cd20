import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { parse } from 'graphql';
import { LRUCache } from 'lru-cache';
import { fieldCountExcess, type FieldCountLimits } from '../graphql/field-count-limit.js';
import { sendError } from './error-handler.js';

export interface GraphqlGuardLimits extends FieldCountLimits {
  /** The same token limit Apollo parses with. */
  maxTokens: number;
  /** Deepest nesting of arrays and objects in `variables` and `extensions`. */
  maxVariableDepth: number;
}

// Documents already found within the limits, by the hash of their text: a client repeating its queries
// pays for the check once. Capped in bytes (a hash is 64 characters), like every cache of client input.
const CHECKED_BYTES = 256 * 1024;
const HASH_ENTRY_BYTES = 200;

/**
 * What Apollo cannot refuse cheaply, refused before it sees the request, each in time linear in the
 * request's size:
 * - a document with more fields than `maxFields`, or more than `maxSameName` fields merged into one
 *   response field (HTTP 400 QUERY_TOO_COMPLEX): graphql-js's validation compares every pair of fields
 *   merged into one, so a few hundred copies of one field, within the token limit, would cost a large
 *   share of a CPU core each before any rule refused them (Apollo's hooks cannot stop a request before
 *   validation: an error thrown there is answered 500);
 * - a fragment spread within itself (HTTP 400 GRAPHQL_VALIDATION_FAILED, as validation would answer);
 * - variables or extensions nested deeper than `maxVariableDepth` (HTTP 400 BAD_REQUEST), which would
 *   otherwise exhaust the stack of the recursive code that reads them.
 * A document that does not parse is left to Apollo, which answers GRAPHQL_PARSE_FAILED.
 */
export function graphqlGuard(limits: GraphqlGuardLimits): (req: Request, res: Response, next: NextFunction) => void {
  const checked = new LRUCache<string, true>({ maxSize: CHECKED_BYTES, sizeCalculation: () => HASH_ENTRY_BYTES });
  return (req, res, next) => {
    const body: unknown = req.method === 'GET' ? req.query : req.body;
    if (typeof body !== 'object' || body === null) return next();
    const { query, variables, extensions } = body as { query?: unknown; variables?: unknown; extensions?: unknown };
    for (const [name, value] of [['variables', variables], ['extensions', extensions]] as const) {
      if (nestingDeeperThan(typeof value === 'string' ? parsedJson(value) : value, limits.maxVariableDepth)) {
        return sendError(res, 400, 'BAD_REQUEST', `The ${name} are nested deeper than ${limits.maxVariableDepth} levels.`);
      }
    }
    if (typeof query !== 'string') return next();
    const hash = createHash('sha256').update(query).digest('hex');
    if (checked.has(hash)) return next();
    let excess;
    try {
      excess = fieldCountExcess(parse(query, { noLocation: true, maxTokens: limits.maxTokens }), limits);
    } catch {
      return next();
    }
    if (!excess) {
      checked.set(hash, true);
      return next();
    }
    if (excess.limit === 'cycle') {
      return sendError(res, 400, 'GRAPHQL_VALIDATION_FAILED', `Cannot spread fragment "${excess.name.slice(0, 64)}" within itself.`);
    }
    const message =
      excess.limit === 'fields'
        ? `The operation has more than ${limits.maxFields} fields (fragments counted each time they are spread); ask for fewer.`
        : `The operation asks for "${excess.name.slice(0, 64)}" more than ${limits.maxSameName} times in one place (fragments included); ask for each field once.`;
    sendError(res, 400, 'QUERY_TOO_COMPLEX', message);
  };
}

/** A GET request's `variables` (JSON in the query string); what is not JSON is left to Apollo to refuse. */
function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether arrays and objects nest deeper than `max`; iterative, so any depth is measured without recursion. */
export function nestingDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current as Record<string, unknown>)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}
