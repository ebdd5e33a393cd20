import type { Response } from 'express';

/**
 * An error as ListenBrainz answers one (`{"code": 400, "error": "…"}`), so players show its message; a
 * refused listen also names the field at fault.
 */
export function sendListenBrainzError(res: Response, status: number, message: string, field: string | null = null): void {
  res
    .status(status)
    .setHeader('Cache-Control', 'no-store')
    .json({ code: status, error: message, ...(field === null ? {} : { field }) });
}

/** ListenBrainz's answer to an accepted submission. */
export const sendOk = (res: Response): void => void res.status(200).setHeader('Cache-Control', 'no-store').json({ status: 'ok' });
