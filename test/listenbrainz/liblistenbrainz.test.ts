import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type LoggedIn } from '../api/api-harness.js';
import { createToken } from './listenbrainz-harness.js';

/*
 * The official ListenBrainz Python client, liblistenbrainz (pinned in liblistenbrainz-requirements.txt,
 * installed by scripts/listenbrainz-client-tools.sh, which npm test runs), driven against the API by
 * liblistenbrainz_client.py: a client nobody here wrote, with its own reading of every answer and its own
 * pacing by the rate-limit headers.
 */

const PYTHON = new URL('../../.tools/liblistenbrainz/bin/python', import.meta.url).pathname;
const SCRIPT = new URL('./liblistenbrainz_client.py', import.meta.url).pathname;
/** Few requests a short window, so that the client has to pace itself within one run. */
const RATE_LIMIT = 4;
const WINDOW_SECONDS = 2;

interface ClientRun {
  code: number;
  stderr: string;
  report: {
    calls: Array<{ name: string; value: unknown; remaining: number | null; reset_in: number | null; at: number }>;
    /** Every attempt urllib3 made: method, path, status. */
    statuses: Array<[string, string, number]>;
    error?: string;
  };
}

function runClient(user: LoggedIn, token: string, base: number): Promise<ClientRun> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run bash scripts/listenbrainz-client-tools.sh (npm test does)`);
  return new Promise((resolve) => {
    execFile(
      PYTHON,
      [SCRIPT, h.api.url, user.spotifyUserId, String(base)],
      { env: { PATH: process.env.PATH ?? '', LISTENBRAINZ_TOKEN: token, PYTHONDONTWRITEBYTECODE: '1' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        let report: ClientRun['report'];
        try {
          report = JSON.parse(stdout) as ClientRun['report'];
        } catch {
          report = { calls: [], statuses: [], error: `no JSON on stdout: ${stdout}` };
        }
        resolve({ code, stderr, report });
      },
    );
  });
}

const valueOf = (run: ClientRun, name: string): unknown => run.report.calls.find((call) => call.name === name)?.value;

const HISTORY = /* GraphQL */ `
  query {
    listeningHistory(first: 50) {
      totalCount
      edges { node { playedAt msPlayed track { name artists { name } album { name } } } }
    }
  }
`;
type History = {
  listeningHistory: { totalCount: number; edges: Array<{ node: { playedAt: string; msPlayed: number | null; track: { name: string; artists: Array<{ name: string }>; album: { name: string } | null } } }> };
};

let h: ApiHarness;
const base = Math.floor(Date.now() / 1000) - 600;

beforeAll(async () => {
  h = await startApiHarness({ label: 'lb_liblistenbrainz', env: { LISTENBRAINZ_RATE_LIMIT: String(RATE_LIMIT), LISTENBRAINZ_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS) } });
});
afterAll(async () => {
  await h?.stop();
});

describe('liblistenbrainz, the official Python client', () => {
  let alice: LoggedIn;
  let run: ClientRun;

  beforeAll(async () => {
    alice = await h.login(h.emulator.users()[0]!.id);
    run = await runClient(alice, (await createToken(h, alice, 'liblistenbrainz')).token, base);
  }, 90_000);

  it('validates its token, submits a single listen, a playing_now and an import, each answered ok', () => {
    expect(run.report.error, run.stderr).toBeUndefined();
    expect(run.code).toBe(0);
    expect(valueOf(run, 'set_auth_token')).toBeNull();
    for (const name of ['submit_single_listen', 'submit_playing_now', 'submit_multiple_listens']) expect(valueOf(run, name), name).toEqual({ status: 'ok' });
  });

  it('reads the listens back newest first, pages them by max_ts, counts them and shows what is playing now', () => {
    const listens = valueOf(run, 'get_listens') as Array<{ listened_at: number; track_name: string; artist_name: string; release_name: string | null; recording_msid: string }>;
    expect(listens.map(({ listened_at, track_name, artist_name, release_name }) => ({ listened_at, track_name, artist_name, release_name }))).toEqual([
      { listened_at: base, track_name: 'Says', artist_name: 'Nils Frahm', release_name: 'Spaces' },
      { listened_at: base - 2400, track_name: 'Kerala', artist_name: 'Bonobo', release_name: 'Migration' },
      { listened_at: base - 3000, track_name: 'Teardrop', artist_name: 'Massive Attack', release_name: null },
      { listened_at: base - 3600, track_name: 'Hoppípolla', artist_name: 'Sigur Rós', release_name: 'Takk...' },
    ]);
    expect(listens.every((listen) => typeof listen.recording_msid === 'string' && listen.recording_msid !== '')).toBe(true);
    expect((valueOf(run, 'get_listens_before_base') as Array<{ track_name: string }>).map((listen) => listen.track_name)).toEqual(['Kerala', 'Teardrop']);
    expect(valueOf(run, 'get_user_listen_count')).toBe(4);
    expect(valueOf(run, 'get_playing_now')).toMatchObject({ listened_at: null, track_name: 'Emerald Rush', artist_name: 'Jon Hopkins' });
    const recordings = (valueOf(run, 'get_user_recordings') as { payload: { total_recording_count: number; recordings: Array<{ track_name: string; listen_count: number }> } }).payload;
    expect(recordings.total_recording_count).toBe(4);
    expect(recordings.recordings.map((recording) => recording.track_name).sort()).toEqual(['Hoppípolla', 'Kerala', 'Says', 'Teardrop']);
  });

  it('gets ListenBrainzAPIException(404) with a message for an endpoint Playlog does not serve', () => {
    expect(valueOf(run, 'submit_user_feedback')).toEqual({ status_code: 404, message: expect.stringContaining('feedback/recording-feedback') });
  });

  it('paces itself by X-RateLimit-Remaining and -Reset-In: it runs out of requests and waits, never refused', () => {
    const refused = run.report.statuses.filter(([, , status]) => status === 429);
    expect(refused).toEqual([]);
    expect(run.report.statuses.length).toBeGreaterThan(2 * RATE_LIMIT);
    const spent = run.report.calls.filter((call) => call.remaining === 0);
    expect(spent.length).toBeGreaterThanOrEqual(2);
    expect(run.report.calls.every((call) => call.reset_in !== null && call.reset_in >= 1 && call.reset_in <= WINDOW_SECONDS)).toBe(true);
  });

  it('stores the listens as plays in the GraphQL history, each ending its duration after its start', async () => {
    const { listeningHistory } = await h.client(alice.token).request<History>(HISTORY);
    expect(listeningHistory.totalCount).toBe(4);
    expect(listeningHistory.edges.map(({ node }) => ({ playedAt: Date.parse(node.playedAt), msPlayed: node.msPlayed, track: node.track.name, artists: node.track.artists.map((artist) => artist.name), album: node.track.album?.name ?? null }))).toEqual([
      { playedAt: base * 1000 + 488_000, msPlayed: 488_000, track: 'Says', artists: ['Nils Frahm'], album: 'Spaces' },
      { playedAt: (base - 2400) * 1000 + 249_000, msPlayed: 249_000, track: 'Kerala', artists: ['Bonobo'], album: 'Migration' },
      { playedAt: (base - 3000) * 1000, msPlayed: null, track: 'Teardrop', artists: ['Massive Attack'], album: null },
      { playedAt: (base - 3600) * 1000 + 268_000, msPlayed: 268_000, track: 'Hoppípolla', artists: ['Sigur Rós'], album: 'Takk...' },
    ]);
  });
});

describe('liblistenbrainz started with its token’s requests already spent', () => {
  it('is refused once, waits the Retry-After its HTTP library honours, and goes on', async () => {
    const bob = await h.login(h.emulator.users()[1]!.id);
    const { token } = await createToken(h, bob, 'liblistenbrainz');
    // Another player of the same token used up this window.
    let refused = false;
    while (!refused) {
      const response = await fetch(`${h.api.url}/1/validate-token`, { headers: { Authorization: `Token ${token}` } });
      await response.arrayBuffer();
      refused = response.status === 429;
    }
    const late = await runClient(bob, token, base);
    expect(late.report.error, late.stderr).toBeUndefined();
    expect(late.code).toBe(0);
    expect(late.report.statuses.slice(0, 2)).toEqual([
      ['GET', '/1/validate-token', 429],
      ['GET', '/1/validate-token', 200],
    ]);
    expect(valueOf(late, 'get_user_listen_count')).toBe(4);
  }, 90_000);
});
