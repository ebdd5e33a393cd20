import { findExportsOf } from '../../features/exports/data/export-pages.repository.js';
import type { ApiContext } from '../graphql/context.js';
import type { Export } from './export.type.js';
import { toExport } from './to-export.js';

/** The viewer's exports of these ids that have not expired (for `node`), by id; anyone else's never. */
export async function loadExportNodes(ctx: ApiContext, viewerId: string, ids: readonly string[]): Promise<Map<string, Export>> {
  const found = await findExportsOf(ctx.em, viewerId, ids);
  return new Map([...found].map(([id, record]) => [id, toExport(record)]));
}
