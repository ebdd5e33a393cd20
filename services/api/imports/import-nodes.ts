import { findImportsOf } from '../../features/streaming-history/data/import-pages.repository.js';
import type { ApiContext } from '../graphql/context.js';
import type { Import } from './import.type.js';
import { toImport } from './to-import.js';

/** The viewer's imports of these ids (for `node`), by id; anyone else's never. */
export async function loadImportNodes(ctx: ApiContext, viewerId: string, ids: readonly string[]): Promise<Map<string, Import>> {
  const found = await findImportsOf(ctx.em, viewerId, ids);
  return new Map([...found].map(([id, record]) => [id, toImport(record)]));
}
