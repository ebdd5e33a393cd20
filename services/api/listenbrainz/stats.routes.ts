import type { EntityManager } from '@mikro-orm/postgresql';
import { type Request, type Response, Router } from 'express';
import { loadHeardCatalogue } from '../../features/catalogue/data/heard-catalogue.repository.js';
import { loadPageTracks } from '../../features/catalogue/data/track-rows.repository.js';
import type { TokenOwner } from '../../features/listenbrainz/data/api-tokens.repository.js';
import { ListenValidationError } from '../../features/listenbrainz/listen-payload.js';
import { releaseArtistsOf } from '../../features/listenbrainz/data/release-artists.repository.js';
import { activityUnitOf, isStatsRange, statsRangeBounds, type StatsRange } from '../../features/listenbrainz/stats-range.js';
import { loadRanking, type RankedKind } from '../../features/statistics/data/stats-rankings.repository.js';
import { loadActivity, loadPlayedSpan } from '../../features/statistics/data/stats.repository.js';

/** ListenBrainz's paging of statistics: at most this many entities a request, from at most this offset. */
const MAX_STATS_COUNT = 100;
const DEFAULT_STATS_COUNT = 25;
const MAX_STATS_OFFSET = 1_000;

interface StatsLocals {
  em: EntityManager;
  owner: TokenOwner;
}

/**
 * The statistics endpoints players read (Pano Scrobbler): top artists, releases and recordings and the
 * listening activity over ListenBrainz's ranges, answered from Playlog's own statistics — the same counting
 * rule, every source — in UTC, as ListenBrainz reports them.
 */
export function listenBrainzStatsRoutes(): Router {
  const router = Router({ mergeParams: true });
  router.get('/artists', (req, res) => ranked(req, res, 'artist'));
  router.get('/releases', (req, res) => ranked(req, res, 'album'));
  router.get('/recordings', (req, res) => ranked(req, res, 'track'));
  router.get('/listening-activity', (req, res) => activity(req, res));
  return router;
}

/** Express 5 hands a rejected handler's error to the ListenBrainz router's error handler, which answers in its shape. */
const ranked = (req: Request, res: Response, kind: RankedKind): Promise<void> => rankedStats(req, res, kind);
const activity = (req: Request, res: Response): Promise<void> => activityStats(req, res);

async function rankedStats(req: Request, res: Response, kind: RankedKind): Promise<void> {
  const { em, owner } = res.locals as StatsLocals;
  const range = rangeArg(req);
  const count = Math.min(intArg(req, 'count', DEFAULT_STATS_COUNT), MAX_STATS_COUNT);
  const offset = intArg(req, 'offset', 0);
  if (offset > MAX_STATS_OFFSET) throw new ListenValidationError(`offset may be at most ${MAX_STATS_OFFSET}`, 'offset');
  const now = new Date();
  const bounds = statsRangeBounds(range, now);
  const page = await loadRanking(em, { userId: owner.userId, kind, order: 'plays', size: offset + count, ...bounds });
  const items = page.items.slice(offset);
  if (page.total === 0) {
    // ListenBrainz answers 204 while a range has no statistics.
    res.status(204).end();
    return;
  }
  const ids = items.map((item) => item.id);
  const payload = { user_id: owner.userName, range, offset, count: items.length, ...tsBounds(bounds), last_updated: Math.floor(now.getTime() / 1000) };
  if (kind === 'track') {
    const tracks = await loadPageTracks(em, owner.userId, ids);
    res.json({
      payload: {
        ...payload,
        total_recording_count: page.total,
        recordings: items.map((item) => {
          const track = tracks.get(item.id);
          return {
            track_name: track?.name ?? 'Unknown track',
            artist_name: track && track.artists.length > 0 ? track.artists.map((artist) => artist.name).join(', ') : 'Unknown artist',
            release_name: track?.album?.name ?? null,
            listen_count: item.plays,
            artist_mbids: [],
            recording_mbid: null,
            release_mbid: null,
          };
        }),
      },
    });
    return;
  }
  const heard = await loadHeardCatalogue(em, owner.userId, { tracks: [], albums: kind === 'album' ? ids : [], artists: kind === 'artist' ? ids : [] });
  if (kind === 'artist') {
    res.json({
      payload: { ...payload, total_artist_count: page.total, artists: items.map((item) => ({ artist_name: heard.artists.get(item.id)?.name ?? 'Unknown artist', listen_count: item.plays, artist_mbids: [] })) },
    });
    return;
  }
  const artists = await releaseArtistsOf(em, owner.userId, ids);
  res.json({
    payload: {
      ...payload,
      total_release_count: page.total,
      releases: items.map((item) => ({
        release_name: heard.albums.get(item.id)?.name ?? 'Unknown release',
        artist_name: artists.get(item.id) ?? 'Unknown artist',
        listen_count: item.plays,
        artist_mbids: [],
        release_mbid: null,
      })),
    },
  });
}

async function activityStats(req: Request, res: Response): Promise<void> {
  const { em, owner } = res.locals as StatsLocals;
  const range = rangeArg(req);
  const now = new Date();
  let bounds = statsRangeBounds(range, now);
  if (bounds.from === undefined) {
    const span = await loadPlayedSpan(em, { userId: owner.userId });
    if (!span.first || !span.last) {
      res.status(204).end();
      return;
    }
    bounds = { from: span.first, to: new Date(span.last.getTime() + 1) };
  }
  const from = bounds.from!;
  const to = bounds.to!;
  const unit = activityUnitOf(range);
  const points = await loadActivity(em, { userId: owner.userId, timeZone: 'UTC', from, to }, unit, from, new Date(to.getTime() - 1));
  const label = (start: Date) => (unit === 'day' ? start.toISOString().slice(0, 10) : unit === 'month' ? start.toISOString().slice(0, 7) : String(start.getUTCFullYear()));
  res.json({
    payload: {
      user_id: owner.userName,
      range,
      ...tsBounds(bounds),
      last_updated: Math.floor(now.getTime() / 1000),
      listening_activity: points.map((point, index) => {
        const next = points[index + 1]?.start ?? to;
        return { from_ts: Math.floor(point.start.getTime() / 1000), to_ts: Math.floor(next.getTime() / 1000), time_range: label(point.start), listen_count: point.plays };
      }),
    },
  });
}

function rangeArg(req: Request): StatsRange {
  const value = req.query.range ?? 'all_time';
  if (typeof value !== 'string' || !isStatsRange(value)) throw new ListenValidationError(`Invalid range: ${String(value)}`, 'range');
  return value;
}

function intArg(req: Request, name: string, fallback: number): number {
  const value = req.query[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value.trim())) throw new ListenValidationError(`'${name}' should be a non-negative integer`, name);
  return Number(value);
}

const tsBounds = (bounds: { from?: Date; to?: Date }) => ({
  from_ts: bounds.from ? Math.floor(bounds.from.getTime() / 1000) : 0,
  to_ts: Math.floor((bounds.to ?? new Date()).getTime() / 1000),
});
