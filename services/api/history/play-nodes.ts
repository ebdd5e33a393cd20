import { loadPlaysByPosition, type HistoryPosition } from '../../features/history/data/history.repository.js';
import { loadPageTracks } from '../../features/catalogue/data/track-rows.repository.js';
import type { ApiContext } from '../graphql/context.js';
import type { Play } from './play.type.js';
import { toPlay } from './to-play.js';

/** The viewer's plays at these positions (for `node`), by positionKey; anyone else's never. */
export async function loadPlayNodes(ctx: ApiContext, viewerId: string, positions: readonly HistoryPosition[]): Promise<Map<string, Play>> {
  const plays = await loadPlaysByPosition(ctx.em, viewerId, positions);
  const tracks = await loadPageTracks(ctx.em, viewerId, [...plays.values()].map((play) => play.trackId));
  return new Map([...plays].map(([key, play]) => [key, toPlay(viewerId, play, tracks)]));
}
