import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Router, type Request, type Response } from 'express';
import type { MikroORM } from '../../features/open-orm.js';
import { findExport } from '../../features/exports/data/exports.repository.js';
import { EXPORT_FORMAT_WRITERS } from '../../features/exports/export-formats.js';
import { exportPath } from '../../features/exports/export-files.js';
import { RequestAuth } from '../auth/request-auth.js';
import { sessionTokenFrom } from '../auth/session-credentials.js';
import { sendError } from '../http/error-handler.js';
import { requestLogger } from '../http/request-context.js';
import { parseGlobalId } from '../relay/global-id.js';

export interface DownloadRouteDeps {
  orm: MikroORM;
  cookieName: string;
  exportDir: string;
}

const notFound = (res: Response) => sendError(res, 404, 'NOT_FOUND', 'You have no export of this id (or it has expired).');

/** `playlog-csv-2026-12-05.csv`: what the file is and when it was asked for. */
export const downloadName = (format: string, createdAt: Date, extension: string): string => `playlog-${format.replace(/_/g, '-')}-${createdAt.toISOString().slice(0, 10)}.${extension}`;

/**
 * `GET /exports/:id/download`: a completed export's file, streamed, to its owner alone, authenticated
 * like GraphQL and POST /imports (Bearer token or session cookie). Anyone else, an id of nothing and an
 * expired export get the same 404, so the answer never tells whether an export exists. The file is read
 * from this API's EXPORT_DIR by the export's id, never from a path a row or a client holds.
 */
export function downloadRoutes(deps: DownloadRouteDeps): Router {
  const router = Router();
  router.get('/:id/download', async (req: Request<{ id: string }>, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    const em = deps.orm.em.fork() as EntityManager;
    const session = await new RequestAuth(em, sessionTokenFrom(req.headers, deps.cookieName)).lookup();
    if (!session) return sendError(res, 401, 'UNAUTHENTICATED', 'Log in first: send the session token as a Bearer token or the session cookie.');
    const key = parseGlobalId(req.params.id);
    if (key?.type !== 'Export') return notFound(res);
    const record = await findExport(em, key.exportId, { userId: session.userId });
    if (!record) return notFound(res);
    if (record.status !== 'completed') return sendError(res, 409, 'EXPORT_NOT_READY', `This export is ${record.status}: download it once its status is COMPLETED.`);
    const format = EXPORT_FORMAT_WRITERS[record.format];
    const path = exportPath(deps.exportDir, record.id, format.extension);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return notFound(res);
    res.status(200);
    res.setHeader('Content-Type', format.contentType);
    res.setHeader('Content-Length', String(info.size));
    res.setHeader('Content-Disposition', `attachment; filename="${downloadName(record.format, record.createdAt, format.extension)}"`);
    try {
      await pipeline(createReadStream(path), res);
    } catch (error) {
      // The client went away, or the file was swept meanwhile: the response is cut short either way.
      requestLogger(res).info({ err: error, exportId: record.id }, 'export download did not complete');
      res.destroy();
    }
  });
  return router;
}
