import express, { Router, type Response } from 'express';
import { z } from 'zod';
import type { EmulatorState } from './emulator-state.js';
import { faultSettingsSchema, scriptedFaultSchema } from './faults.js';
import { extendedHistoryRows } from './streaming-history.js';
import { groundTruth } from './ground-truth.js';
import { reportingSettingsSchema } from './play-reporting.js';
import { expireAccessTokens, revokeRefreshTokens } from './token-faults.js';

const instant = z.union([z.number(), z.iso.datetime({ offset: true })]);
const newUserSchema = z.object({
  id: z.string().optional(),
  displayName: z.string().min(1).optional(),
  playsPerHour: z.number().min(0).max(60).optional(),
  country: z.string().length(2).optional(),
  product: z.enum(['premium', 'free']).optional(),
});
const scriptedListSchema = z.object({
  faults: z.array(z.union([scriptedFaultSchema.shape.kind.transform((kind) => ({ kind })), scriptedFaultSchema.partial({ target: true, retryAfterSeconds: true })])).min(1),
});

/**
 * Test and benchmark controls under `/admin` (JSON). Not part of Spotify and unauthenticated: the
 * emulator is a development tool and must never face the internet.
 */
export function adminRoutes(state: EmulatorState): Router {
  const router = Router();
  router.use(express.json());
  const bad = (res: Response, message: string) => res.status(400).json({ error: message });
  const parse = <T>(schema: z.ZodType<T>, body: unknown, res: Response): T | undefined => {
    const result = schema.safeParse(body ?? {});
    if (result.success) return result.data;
    bad(res, result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
    return undefined;
  };

  router.get('/', (_req, res) => {
    res.json({ urls: state.urls, clientId: state.client.id, clock: state.clock.toJSON(), users: state.listeners.list().map((user) => user.id) });
  });

  router.get('/stats', (_req, res) => res.json(state.stats.snapshot()));
  router.post('/stats/reset', (_req, res) => {
    state.stats.reset();
    res.json(state.stats.snapshot());
  });

  router.get('/faults', (_req, res) => res.json({ ...state.faults.settings, queue: state.faults.queued() }));
  router.put('/faults', (req, res) => {
    const change = parse(faultSettingsSchema.partial().strict(), req.body, res);
    if (change) res.json(state.faults.update(change));
  });
  router.post('/faults/reset', (_req, res) => res.json(state.faults.reset()));
  router.post('/faults/queue', (req, res) => {
    const body = parse(scriptedListSchema, req.body, res);
    if (!body) return;
    try {
      res.json({ queue: state.faults.enqueue(...body.faults) });
    } catch (error) {
      bad(res, (error as Error).message);
    }
  });
  router.delete('/faults/queue', (_req, res) => {
    state.faults.clearQueue();
    res.json({ queue: [] });
  });

  router.get('/reporting', (_req, res) => res.json(state.listeners.reporting));
  router.put('/reporting', (req, res) => {
    const change = parse(reportingSettingsSchema.partial().strict(), req.body, res);
    if (!change) return;
    try {
      res.json(state.listeners.updateReporting(change));
    } catch (error) {
      bad(res, (error as Error).message);
    }
  });

  router.get('/clock', (_req, res) => res.json(state.clock.toJSON()));
  router.put('/clock', (req, res) => {
    const body = parse(z.object({ now: instant }), req.body, res);
    if (body) {
      state.clock.set(body.now);
      res.json(state.clock.toJSON());
    }
  });
  router.post('/clock/advance', (req, res) => {
    const body = parse(z.object({ ms: z.number().int().min(0) }), req.body, res);
    if (body) {
      state.clock.advance(body.ms);
      res.json(state.clock.toJSON());
    }
  });
  router.post('/clock/freeze', (req, res) => {
    const body = parse(z.object({ at: instant.optional() }), req.body, res);
    if (body) {
      state.clock.freeze(body.at);
      res.json(state.clock.toJSON());
    }
  });
  router.post('/clock/unfreeze', (_req, res) => {
    state.clock.unfreeze();
    res.json(state.clock.toJSON());
  });

  router.get('/users', (_req, res) => res.json(state.listeners.list().map((user) => ({ ...user, grants: grantsOf(state, user.id) }))));
  router.post('/users', (req, res) => {
    const spec = parse(newUserSchema, req.body, res);
    if (!spec) return;
    try {
      res.status(201).json(state.listeners.add(spec));
    } catch (error) {
      bad(res, (error as Error).message);
    }
  });
  router.get('/users/:id', (req, res) => {
    const user = state.listeners.get(req.params.id);
    if (!user) return res.status(404).json({ error: `no synthetic user ${req.params.id}` });
    res.json({ ...user, grants: grantsOf(state, user.id) });
  });
  router.post('/users/:id/revoke-refresh-tokens', (req, res) => {
    if (!state.listeners.get(req.params.id)) return res.status(404).json({ error: `no synthetic user ${req.params.id}` });
    res.json({ revokedGrants: revokeRefreshTokens(state, req.params.id) });
  });
  router.post('/users/:id/expire-access-tokens', (req, res) => {
    if (!state.listeners.get(req.params.id)) return res.status(404).json({ error: `no synthetic user ${req.params.id}` });
    res.json({ expiredAccessTokens: expireAccessTokens(state, req.params.id) });
  });
  router.get('/users/:id/plays', (req, res) => {
    if (!state.listeners.get(req.params.id)) return res.status(404).json({ error: `no synthetic user ${req.params.id}` });
    const from = Date.parse(String(req.query.from ?? ''));
    const to = req.query.to === undefined ? state.clock.now() + 1 : Date.parse(String(req.query.to));
    if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) return bad(res, 'from and to must be ISO-8601 instants, from <= to (to defaults to now)');
    try {
      const plays = groundTruth(state, req.params.id, from, to);
      res.json({ userId: req.params.id, from: new Date(from).toISOString(), to: new Date(to).toISOString(), now: state.clock.toJSON().now, plays });
    } catch (error) {
      bad(res, (error as Error).message);
    }
  });
  router.get('/users/:id/retrievable', (req, res) => {
    if (!state.listeners.get(req.params.id)) return res.status(404).json({ error: `no synthetic user ${req.params.id}` });
    res.json({ userId: req.params.id, now: state.clock.toJSON().now, plays: groundTruth(state, req.params.id, 'retrievable') });
  });

  // The user's "Extended streaming history" of plays in [from, to) as one JSON array, streamed (docs/import.md).
  router.get('/users/:id/streaming-history', (req, res) => {
    if (!state.listeners.get(req.params.id)) return res.status(404).json({ error: `no synthetic user ${req.params.id}` });
    const from = Date.parse(String(req.query.from ?? ''));
    const to = req.query.to === undefined ? state.clock.now() + 1 : Date.parse(String(req.query.to));
    if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) return bad(res, 'from and to must be ISO-8601 instants, from <= to (to defaults to now)');
    res.type('application/json');
    res.write('[');
    let first = true;
    for (const row of extendedHistoryRows(state, req.params.id, from, to)) {
      res.write(`${first ? '\n' : ',\n'}${JSON.stringify(row)}`);
      first = false;
    }
    res.end('\n]\n');
  });

  router.get('/secrets', (_req, res) => res.json(state.tokens.secrets()));
  router.use((_req, res) => res.status(404).json({ error: 'no such admin endpoint (see docs/spotify-emulator.md)' }));
  return router;
}

function grantsOf(state: EmulatorState, userId: string) {
  return state.tokens.grantsOf(userId).map((grant) => ({
    scopes: grant.scopes,
    pkce: grant.pkce,
    authorizedAt: new Date(grant.authorizedAt).toISOString(),
    refreshExpiresAt: new Date(grant.refreshExpiresAt).toISOString(),
    revokedAt: grant.revokedAt === null ? null : new Date(grant.revokedAt).toISOString(),
  }));
}
