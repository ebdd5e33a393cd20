import express, { Router } from 'express';
import { authorize } from './authorize.js';
import type { EmulatorState } from './emulator-state.js';
import { sendJson } from './http-replies.js';
import { infrastructureFaults } from './infrastructure-faults.js';
import { handleTokenRequest } from './token-endpoint.js';

/** The accounts service under `/accounts`: `GET /authorize` and `POST /api/token`. */
export function accountsRoutes(state: EmulatorState): Router {
  const router = Router();
  router.get('/authorize', (req, res) => authorize(state, req, res));
  router.post('/api/token', infrastructureFaults('token', state), express.urlencoded({ extended: false }), (req, res) => {
    const params = (req.body ?? {}) as Record<string, string | undefined>;
    const reply = handleTokenRequest(state, req.headers.authorization, params);
    res.set('cache-control', 'no-store');
    sendJson(res, reply.status, reply.body, state);
  });
  return router;
}
