import type { EmulatorState } from './emulator-state.js';
import { groundTruth, type GroundTruthPlay } from './ground-truth.js';
import { Rng } from './prng.js';

/**
 * One row of Spotify's "Extended streaming history" (`Streaming_History_Audio_*.json`), with the field
 * names of the real one. The private fields (IP address, country, platform/device) are filled with
 * deterministic made-up values, so tests can check that Playlog drops them.
 */
export interface ExtendedHistoryRow {
  ts: string;
  platform: string;
  ms_played: number;
  conn_country: string;
  ip_addr: string;
  master_metadata_track_name: string | null;
  master_metadata_album_artist_name: string | null;
  master_metadata_album_album_name: string | null;
  spotify_track_uri: string | null;
  episode_name: string | null;
  episode_show_name: string | null;
  spotify_episode_uri: string | null;
  audiobook_title: string | null;
  audiobook_uri: string | null;
  audiobook_chapter_uri: string | null;
  audiobook_chapter_title: string | null;
  reason_start: string;
  reason_end: string;
  shuffle: boolean;
  skipped: boolean;
  offline: boolean;
  offline_timestamp: number | null;
  incognito_mode: boolean;
}

const PLATFORMS = ['android', 'ios', 'windows', 'osx', 'linux', 'web_player'] as const;
const DEVICES: Record<(typeof PLATFORMS)[number], string> = {
  android: 'Android OS 14 API 34 (Google, Pixel 8)',
  ios: 'iOS 17.4 (iPhone15,3)',
  windows: 'Windows 10 (10.0.19045; x64)',
  osx: 'OS X 14.4.1 [arm 2]',
  linux: 'Linux 6.8.0 [x86 8]',
  web_player: 'web_player linux ;chrome 124.0.0.0;desktop',
};

/**
 * The streaming-history rows of a user's plays that ended in [fromMs, toMs), oldest first, derived from
 * the ground truth: `ts` is the play's real end TRUNCATED to whole seconds, as in Spotify's file (whatever
 * recently-played's `played_at` says), and every play is there, skips (plays shorter than 30 s) included.
 */
export function* extendedHistoryRows(state: Pick<EmulatorState, 'listeners' | 'catalogue'>, userId: string, fromMs: number, toMs: number): Generator<ExtendedHistoryRow> {
  const user = state.listeners.get(userId);
  if (!user) throw new RangeError(`no synthetic user ${userId}`);
  // The ground truth covers at most ~400 days per call; a day at a time also keeps memory flat.
  const DAY_MS = 86_400_000;
  for (let start = fromMs; start < toMs; start += DAY_MS) {
    for (const play of groundTruth(state, userId, start, Math.min(toMs, start + DAY_MS))) yield toStreamingHistoryRow(play, user.country);
  }
}

export function toStreamingHistoryRow(play: GroundTruthPlay, country: string): ExtendedHistoryRow {
  const endMs = Date.parse(play.ended_at);
  // The seed's label is the one first released: another would change every made-up value.
  const rng = new Rng('export-row', play.track.id, endMs);
  const platform = rng.pick(PLATFORMS);
  const skipped = !play.counted;
  return {
    ts: play.streaming_history.ts,
    platform: DEVICES[platform],
    ms_played: play.ms_played,
    conn_country: country,
    ip_addr: `${rng.int(11, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
    master_metadata_track_name: play.track.name,
    master_metadata_album_artist_name: play.track.artists[0]?.name ?? null,
    master_metadata_album_album_name: play.track.album.name,
    spotify_track_uri: play.track.uri,
    episode_name: null,
    episode_show_name: null,
    spotify_episode_uri: null,
    audiobook_title: null,
    audiobook_uri: null,
    audiobook_chapter_uri: null,
    audiobook_chapter_title: null,
    reason_start: rng.pick(['trackdone', 'clickrow', 'fwdbtn', 'playbtn']),
    reason_end: skipped ? 'fwdbtn' : 'trackdone',
    shuffle: rng.chance(0.3),
    skipped,
    offline: play.offline,
    offline_timestamp: Math.floor(Date.parse(play.started_at) / 1000),
    incognito_mode: false,
  };
}
