import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlayInput } from '../../services/features/plays/play-input.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { rememberStreamingHistoryNames } from '../../services/features/catalogue/data/streaming-history-names.repository.js';
import { errorCodes, startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

/**
 * Search (docs/search.md) as a listener uses it: what they played, found by a name typed carelessly — without
 * accents, in another case, with a typo, half typed — most played first; the names their own streaming history
 * gave included; never an item they did not play, never another listener's names.
 */
let h: ApiHarness;
let ana: LoggedIn;
let ben: LoggedIn;

interface Song {
  id: string;
  name: string;
  album: { id: string; name: string };
  artists: Array<{ id: string; name: string }>;
}

const BJORK = { id: 'searchArtistBjork00001', name: 'Björk' };
const RADIOHEAD = { id: 'searchArtistRadiohead1', name: 'Radiohead' };
const CULTURE = { id: 'searchArtistCultureClb', name: 'Culture Club' };
const SONGS: Record<string, Song> = {
  joga: { id: 'searchTrackJoga0000001', name: 'Jóga', album: { id: 'searchAlbumHomogenic01', name: 'Homogenic' }, artists: [BJORK] },
  hyperballad: { id: 'searchTrackHyperballad', name: 'Hyperballad', album: { id: 'searchAlbumPost000001', name: 'Post' }, artists: [BJORK] },
  army: { id: 'searchTrackArmyOfMe001', name: 'Army of Me', album: { id: 'searchAlbumPost000001', name: 'Post' }, artists: [BJORK] },
  karma: { id: 'searchTrackKarmaPolice', name: 'Karma Police', album: { id: 'searchAlbumOkComputer1', name: 'OK Computer' }, artists: [RADIOHEAD] },
  chameleon: { id: 'searchTrackChameleon01', name: 'Karma Chameleon', album: { id: 'searchAlbumColour00001', name: 'Colour by Numbers' }, artists: [CULTURE] },
  unplayed: { id: 'searchTrackUnplayed001', name: 'Björk Unplayed', album: { id: 'searchAlbumUnplayed001', name: 'Never Heard' }, artists: [{ id: 'searchArtistNobody0001', name: 'Nobody Heard' }] },
};
/** A track Spotify no longer knows, which Ana's and Ben's streaming histories name differently. */
const LOST = 'searchTrackLost000001';

function input(song: Song): PlayInput['track'] {
  return {
    id: song.id,
    name: song.name,
    uri: `spotify:track:${song.id}`,
    durationMs: 200_000,
    album: { id: song.album.id, name: song.album.name, uri: `spotify:album:${song.album.id}`, releaseDate: null, imageUrl: null },
    artists: song.artists.map((artist) => ({ ...artist, uri: `spotify:artist:${artist.id}` })),
  };
}

const lostTrack: PlayInput['track'] = { id: LOST, name: '', uri: `spotify:track:${LOST}`, durationMs: 0, album: null, artists: [] };

async function play(who: LoggedIn, track: PlayInput['track'], times: number, source: 'poll' | 'import' = 'poll'): Promise<void> {
  const start = Date.parse('2026-03-01T10:00:00Z') + (who === ana ? 0 : 7_000) + track.id.length * 1_000;
  const plays = Array.from({ length: times }, (_, i) => ({ playedAt: new Date(start + i * 86_400_000 + Math.random() * 1000).toISOString(), msPlayed: source === 'import' ? 200_000 : null, context: null, track }));
  await ingestPlays(h.db.orm.em.fork(), { userId: who.userId, plays, source });
}

beforeAll(async () => {
  h = await startApiHarness({ label: 'search', env: { RATE_LIMIT_GRAPHQL: '0' } });
  const [a, b] = h.emulator.users();
  ana = await h.login(a!.id);
  ben = await h.login(b!.id);
  await play(ana, input(SONGS.joga!), 4);
  await play(ana, input(SONGS.hyperballad!), 3);
  await play(ana, input(SONGS.army!), 2);
  await play(ana, input(SONGS.karma!), 5);
  await play(ana, input(SONGS.chameleon!), 2);
  await play(ana, lostTrack, 3, 'import');
  await rememberStreamingHistoryNames(h.db.orm.em.fork(), ana.userId, [{ trackId: LOST, trackName: 'Secret Song', artistName: 'Hidden Artist', albumName: 'Private Tapes' }]);
  await play(ben, input(SONGS.unplayed!), 1);
  await play(ben, lostTrack, 1, 'import');
  await rememberStreamingHistoryNames(h.db.orm.em.fork(), ben.userId, [{ trackId: LOST, trackName: 'Secret Song', artistName: 'Other Secret', albumName: 'Ben Tapes' }]);
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

const SEARCH = `query ($query: String!, $first: Int, $after: String) { search(query: $query, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { kind plays msPlayed item { __typename ... on Track { trackId: spotifyId name } ... on Album { spotifyId name } ... on Artist { spotifyId name } } } } } }`;

interface Found {
  kind: string;
  plays: number;
  msPlayed: number;
  item: { __typename: string; spotifyId: string | null; name: string };
}
interface Answer {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: Found }>;
}

async function search(who: LoggedIn, query: string, page: { first?: number; after?: string } = {}): Promise<Answer> {
  const { search: answer } = await h.client(who.token).request<{ search: Answer }>(SEARCH, { query, ...page });
  // A track's spotifyId is never null, an album's or artist's may be: GraphQL wants them under different names.
  for (const { node } of answer.edges) {
    const { trackId, ...item } = node.item as Found['item'] & { trackId?: string };
    node.item = trackId === undefined ? item : { ...item, spotifyId: trackId };
  }
  return answer;
}
const found = (answer: Answer) => answer.edges.map(({ node }) => `${node.kind} ${node.item.name} ${node.plays}`);

describe('search', () => {
  it('finds what the listener played without accents, in any case, with a typo or half typed, most played first', async () => {
    expect(found(await search(ana, 'bjork'))).toEqual(['ARTIST Björk 9']);
    expect(found(await search(ana, 'JOGA'))).toEqual(['TRACK Jóga 4']);
    expect(found(await search(ana, 'radiohed'))).toEqual(['ARTIST Radiohead 5']);
    expect(found(await search(ana, 'hyperbal'))).toEqual(['TRACK Hyperballad 3']);
    expect(found(await search(ana, 'karma'))).toEqual(['TRACK Karma Police 5', 'TRACK Karma Chameleon 2']);
    // An album counts its tracks' plays.
    expect(found(await search(ana, 'post'))).toEqual(['ALBUM Post 5']);
  });

  it('counts as the all-time rankings count, and says what each result is', async () => {
    const [hit] = (await search(ana, 'Björk')).edges;
    const { topArtists } = await h.client(ana.token).request<{ topArtists: { edges: Array<{ node: { plays: number; msPlayed: number; artist: { spotifyId: string } } }> } }>(
      '{ topArtists { edges { node { plays msPlayed artist { spotifyId } } } } }',
    );
    const ranked = topArtists.edges.find(({ node }) => node.artist.spotifyId === BJORK.id)!.node;
    expect(hit!.node).toEqual({ kind: 'ARTIST', plays: ranked.plays, msPlayed: ranked.msPlayed, item: { __typename: 'Artist', spotifyId: BJORK.id, name: 'Björk' } });
  });

  it('includes the names the listener’s own streaming history gave, never another listener’s, never what they did not play', async () => {
    expect(found(await search(ana, 'secret'))).toEqual(['TRACK Secret Song 3']);
    expect(found(await search(ana, 'hidden artist'))).toEqual(['ARTIST Hidden Artist 3']);
    expect((await search(ana, 'hidden artist')).edges[0]!.node.item.spotifyId).toBeNull();
    expect(found(await search(ana, 'private tapes'))).toEqual(['ALBUM Private Tapes 3']);
    expect(found(await search(ben, 'hidden artist'))).toEqual([]);
    // Ties go to the closer name, then to the time, then artists before tracks.
    expect(found(await search(ben, 'secret'))).toEqual(['ARTIST Other Secret 1', 'TRACK Secret Song 1']);
    expect(found(await search(ana, 'other secret'))).toEqual([]);
    // Ben played it; Ana did not.
    expect(found(await search(ana, 'unplayed'))).toEqual([]);
    expect(found(await search(ana, 'nobody heard'))).toEqual([]);
    expect(found(await search(ben, 'nobody heard'))).toEqual(['ARTIST Nobody Heard 1']);
  });

  it('pages through the results with cursors, and says how many matched', async () => {
    const first = await search(ana, 'karma', { first: 1 });
    expect(first.totalCount).toBe(2);
    expect(first.edges).toHaveLength(1);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const pages = [first];
    while (pages.at(-1)!.pageInfo.hasNextPage) pages.push(await search(ana, 'karma', { first: 1, after: pages.at(-1)!.pageInfo.endCursor! }));
    expect(pages).toHaveLength(2);
    const all = (await search(ana, 'karma', { first: 50 })).edges.map(({ node }) => node);
    expect(pages.flatMap((page) => page.edges.map(({ node }) => node))).toEqual(all);
    expect(all).toHaveLength(first.totalCount);
    expect(all.map((node) => node.plays)).toEqual([...all.map((node) => node.plays)].sort((x, y) => y - x));
  });

  it('refuses an empty or overlong query, a page out of range and a stranger, naming the argument', async () => {
    for (const query of ['', '   ', 'x'.repeat(101)]) {
      const error = await h
        .client(ana.token)
        .request(SEARCH, { query })
        .catch((caught: unknown) => caught);
      expect(JSON.stringify(error)).toMatch(/"argument":"query"/);
    }
    expect(await errorCodes(search(ana, 'a', { first: 0 }))).toEqual(['BAD_USER_INPUT']);
    expect(await errorCodes(search(ana, 'a', { first: 51 }))).toEqual(['BAD_USER_INPUT']);
    expect(await errorCodes(search(ana, 'a', { after: 'not a cursor' }))).toEqual(['BAD_USER_INPUT']);
    expect(await errorCodes(h.client().request(SEARCH, { query: 'bjork' }))).toEqual(['UNAUTHENTICATED']);
  });
});
