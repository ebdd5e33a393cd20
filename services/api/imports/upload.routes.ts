import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { Router, type Request, type Response } from 'express';
import type { MikroORM } from '../../features/open-orm.js';
import { completeUpload, discardUpload, finishImport, reserveImport } from '../../features/streaming-history/data/imports.repository.js';
import { deleteUpload, uploadPath } from '../../features/streaming-history/import-files.js';
import { toGlobalId } from '../relay/global-id.js';
import { enqueueImport } from '../../features/streaming-history/import-jobs.js';
import type { ImportJobData } from '../../shared/jobs/job-registry.js';
import { RequestAuth } from '../auth/request-auth.js';
import { sessionTokenFrom } from '../auth/session-credentials.js';
import { sendError } from '../http/error-handler.js';
import { requestIdOf, requestLogger } from '../http/request-context.js';

export interface UploadRouteDeps {
  orm: MikroORM;
  importQueue: Queue<ImportJobData>;
  cookieName: string;
  importDir: string;
  maxBytes: number;
  maxPending: number;
  /** Bytes one user's uploads may take on disk at once: pending imports' and failed ones' (kept to be retried). */
  maxUserBytes: number;
}

// Not CORS-safelisted types: a cross-site form cannot send them, so a session cookie alone cannot be abused (CSRF).
const ACCEPTED_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/json', 'application/x-ndjson', 'application/jsonl', 'application/octet-stream'];

/**
 * `POST /imports`: the body is the streaming history itself — Spotify's zip, or one of its
 * `Streaming_History_Audio_*.json` files, or a ListenBrainz export (its zip of `listens/YYYY/M.jsonl`, or one
 * file of JSON lines) — authenticated like GraphQL (Bearer token or session cookie).
 *
 * Before a byte of the body is read, the upload takes its place among the user's pending imports
 * (IMPORT_MAX_PENDING) and its declared size is reserved on their disk quota (IMPORT_MAX_USER_BYTES),
 * both decided under a lock on the user (reserveImport), so parallel uploads cannot all slip past the
 * limits. The body is then streamed to IMPORT_DIR and never held in memory; past IMPORT_MAX_BYTES it is
 * cut off with 413. An upload that does not complete gives its place back and leaves no file. A
 * complete one is queued: 202 with the import's id, whose progress GraphQL's `import(id)` reports.
 */
export function uploadRoutes(deps: UploadRouteDeps): Router {
  const router = Router();
  router.post('/', async (req: Request, res: Response) => {
    const log = requestLogger(res);
    res.setHeader('Cache-Control', 'no-store');
    const em = deps.orm.em.fork() as EntityManager;
    const session = await new RequestAuth(em, sessionTokenFrom(req.headers, deps.cookieName)).lookup();
    if (!session) return sendError(res, 401, 'UNAUTHENTICATED', 'Log in first: send the session token as a Bearer token or the session cookie.');
    if (session.userStatus === 'disabled') return sendError(res, 403, 'ACCOUNT_DISABLED', 'This Playlog account is disabled; ask the operator.');
    if (!ACCEPTED_TYPES.some((type) => req.is(type))) {
      return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', `Send the streaming history as the request body with Content-Type ${ACCEPTED_TYPES.join(', ')}.`);
    }
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > deps.maxBytes) return refuseBody(res, () => tooLarge(res, deps.maxBytes));

    const id = randomUUID();
    const filePath = uploadPath(deps.importDir, id);
    const fileName = uploadName(req);
    // Without a declared length (chunked), the most an upload may be is reserved.
    const reservedBytes = Number.isSafeInteger(declared) && declared >= 0 ? declared : deps.maxBytes;
    const reservation = await reserveImport(em, { id, userId: session.userId, fileName, filePath, reservedBytes, maxPending: deps.maxPending, maxUserBytes: deps.maxUserBytes });
    if ('refused' in reservation) {
      if (reservation.refused === 'too_many_pending') {
        return refuseBody(res, () =>
          sendError(res, 429, 'TOO_MANY_IMPORTS', `You already have ${deps.maxPending} imports uploading, queued or running; wait for one to finish or cancel one.`),
        );
      }
      return refuseBody(res, () =>
        sendError(
          res,
          413,
          'IMPORT_QUOTA_EXCEEDED',
          `Your uploads already take ${reservation.heldBytes} of the ${deps.maxUserBytes} bytes each user may keep (IMPORT_MAX_USER_BYTES); cancel failed imports to delete their files, or wait for pending ones to finish.`,
        ),
      );
    }

    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        bytes += chunk.length;
        if (bytes > deps.maxBytes) return callback(new UploadTooLarge());
        callback(null, chunk);
      },
    });
    const giveBack = async () => {
      await deleteUpload(filePath);
      await discardUpload(em, id);
    };
    try {
      // Made at start-up (prepareImportDir); again here should someone have removed it since.
      await mkdir(deps.importDir, { recursive: true, mode: 0o700 });
      await pipeline(req, counter, createWriteStream(filePath, { mode: 0o600 }));
    } catch (error) {
      await giveBack();
      if (error instanceof UploadTooLarge) return refuseBody(res, () => tooLarge(res, deps.maxBytes));
      log.warn({ err: error, userId: session.userId }, 'upload aborted');
      if (!res.headersSent && !req.destroyed) sendError(res, 400, 'BAD_REQUEST', 'The upload did not complete.');
      return;
    }
    if (bytes === 0) {
      await giveBack();
      return sendError(res, 400, 'BAD_REQUEST', 'The upload is empty: send the streaming history as the request body.');
    }
    if (!(await completeUpload(em, id, bytes))) {
      // The account was deleted while the body arrived.
      await deleteUpload(filePath);
      return sendError(res, 401, 'UNAUTHENTICATED', 'This account no longer exists.');
    }
    try {
      await enqueueImport(deps.importQueue, id, requestIdOf(res));
    } catch (error) {
      log.warn({ err: error, userId: session.userId, importId: id }, 'could not enqueue an import');
      await deleteUpload(filePath);
      await finishImport(em, id, 'failed', 'The job queue could not be reached; upload the file again.', { fileDeleted: true }).catch(() => undefined);
      return sendError(res, 503, 'SERVICE_UNAVAILABLE', 'The job queue cannot be reached right now; try again shortly.');
    }
    log.info({ userId: session.userId, importId: id, bytes }, 'import uploaded and queued');
    // The import's global id: what `node(id:)` and cancelImport take.
    res.status(202).json({ id: toGlobalId({ type: 'Import', importId: id }), status: 'queued', fileName, bytes });
  });
  return router;
}

class UploadTooLarge extends Error {}

/** Answers without reading the body: the connection is closed after the answer rather than drained. */
function refuseBody(res: Response, answer: () => void): void {
  res.setHeader('Connection', 'close');
  answer();
}

function tooLarge(res: Response, maxBytes: number): void {
  sendError(res, 413, 'PAYLOAD_TOO_LARGE', `The upload is larger than this server accepts (${maxBytes} bytes, IMPORT_MAX_BYTES).`);
}

/** The name to show for the upload: `?filename=`, else a generic one; never used as a path. */
function uploadName(req: Request): string {
  const given = typeof req.query.filename === 'string' ? req.query.filename : '';
  const clean = given.replace(/[^\w .()-]/g, '_').slice(0, 200);
  if (clean) return clean;
  if (req.is('application/json')) return 'streaming-history.json';
  if (req.is('application/x-ndjson') || req.is('application/jsonl')) return 'listens.jsonl';
  return 'streaming-history.zip';
}
