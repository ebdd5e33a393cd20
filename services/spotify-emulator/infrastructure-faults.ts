import type { NextFunction, Request, Response } from 'express';
import type { EmulatorState } from './emulator-state.js';
import type { FaultTarget } from './faults.js';
import { sendGatewayPage, sendOAuthError, sendWebApiError } from './http-replies.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Middleware injecting what goes wrong between a client and Spotify: latency, dropped connections,
 * requests never answered, 5xx answers and cut-short bodies. Scripted faults (queued through the
 * admin API) come first, then random ones drawn from the configured rates.
 */
export function infrastructureFaults(target: FaultTarget, state: EmulatorState) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const latency = state.faults.latencyFor(target);
    if (latency > 0) {
      state.stats.countFault('latency');
      await sleep(latency);
    }
    const scripted = state.faults.takeScripted(target);
    if (scripted?.kind === 'rate_limited' || scripted?.kind === 'quota_exceeded') {
      res.locals.scriptedLimit = scripted;
      next();
      return;
    }
    const fault = scripted
      ? scripted.kind === 'reset' || scripted.kind === 'timeout' || scripted.kind === 'malformed'
        ? { kind: scripted.kind }
        : { kind: 'status' as const, status: Number(scripted.kind) as 500 | 502 | 503 }
      : state.faults.drawInfrastructureFault(target);
    if (!fault) {
      next();
      return;
    }
    switch (fault.kind) {
      case 'reset':
        state.stats.countFault('reset');
        res.locals.noAnswer = 'reset';
        req.socket.destroy();
        return;
      case 'timeout':
        // Never answer: the client gives up, or stop() destroys the connection.
        state.stats.countFault('timeout');
        res.locals.noAnswer = 'timeout';
        return;
      case 'malformed':
        res.locals.malformed = true;
        next();
        return;
      case 'status': {
        state.stats.countFault(`server_error_${fault.status}`);
        if (fault.status === 502) sendGatewayPage(res);
        else if (target === 'token') sendOAuthError(res, fault.status, 'server_error', 'Internal server error', state);
        else sendWebApiError(res, fault.status, fault.status === 503 ? 'Service unavailable' : 'Server error', state);
        return;
      }
    }
  };
}
