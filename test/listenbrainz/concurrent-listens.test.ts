import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type LoggedIn } from '../api/api-harness.js';
import { createToken, HISTORY, lb, listen, type History } from './listenbrainz-harness.js';

/**
 * Many players at once: single listens from several listeners arrive together and are stored a batch at a
 * time (docs/listenbrainz.md, "Many listens at once"). Each listener must get exactly their own plays, once,
 * with their own names, whatever their listens were batched with.
 */
const LISTENERS = 8;
let h: ApiHarness;
const listeners: Array<LoggedIn & { apiToken: string }> = [];
const start = Math.floor(Date.now() / 1000) - 7 * 86_400;

beforeAll(async () => {
  h = await startApiHarness({ label: 'lb_concurrent', emulator: { users: LISTENERS }, env: { LISTENBRAINZ_RATE_LIMIT: '0' } });
  for (const user of h.emulator.users().slice(0, LISTENERS)) {
    const loggedIn = await h.login(user.id);
    listeners.push({ ...loggedIn, apiToken: (await createToken(h, loggedIn)).token });
  }
});
afterAll(async () => {
  await h?.stop();
});


/**
 * Listener n's k-th listen: their own song (its names theirs alone) every 10 minutes, with its MusicBrainz
 * recording, by which their later listens find the track their first one made.
 */
const listenOf = (n: number, k: number) =>
  listen(start + n * 60 + k * 600, { artist: `Band ${n}`, title: `Song of listener ${n}`, info: { duration_ms: 200_000, recording_mbid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` } });

const submit = (n: number, k: number) => lb(h, '/1/submit-listens', { token: listeners[n]!.apiToken, body: { listen_type: 'single', payload: [listenOf(n, k)] } });

describe('single listens from many listeners at once', () => {
  it('stores every listen once, as its own listener’s play of their own track, whatever arrived with it', async () => {
    // First listens: tracks the catalogue does not hold (each stored with its names, on its own).
    const first = await Promise.all(listeners.map((_, n) => submit(n, 0)));
    expect(first.map((answer) => answer.body)).toEqual(listeners.map(() => ({ status: 'ok' })));

    // Then everyone at once, each listen of a track their first named: stored together; some sent twice.
    const sends = listeners.flatMap((_, n) => [1, 2, 3, 4, 5, 2, 4].map((k) => () => submit(n, k)));
    const answers = await Promise.all(sends.sort(() => Math.random() - 0.5).map((send) => send()));
    expect(answers.map((answer) => answer.status)).toEqual(sends.map(() => 200));
    expect(new Set(answers.map((answer) => JSON.stringify(answer.body)))).toEqual(new Set(['{"status":"ok"}']));

    for (const [n, listener] of listeners.entries()) {
      expect((await lb(h, `/1/user/${listener.spotifyUserId}/listen-count`, { token: listener.apiToken })).body).toEqual({ payload: { count: 6 } });
      const history = await h.client(listener.token).request<History>(HISTORY);
      expect(history.listeningHistory.totalCount).toBe(6);
      const plays = history.listeningHistory.edges.map((edge) => edge.node);
      // One track, their own, named as they sent it.
      expect(new Set(plays.map((play) => play.track.id)).size).toBe(1);
      expect(plays[0]!.track).toMatchObject({ name: `Song of listener ${n}`, artists: [{ name: `Band ${n}` }] });
      expect(plays.map((play) => Date.parse(play.playedAt)).sort()).toEqual([0, 1, 2, 3, 4, 5].map((k) => (start + n * 60 + k * 600) * 1000 + 200_000));
      expect(new Set(plays.map((play) => play.source))).toEqual(new Set(['LISTENBRAINZ']));
    }
  });

  it('answers a listen sent again by many players at once with ok, and keeps it once', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => submit(0, 9)));
    expect(answers.map((answer) => answer.body)).toEqual(answers.map(() => ({ status: 'ok' })));
    expect((await lb(h, `/1/user/${listeners[0]!.spotifyUserId}/listen-count`, { token: listeners[0]!.apiToken })).body).toEqual({ payload: { count: 7 } });
  });
});
