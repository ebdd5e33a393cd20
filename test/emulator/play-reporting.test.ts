import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/shared/config/load-config.js';
import { emulatorEnv, emulatorOptionsFromEnv } from '../../services/spotify-emulator/config.js';
import type { GroundTruthPlay } from '../../services/spotify-emulator/ground-truth.js';
import { EXACT_REPORTING, REALISTIC_REPORTING } from '../../services/spotify-emulator/play-reporting.js';
import { loginSyntheticUser, spotifyClientsFor, startTestEmulator, TEST_EMULATOR_START, type RunningEmulator } from '../support/emulator.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = Date.parse(TEST_EMULATOR_START);
const ms = (iso: string) => Date.parse(iso);

/**
 * The emulator reports plays as Spotify does (../shared/spotify/README.md; spotify/web-api#613, #1083), by
 * default: recently-played's played_at is the start on some days, a pause makes a play end (and an end
 * played_at come) later, plays made offline reach recently-played hours late with their old played_at; the
 * streaming history's ts is always the end; a ListenBrainz client's listen starts where the play started.
 */
describe('how the emulator reports plays', () => {
  const running: RunningEmulator[] = [];
  const launch = async (options: Parameters<typeof startTestEmulator>[0] = {}) => {
    const emulator = await startTestEmulator({ users: 1, playsPerHour: [20, 20], ...options });
    running.push(emulator);
    return emulator;
  };
  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.stop()));
  });

  it('realistically by default: starts on some days, pauses, late offline plays; every source’s report in the ground truth', async () => {
    const emulator = await launch();
    const user = emulator.users()[0]!.id;
    const plays = emulator.groundTruth(user, start - 30 * DAY, start);
    const days = new Map<string, Set<string>>();
    for (const play of plays) days.set(play.started_at.slice(0, 10), (days.get(play.started_at.slice(0, 10)) ?? new Set()).add(play.played_at_is));
    const startDays = [...days.values()].filter((kinds) => kinds.has('start')).length;
    expect(startDays / days.size).toBeGreaterThan(0.05);
    expect(startDays / days.size).toBeLessThan(0.45);
    for (const play of plays) {
      expect(play.played_at).toBe(play.played_at_is === 'start' ? play.started_at : play.ended_at);
      expect(ms(play.ended_at) - ms(play.started_at)).toBe(play.ms_played + play.paused_ms);
      expect(play.streaming_history).toEqual({ ts: new Date(Math.floor(ms(play.ended_at) / 1000) * 1000).toISOString().replace('.000Z', 'Z'), ms_played: play.ms_played });
      if (play.listenbrainz) expect(play.listenbrainz).toEqual({ listened_at: Math.floor(ms(play.started_at) / 1000), duration_ms: play.track.duration_ms });
      expect(ms(play.delivered_at)).toBe(play.offline ? ms(play.delivered_at) : ms(play.ended_at));
    }
    const paused = plays.filter((play) => play.paused_ms > 0);
    expect(paused.length / plays.length).toBeGreaterThan(0.02);
    expect(Math.max(...paused.map((play) => play.paused_ms))).toBeLessThanOrEqual(REALISTIC_REPORTING.pauseMaxMs);
    const offline = plays.filter((play) => play.offline);
    expect(offline.length).toBeGreaterThan(0);
    expect(offline.every((play) => ms(play.delivered_at) - ms(play.ended_at) >= REALISTIC_REPORTING.offlineDelayMinMs)).toBe(true);
    // Web Scrobbler scrobbles a play once half the track (or four minutes) has played: not every counted play.
    const counted = plays.filter((play) => play.counted);
    expect(counted.filter((play) => play.listenbrainz).length).toBeLessThan(counted.length);
    expect(plays.filter((play) => play.listenbrainz && !play.counted)).toEqual([]);
  });

  it('plays a track back to back: the next play of it starts within seconds of the previous one’s end', async () => {
    const emulator = await launch();
    const plays = emulator.groundTruth(emulator.users()[0]!.id, start - 30 * DAY, start);
    const backToBack = plays.filter((play, i) => i > 0 && plays[i - 1]!.track.id === play.track.id && ms(play.started_at) - ms(plays[i - 1]!.ended_at) < 5_000);
    expect(backToBack.length).toBeGreaterThan(100);
    // On a day whose played_at is the start, one play's played_at is within seconds of the previous one's end.
    expect(backToBack.filter((play) => play.played_at_is === 'start').length).toBeGreaterThan(0);
  });

  it('shows a play made offline in recently-played only once delivered, at the place of its old played_at', async () => {
    const emulator = await launch({ playsPerHour: [10, 10], reporting: { offlineShare: 0.5, offlineDelayMinMs: HOUR, offlineDelayMaxMs: HOUR } });
    const user = emulator.users()[0]!.id;
    const offline = emulator.groundTruth(user, start - DAY, start - 2 * HOUR).find((play) => play.offline && play.counted)!;
    expect(offline).toBeDefined();
    const retrievable = () => emulator.groundTruth(user, 'retrievable').map((play) => play.played_at);
    emulator.clock.set(ms(offline.ended_at) + 1);
    expect(retrievable()).not.toContain(offline.played_at);
    emulator.clock.set(ms(offline.delivered_at));
    try {
      const now = retrievable();
      expect(now).toContain(offline.played_at);
      expect(now).toEqual([...now].sort());
      // Newer plays were already there: it was delivered behind them.
      expect(now.at(-1)! > offline.played_at).toBe(true);
      const { accessToken } = await loginSyntheticUser(emulator, user);
      const page = await spotifyClientsFor(emulator).api.getRecentlyPlayed(accessToken, { limit: 50 });
      expect(page.items.map((item) => item.played_at)).toContain(offline.played_at);
    } finally {
      emulator.clock.set(start);
    }
  });

  it('reports exactly when told to: played_at the end, no pause, every play delivered as it ends', async () => {
    const exact = await launch({ reporting: EXACT_REPORTING });
    const plays = exact.groundTruth(exact.users()[0]!.id, start - 7 * DAY, start);
    expect(plays.every((play: GroundTruthPlay) => play.played_at === play.ended_at && play.paused_ms === 0 && !play.offline && play.delivered_at === play.ended_at)).toBe(true);
  });

  it('changes how it reports at run time (PUT /admin/reporting), and refuses settings it cannot apply', async () => {
    const emulator = await launch();
    const admin = async (method: string, body?: unknown) => {
      const response = await fetch(`${emulator.adminUrl}/reporting`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect((await admin('GET')).body).toEqual(REALISTIC_REPORTING);
    const user = emulator.users()[0]!.id;
    expect((await admin('PUT', { startedAtShare: 1 })).body).toMatchObject({ ...REALISTIC_REPORTING, startedAtShare: 1 });
    expect(emulator.groundTruth(user, start - DAY, start).every((play) => play.played_at === play.started_at)).toBe(true);
    expect((await admin('PUT', { startedAtShare: 2 })).status).toBe(400);
    expect((await admin('PUT', { offlineDelayMinMs: 10 * HOUR, offlineDelayMaxMs: HOUR })).status).toBe(400);
    expect((await admin('PUT', { loudness: 11 })).status).toBe(400);
    expect((await admin('GET')).body).toMatchObject({ startedAtShare: 1 });
  });

  it('reads its reporting from the environment, realistic unless told otherwise', () => {
    expect(emulatorOptionsFromEnv(loadConfig(emulatorEnv, {})).reporting).toEqual(REALISTIC_REPORTING);
    const exact = emulatorOptionsFromEnv(loadConfig(emulatorEnv, { EMULATOR_STARTED_AT_SHARE: '0', EMULATOR_PAUSE_SHARE: '0', EMULATOR_OFFLINE_SHARE: '0' })).reporting;
    expect(exact).toEqual(EXACT_REPORTING);
  });
});
