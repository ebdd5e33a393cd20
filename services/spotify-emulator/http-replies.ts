import type { Response } from 'express';
import type { EmulatorState } from './emulator-state.js';

/**
 * Writes a JSON answer. When a malformed-body fault was drawn for this request the body is cut in
 * half (as a dropped proxy connection or a buggy gateway would), with the status and headers intact.
 */
export function sendJson(res: Response, status: number, body: unknown, state: EmulatorState): void {
  let text = JSON.stringify(body);
  if (res.locals.malformed === true) {
    state.stats.countFault('malformed');
    text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  }
  res.status(status).type('application/json; charset=utf-8').set('cache-control', 'private, max-age=0').send(text);
}

/** Spotify's Web API error body: `{"error":{"status":401,"message":"..."}}`. */
export function sendWebApiError(res: Response, status: number, message: string, state: EmulatorState, extra: Record<string, unknown> = {}): void {
  sendJson(res, status, { error: { status, message, ...extra } }, state);
}

/** What a gateway in front of Spotify answers when the service behind it is down: HTML, not JSON. */
export function sendGatewayPage(res: Response): void {
  res
    .status(502)
    .type('text/html; charset=utf-8')
    .send('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n');
}

/** OAuth error body of the accounts service: `{"error":"invalid_grant","error_description":"..."}`. */
export function sendOAuthError(res: Response, status: number, error: string, description: string, state: EmulatorState): void {
  sendJson(res, status, { error, error_description: description }, state);
}
