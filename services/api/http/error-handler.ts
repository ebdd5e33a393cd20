import type { NextFunction, Request, Response } from 'express';
import { AppError, type AppErrorCode } from '../app-error.js';
import { requestIdOf, requestLogger } from './request-context.js';

/** The HTTP status of each error code, wherever the API answers with one outside GraphQL (login, uploads). */
const HTTP_STATUS: Record<AppErrorCode, number> = {
  UNAUTHENTICATED: 401,
  BAD_USER_INPUT: 400,
  LOGIN_STATE_INVALID: 400,
  SPOTIFY_LOGIN_DENIED: 403,
  SPOTIFY_LOGIN_FAILED: 400,
  SPOTIFY_UNAVAILABLE: 502,
  ACCOUNT_DISABLED: 403,
  QUERY_TOO_COMPLEX: 400,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  TIMEOUT: 504,
  BUSY: 429,
};

export const httpStatusOf = (code: AppErrorCode): number => HTTP_STATUS[code];

/** A GraphQL-shaped error body, so clients read every error of the API the same way. */
export function sendError(res: Response, status: number, code: string, message: string): void {
  res
    .status(status)
    .setHeader('Cache-Control', 'no-store')
    .json({ errors: [{ message, extensions: { code, requestId: requestIdOf(res) } }] });
}

/** Errors body-parser raises for a bad request, by its `type`. */
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than this API accepts.' },
  'entity.parse.failed': { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON.' },
  'entity.verify.failed': { status: 400, code: 'BAD_REQUEST', message: 'The request body could not be read.' },
  'encoding.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The request body’s Content-Encoding is not supported.' },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The request body’s charset is not supported: send UTF-8 JSON.' },
  'request.aborted': { status: 400, code: 'BAD_REQUEST', message: 'The request was aborted.' },
  'request.size.invalid': { status: 400, code: 'BAD_REQUEST', message: 'The request body does not match its Content-Length.' },
  'stream.encoding.set': { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error.' },
};

export function notFound(req: Request, res: Response): void {
  sendError(res, 404, 'NOT_FOUND', `Nothing at ${req.method} ${req.path}: GraphQL is served at /graphql.`);
}

/**
 * The one place HTTP-level errors become responses: a feature's AppError gets its code's status and its
 * message, bad bodies get a 4xx with a stable code, anything unexpected is logged with the request id and
 * answered 500 with that id only (no message, no stack).
 */
export function errorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  if (err instanceof AppError) return sendError(res, httpStatusOf(err.code), err.code, err.message);
  const type = typeof err === 'object' && err !== null && 'type' in err ? String((err as { type: unknown }).type) : '';
  const known = BODY_ERRORS[type];
  if (known && known.status < 500) return sendError(res, known.status, known.code, known.message);
  const status = typeof err === 'object' && err !== null && 'status' in err ? Number((err as { status: unknown }).status) : 500;
  if (status >= 400 && status < 500) return sendError(res, status, 'BAD_REQUEST', 'The request could not be read.');
  requestLogger(res).error({ err }, 'unexpected error while handling a request');
  sendError(res, 500, 'INTERNAL_SERVER_ERROR', `Internal server error (request id ${requestIdOf(res)}).`);
}
