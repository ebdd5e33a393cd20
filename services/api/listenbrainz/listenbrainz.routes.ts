import type { EntityManager } from '@mikro-orm/postgresql';
import { type NextFunction, raw, type Request, type Response, Router } from 'express';
import type { MikroORM } from '../../features/open-orm.js';
import { loadPageTracks } from '../../features/catalogue/data/track-rows.repository.js';
import { countHistory } from '../../features/history/data/history.repository.js';
import type { TokenOwner } from '../../features/listenbrainz/data/api-tokens.repository.js';
import { listensSpan, loadListens } from '../../features/listenbrainz/data/listens.repository.js';
import { LISTEN_LIMITS } from '../../features/listenbrainz/listen-limits.js';
import { ListenValidationError, parseSubmission } from '../../features/listenbrainz/listen-payload.js';
import type { NowPlayingStore } from '../../features/listenbrainz/now-playing.js';
import { LISTEN_BATCHING } from '../../features/listenbrainz/batching.js';
import { storeListens } from '../../features/listenbrainz/store-listens.js';
import { BatcherFullError } from '../../shared/batching/batcher.js';
import { attachBudget, type OwnerShares, ShareBusyError, StatementBudget, StatementStoppedError } from '../../shared/db/statements/statement-budget.js';
import { isQueryCanceled } from '../../shared/db/transaction-deadline.js';
import { addToAccessLog, requestIdOf, requestLogger } from '../http/request-context.js';
import { listenBrainzBatches, type ListenBrainzBatches } from './listenbrainz-batches.js';
import { listenJson, nowPlayingJson } from './listen-json.js';
import { presentedToken, tokenCandidates } from './presented-token.js';
import { sendListenBrainzError, sendOk } from './listenbrainz-reply.js';
import { listenBrainzStatsRoutes } from './stats.routes.js';

export interface ListenBrainzRoutesOptions {
  orm: MikroORM;
  nowPlaying: NowPlayingStore;
  shares: OwnerShares;
  deadlineMs: number;
  /** Told of each submission accepted: how many listens it held and how many were new plays (the API's metrics). */
  onListensSubmitted?: (listenType: 'single' | 'import' | 'playing_now', received: number, inserted: number) => void;
}

/** A request's own EntityManager with its deadline and, once its token names the listener, their share of the connections. */
interface LbLocals {
  em: EntityManager;
  owner?: TokenOwner;
}
const locals = (res: Response): LbLocals => res.locals as LbLocals;

/**
 * The ListenBrainz API (docs/listenbrainz.md), at `<base>/1/<endpoint>` and `<base>/<endpoint>`: players
 * are given the base and append `1/…` or `/1/…` themselves, or are given a full endpoint URL.
 */
export function listenBrainzRoutes(options: ListenBrainzRoutesOptions): Router {
  const router = Router();
  const api = Router();
  const batches = listenBrainzBatches(options);

  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    // Made when a route first reads it, in the listener's share once authenticated(): a single listen needs none
    // (its token and its store go through the batches).
    let em: EntityManager | undefined;
    Object.defineProperty(res.locals, 'em', {
      configurable: true,
      get: () => {
        if (em) return em;
        const owner = locals(res).owner;
        const budget = new StatementBudget({ deadlineMs: options.deadlineMs, shares: options.shares, owner: owner ? `user:${owner.userId}` : undefined });
        em = options.orm.em.fork() as EntityManager;
        attachBudget(em, budget);
        res.once('close', () => (res.writableFinished ? budget.finish() : budget.stop('abandoned')));
        return em;
      },
    });
    next();
  });

  // Players that send no Content-Type (Music Assistant) or a wrong one are read all the same: the body is JSON by contract.
  const body = raw({ type: () => true, limit: LISTEN_LIMITS.maxPayloadBytes });

  api.post('/submit-listens', authenticated(), body, handle(submitListens));
  api.get('/validate-token', handle(validateToken));
  api.get('/user/:user/listens', authenticated(), ownUser(), handle(listens));
  api.get('/user/:user/listen-count', authenticated(), ownUser(), handle(listenCount));
  api.get('/user/:user/playing-now', authenticated(), ownUser(), handle(playingNow));
  api.use('/stats/user/:user', authenticated(), ownUser(), listenBrainzStatsRoutes());

  router.use('/1', api);
  router.use(api);
  router.use((req, res) => sendListenBrainzError(res, 404, `Nothing at ${req.method} ${req.baseUrl}${req.path}: docs/listenbrainz.md lists the endpoints.`));
  router.use(bodyErrors);
  return router;

  async function submitListens(req: Request, res: Response): Promise<void> {
    const { owner, em } = locals(res);
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const submission = parseSubmission(raw, Math.floor(Date.now() / 1000));
    if (submission.listenType === 'playing_now') {
      await options.nowPlaying.set(owner!.userId, submission.listens[0]!);
      options.onListensSubmitted?.('playing_now', 1, 0);
      return sendOk(res);
    }
    const stored =
      submission.listens.length <= LISTEN_BATCHING.batchedUpTo
        ? await batches.storeListens({ userId: owner!.userId, listens: submission.listens })
        : await storeListens(em, owner!.userId, submission.listens);
    options.onListensSubmitted?.(submission.listenType, stored.received, stored.inserted);
    addToAccessLog(res, { userId: owner!.userId, listenType: submission.listenType, received: stored.received, inserted: stored.inserted });
    // A listen already stored (a player retrying, a second player) is accepted all the same: players drop or retry forever on anything else.
    sendOk(res);
  }

  async function validateToken(req: Request, res: Response): Promise<void> {
    const token = presentedToken(req, { queryParameter: true });
    if (!token) return sendListenBrainzError(res, 400, 'You need to provide an Authorization token.');
    const owner = await ownerOf(batches, token);
    if (!owner || owner.userStatus === 'disabled') {
      res.json({ code: 200, message: 'Token invalid.', valid: false });
      return;
    }
    res.json({ code: 200, message: 'Token valid.', valid: true, user_name: owner.userName });
  }

  async function listens(req: Request, res: Response): Promise<void> {
    const { owner, em } = locals(res);
    const minTs = timestampArg(req, 'min_ts');
    const maxTs = timestampArg(req, 'max_ts');
    if (minTs !== null && maxTs !== null && maxTs <= minTs) throw new ListenValidationError('max_ts should be greater than min_ts', 'max_ts');
    const count = Math.min(countArg(req), LISTEN_LIMITS.maxItemsPerGet);
    const rows = await loadListens(em, owner!.userId, { minTs, maxTs, count });
    const tracks = await loadPageTracks(em, owner!.userId, rows.map((row) => row.trackId));
    const span = await listensSpan(em, owner!.userId);
    res.json({
      payload: {
        count: rows.length,
        user_id: owner!.userName,
        latest_listen_ts: span.latest,
        oldest_listen_ts: span.oldest,
        listens: rows.map((row) => listenJson(owner!.userName, row, tracks.get(row.trackId))),
      },
    });
  }

  async function listenCount(_req: Request, res: Response): Promise<void> {
    const { owner, em } = locals(res);
    res.json({ payload: { count: await countHistory(em, owner!.userId, {}) } });
  }

  async function playingNow(_req: Request, res: Response): Promise<void> {
    const { owner } = locals(res);
    const playing = await options.nowPlaying.get(owner!.userId);
    res.json({ payload: { count: playing ? 1 : 0, user_id: owner!.userName, playing_now: true, listens: playing ? [nowPlayingJson(owner!.userName, playing)] : [] } });
  }

  /** The token's listener, or 401 as ListenBrainz words it; their requests then use their share of the connections. */
  function authenticated() {
    return handle(async (req: Request, res: Response, next?: NextFunction) => {
      const token = presentedToken(req);
      if (token === undefined) return sendListenBrainzError(res, 401, 'You need to provide an Authorization header.');
      if (token === '') return sendListenBrainzError(res, 401, 'Provided Authorization header is invalid.');
      const owner = await ownerOf(batches, token);
      if (!owner) return sendListenBrainzError(res, 401, 'Invalid authorization token.');
      if (owner.userStatus === 'disabled') return sendListenBrainzError(res, 401, 'This account is disabled.');
      locals(res).owner = owner;
      next!();
    });
  }
}

/** The listener a presented token belongs to, in any form a player sends it (tokenCandidates). */
async function ownerOf(batches: ListenBrainzBatches, token: string): Promise<TokenOwner | null> {
  for (const candidate of tokenCandidates(token)) {
    const owner = await batches.ownerOfToken(candidate);
    if (owner) return owner;
  }
  return null;
}

/** A listener reads only their own data: another's name and a name nobody has get the same 404. */
function ownUser() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const { owner } = locals(res);
    const asked = String(req.params.user ?? '');
    if (!owner || asked.toLowerCase() !== owner.userName.toLowerCase()) return sendListenBrainzError(res, 404, `Cannot find user: ${asked}`);
    next();
  };
}

type Handler = (req: Request, res: Response, next?: NextFunction) => Promise<void>;

/** Runs a handler, answering its failures as ListenBrainz would: a bad request names its field; nothing internal leaks. */
function handle(handler: Handler) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      await handler(req, res, next);
    } catch (error) {
      answerFailure(error, res);
    }
  };
}

/** A failure as ListenBrainz answers one: a bad request names its field; busy and overdue work can be retried; nothing internal leaks. */
function answerFailure(error: unknown, res: Response): void {
  if (res.headersSent) return;
  if (error instanceof ListenValidationError) return sendListenBrainzError(res, 400, error.message, error.field);
  if (error instanceof ShareBusyError) {
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
    return sendListenBrainzError(res, 429, 'Too much of your work is running right now: try again in a few seconds.');
  }
  if (error instanceof StatementStoppedError || isQueryCanceled(error)) return sendListenBrainzError(res, 503, 'The request took too long: try again shortly.');
  if (error instanceof BatcherFullError) {
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
    return sendListenBrainzError(res, 503, `${error.message} Try again in a few seconds.`);
  }
  requestLogger(res).error({ err: error }, 'ListenBrainz API request failed');
  sendListenBrainzError(res, 500, `Something went wrong: request ${requestIdOf(res)}. Try again shortly.`);
}

/** A body over ListenBrainz's payload limit, or one that cannot be read, answered as ListenBrainz does. */
function bodyErrors(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  const type = typeof error === 'object' && error !== null && 'type' in error ? String((error as { type: unknown }).type) : '';
  if (type === 'entity.too.large') return sendListenBrainzError(res, 400, `Payload too large. Payload cannot exceed ${LISTEN_LIMITS.maxPayloadBytes} bytes`, 'payload');
  if (type === 'encoding.unsupported') return sendListenBrainzError(res, 415, 'The request body’s Content-Encoding is not supported.');
  if (type !== '') return sendListenBrainzError(res, 400, 'The request body could not be read.');
  // Anything else a route let through (the statistics routes): answered in ListenBrainz's shape too.
  answerFailure(error, res);
}

function timestampArg(req: Request, name: string): number | null {
  const value = req.query[name];
  if (value === undefined) return null;
  if (typeof value !== 'string' || !/^-?\d{1,12}$/.test(value.trim())) throw new ListenValidationError(`Incorrect ${name} timestamp argument: ${String(value)}`, name);
  return Number(value);
}

function countArg(req: Request): number {
  const value = req.query.count;
  if (value === undefined) return LISTEN_LIMITS.defaultItemsPerGet;
  if (typeof value !== 'string' || !/^-?\d{1,9}$/.test(value.trim())) throw new ListenValidationError(`Invalid count argument: ${String(value)}`, 'count');
  const count = Number(value);
  if (count < 0) throw new ListenValidationError('Number of items requested should be positive', 'count');
  return count;
}
