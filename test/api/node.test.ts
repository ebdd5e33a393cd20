import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../services/api/relay/global-id.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { makePlay } from '../support/plays.js';
import { errorCodes, startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

let h: ApiHarness;
let alice: LoggedIn;
let bob: LoggedIn;

beforeAll(async () => {
  h = await startApiHarness({ label: 'api_node' });
  alice = await h.login(h.emulator.users()[0]!.id);
  bob = await h.login(h.emulator.users()[1]!.id);
  // Alice and Bob share track 1 (and so its album and first artist); tracks 2 and 3 are Alice's alone.
  await ingestPlays(h.db.orm.em.fork(), { userId: alice.userId, plays: [makePlay(1, '2026-04-01T10:00:00.123Z'), makePlay(2, '2026-04-01T10:05:00Z'), makePlay(3, '2026-04-01T10:10:00Z')], source: 'poll' });
  await ingestPlays(h.db.orm.em.fork(), { userId: bob.userId, plays: [makePlay(1, '2026-04-02T09:00:00Z')], source: 'poll' });
});
afterAll(async () => {
  await h?.stop();
});

// Album's and Artist's spotifyId may be null (names from a streaming history), Track's and User's never: GraphQL
// wants fields of one name in one selection to agree, so those two are aliased.
const NODE = `query ($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on User { spotifyId }
    ... on Play { playedAt track { spotifyId } }
    ... on Track { spotifyId name }
    ... on Album { albumSpotifyId: spotifyId name }
    ... on Artist { artistSpotifyId: spotifyId name }
    ... on Import { status fileName }
  }
}`;
type Found = { node: (Record<string, unknown> & { id: string; __typename: string }) | null };
const node = (user: LoggedIn, id: string) => h.client(user.token).request<Found>(NODE, { id });

async function idsOfAlice() {
  const { me, listeningHistory } = await h.client(alice.token).request<{
    me: { id: string };
    listeningHistory: { edges: Array<{ node: { id: string; track: { id: string; spotifyId: string; album: { id: string }; artists: Array<{ id: string }> } } }> };
  }>('{ me { id } listeningHistory { edges { node { id track { id spotifyId album { id } artists { id } } } } } }');
  const [newest, , oldest] = listeningHistory.edges.map((edge) => edge.node);
  return { me: me.id, newest: newest!, shared: oldest! };
}

describe('node(id:)', () => {
  it('fetches again each kind of object by the id it was given, as the same object', async () => {
    const { me, newest, shared } = await idsOfAlice();
    expect((await node(alice, me)).node).toEqual({ __typename: 'User', id: me, spotifyId: alice.spotifyUserId });
    expect((await node(alice, shared.id)).node).toEqual({ __typename: 'Play', id: shared.id, playedAt: '2026-04-01T10:00:00.123Z', track: { spotifyId: 'track00000000000000001' } });
    expect((await node(alice, newest.track.id)).node).toEqual({ __typename: 'Track', id: newest.track.id, spotifyId: 'track00000000000000003', name: 'Song 3' });
    expect((await node(alice, newest.track.album.id)).node).toEqual({ __typename: 'Album', id: newest.track.album.id, albumSpotifyId: 'album0000000000000001', name: 'First Album' });
    expect((await node(alice, newest.track.artists[1]!.id)).node).toEqual({ __typename: 'Artist', id: newest.track.artists[1]!.id, artistSpotifyId: 'artist000000000000003', name: 'Guest 3' });
  });

  it('answers another user’s user, plays and imports, and what only they played, as if the id did not exist', async () => {
    const { me, newest, shared } = await idsOfAlice();
    const { rows } = await h.db.sql.query(`insert into imports (user_id, file_name, file_path, file_bytes) values ($1, 'alice.zip', '/nonexistent/alice.zip', 1) returning id`, [alice.userId]);
    const aliceImport = toGlobalId({ type: 'Import', importId: rows[0].id });
    expect((await node(alice, aliceImport)).node).toMatchObject({ __typename: 'Import', status: 'QUEUED', fileName: 'alice.zip' });

    const nothing = { node: null };
    for (const id of [me, shared.id, newest.id, newest.track.id, newest.track.artists[1]!.id, aliceImport]) expect(await node(bob, id), id).toEqual(nothing);
    // Ids of nothing at all answer the same.
    expect(await node(bob, toGlobalId({ type: 'Import', importId: '00000000-0000-4000-8000-000000000000' }))).toEqual(nothing);
    expect(await node(bob, toGlobalId({ type: 'Track', trackId: 'neverPlayedByAnyone000' }))).toEqual(nothing);
    // A play id naming Bob as its user, at Alice's play: Bob has no such play.
    expect(await node(bob, toGlobalId({ type: 'Play', userId: bob.userId, playedAt: '2026-04-01T10:05:00.000000Z', trackId: 'track00000000000000002' }))).toEqual(nothing);
  });

  it('shows what both played to both: a shared track, its album and artist', async () => {
    const { shared } = await idsOfAlice();
    for (const id of [shared.track.id, shared.track.album.id, shared.track.artists[0]!.id]) {
      expect((await node(bob, id)).node?.id, id).toBe(id);
    }
  });

  it('refuses an id this API did not make with BAD_USER_INPUT, and needs a session', async () => {
    const cursor = (await h.client(alice.token).request<{ listeningHistory: { edges: Array<{ cursor: string }> } }>('{ listeningHistory(first: 1) { edges { cursor } } }')).listeningHistory.edges[0]!
      .cursor;
    for (const id of ['', 'nope', 'x'.repeat(10_000), cursor, Buffer.from(JSON.stringify(['U', 'not-a-uuid'])).toString('base64url')]) {
      expect(await errorCodes(node(alice, id)), id.slice(0, 30)).toEqual(['BAD_USER_INPUT']);
    }
    expect(await errorCodes(h.client().request(NODE, { id: (await idsOfAlice()).me }))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('nodes(ids:)', () => {
  it('answers each id in order, null where the caller may not see it', async () => {
    const { me, newest, shared } = await idsOfAlice();
    const ids = [newest.track.id, me, shared.track.id, newest.id, newest.track.artists[0]!.id];
    const mine = await h.client(alice.token).request<{ nodes: Array<{ id: string } | null> }>('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(mine.nodes).toEqual(ids.map((id) => ({ id })));
    const theirs = await h.client(bob.token).request<{ nodes: Array<{ id: string } | null> }>('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(theirs.nodes).toEqual([null, null, { id: shared.track.id }, null, { id: newest.track.artists[0]!.id }]);
  });

  it('refuses more than 100 ids, and names the garbled one', async () => {
    const { me } = await idsOfAlice();
    expect(await errorCodes(h.client(alice.token).request('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array<string>(101).fill(me) }))).toEqual(['BAD_USER_INPUT']);
    await expect(h.client(alice.token).request('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [me, 'garbled'] })).rejects.toThrow(/ids\[1\] is not an id from this API/);
    expect((await h.client(alice.token).request<{ nodes: unknown[] }>('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [] })).nodes).toEqual([]);
  });
});
