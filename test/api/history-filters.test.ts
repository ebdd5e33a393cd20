import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../services/api/relay/global-id.js';
import type { PlayInput } from '../../services/features/plays/play-input.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { makePlay } from '../support/plays.js';
import { errorCodes, startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

let h: ApiHarness;
let user: LoggedIn;
let other: LoggedIn;

/** Tracks 1–4 on the first album, 5–6 on a second; "The Testers" on all, each track with a guest of its own. */
const onSecondAlbum = (play: PlayInput): PlayInput => ({
  ...play,
  track: { ...play.track, album: { id: 'album0000000000000002', name: 'Second Album', uri: 'spotify:album:album0000000000000002', releaseDate: null, imageUrl: null } },
});
const at = (minute: number) => new Date(Date.UTC(2026, 7, 1) + minute * 60_000).toISOString();
const plays: PlayInput[] = [];
for (let i = 0; i < 30; i++) {
  const track = 1 + (i % 6);
  const play = makePlay(track, at(i * 5));
  plays.push(track >= 5 ? onSecondAlbum(play) : play);
}

beforeAll(async () => {
  h = await startApiHarness({ label: 'api_history_filters' });
  user = await h.login(h.emulator.users()[0]!.id);
  other = await h.login(h.emulator.users()[1]!.id);
  await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays, source: 'poll' });
  // Someone else's plays of the same tracks never show.
  await ingestPlays(h.db.orm.em.fork(), { userId: other.userId, plays: plays.slice(0, 12).map((play, i) => ({ ...play, playedAt: at(10_000 + i) })), source: 'poll' });
});
afterAll(async () => {
  await h?.stop();
});

const QUERY = `query ($first: Int, $after: String, $last: Int, $before: String, $from: DateTime, $to: DateTime, $trackId: ID, $albumId: ID, $artistId: ID) {
  listeningHistory(first: $first, after: $after, last: $last, before: $before, from: $from, to: $to, trackId: $trackId, albumId: $albumId, artistId: $artistId) {
    totalCount
    edges { node { playedAt track { spotifyId } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
type Page = { listeningHistory: { totalCount: number; edges: Array<{ node: { playedAt: string; track: { spotifyId: string } } }>; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null } } };
const keys = (page: Page) => page.listeningHistory.edges.map((edge) => `${edge.node.playedAt}/${edge.node.track.spotifyId}`);

/** Every page, forward, of the filtered history. */
async function walk(variables: Record<string, unknown>, who = user): Promise<{ seen: string[]; total: number }> {
  const seen: string[] = [];
  let after: string | null = null;
  let total = -1;
  for (;;) {
    const page: Page = await h.client(who.token).request<Page>(QUERY, { first: 4, ...variables, after });
    total = page.listeningHistory.totalCount;
    seen.push(...keys(page));
    if (!page.listeningHistory.pageInfo.hasNextPage) return { seen, total };
    after = page.listeningHistory.pageInfo.endCursor;
  }
}

const expected = (keep: (play: PlayInput) => boolean) =>
  plays
    .filter(keep)
    .map((play) => `${new Date(play.playedAt).toISOString()}/${play.track.id}`)
    .sort()
    .reverse();

const track = (n: number) => toGlobalId({ type: 'Track', trackId: `track${String(n).padStart(17, '0')}` });
const album = (n: number) => toGlobalId({ type: 'Album', albumId: `album000000000000000${n}` });
const artist = (id: string) => toGlobalId({ type: 'Artist', artistId: id });

describe('listeningHistory filtered by track, album or artist', () => {
  it('gives exactly the plays of a track, of an album’s tracks, of an artist’s tracks, newest first, with their count', async () => {
    const cases: Array<[Record<string, unknown>, (play: PlayInput) => boolean]> = [
      [{ trackId: track(3) }, (play) => play.track.id.endsWith('3')],
      [{ albumId: album(2) }, (play) => play.track.album!.id === 'album0000000000000002'],
      [{ artistId: artist('artist000000000000001') }, () => true],
      [{ artistId: artist('artist000000000000004') }, (play) => play.track.id.endsWith('4')],
      [{ albumId: album(1), artistId: artist('artist000000000000002') }, (play) => play.track.id.endsWith('2')],
      [{ albumId: album(2), trackId: track(1) }, () => false],
      [{ trackId: track(5), from: at(20), to: at(100) }, (play) => play.track.id.endsWith('5') && play.playedAt >= at(20) && play.playedAt < at(100)],
    ];
    for (const [variables, keep] of cases) {
      const { seen, total } = await walk(variables);
      expect(seen, JSON.stringify(variables)).toEqual(expected(keep));
      expect(total, JSON.stringify(variables)).toBe(seen.length);
    }
  });

  it('pages backward through a filtered history as forward', async () => {
    const pages: string[][] = [];
    let before: string | null = null;
    for (;;) {
      const page: Page = await h.client(user.token).request<Page>(QUERY, { last: 2, before, albumId: album(2) });
      pages.unshift(keys(page));
      if (!page.listeningHistory.pageInfo.hasPreviousPage) break;
      before = page.listeningHistory.pageInfo.startCursor;
    }
    expect(pages.flat()).toEqual(expected((play) => play.track.album!.id === 'album0000000000000002'));
  });

  it('never shows another user’s plays, and answers an unknown track with nothing', async () => {
    // The other user played the first twelve plays' tracks later; of track 3, twice.
    const theirs = plays
      .slice(0, 12)
      .map((play, i) => ({ key: `${at(10_000 + i)}/${play.track.id}`, track: play.track.id }))
      .filter((play) => play.track.endsWith('3'))
      .map((play) => play.key)
      .reverse();
    expect(await walk({ trackId: track(3) }, other)).toEqual({ seen: theirs, total: 2 });
    expect(await walk({ trackId: toGlobalId({ type: 'Track', trackId: 'neverPlayedByAnyone000' }) })).toEqual({ seen: [], total: 0 });
  });

  it('refuses an id of another type, or garbled, naming the argument', async () => {
    await expect(h.client(user.token).request(QUERY, { trackId: album(1) })).rejects.toThrow(/trackId is the id of an Album, not of a Track/);
    expect(await errorCodes(h.client(user.token).request(QUERY, { artistId: 'nope' }))).toEqual(['BAD_USER_INPUT']);
  });
});
