import { describe, expect, it } from 'vitest';
import { parseStreamingHistoryRow } from '../../../../services/features/streaming-history/streaming-history-row.js';

/** A row as Spotify's Streaming_History_Audio_*.json holds it, private fields included. */
const ROW = {
  ts: '2021-03-04T12:34:56Z',
  username: 'listener-name-9f3a',
  platform: 'Android OS 11 API 30 (Google, Pixel 5)',
  ms_played: 215_000,
  conn_country: 'FR',
  ip_addr: '203.0.113.77',
  user_agent_decrypted: 'unknown',
  master_metadata_track_name: 'Garage Take 3',
  master_metadata_album_artist_name: 'Someone',
  master_metadata_album_album_name: 'Bootlegs',
  spotify_track_uri: 'spotify:track:4uLU6hMCjMI75M1A2tKUQC',
  episode_name: null,
  episode_show_name: null,
  spotify_episode_uri: null,
  reason_start: 'trackdone',
  reason_end: 'endplay',
  shuffle: false,
  skipped: null,
  offline: false,
  offline_timestamp: 1614861296,
  incognito_mode: true,
};
const PRIVATE = ['listener-name-9f3a', 'Pixel 5', '203.0.113.77', 'FR', 'incognito', 'offline', 'trackdone'];

describe('a row of a streaming history', () => {
  it('keeps the play (its end, track, time played, names) and nothing else', () => {
    const parsed = parseStreamingHistoryRow(ROW);
    expect(parsed).toEqual({
      play: { playedAt: '2021-03-04T12:34:56.000Z', trackId: '4uLU6hMCjMI75M1A2tKUQC', msPlayed: 215_000, trackName: 'Garage Take 3', artistName: 'Someone', albumName: 'Bootlegs' },
    });
    const kept = JSON.stringify(parsed);
    for (const value of PRIVATE) expect(kept).not.toContain(value);
  });

  it('reads an instant with milliseconds or an offset as the same instant in UTC', () => {
    const at = (ts: string) => parseStreamingHistoryRow({ ...ROW, ts });
    expect(at('2021-03-04T14:34:56+02:00')).toMatchObject({ play: { playedAt: '2021-03-04T12:34:56.000Z' } });
    expect(at('2021-03-04T07:04:56.250-0530')).toMatchObject({ play: { playedAt: '2021-03-04T12:34:56.250Z' } });
  });

  it('keeps a play whose names are missing (a track Spotify still knows), with no names', () => {
    const { master_metadata_track_name: _track, ...unnamed } = ROW;
    expect(parseStreamingHistoryRow({ ...unnamed, master_metadata_album_artist_name: '', master_metadata_album_album_name: null })).toMatchObject({
      play: { trackId: '4uLU6hMCjMI75M1A2tKUQC', trackName: null, artistName: null, albumName: null },
    });
    expect(parseStreamingHistoryRow({ ...ROW, master_metadata_track_name: 'n'.repeat(5_000) })).toMatchObject({ play: { trackName: 'n'.repeat(1_000) } });
  });

  it('skips podcast episodes and audiobook chapters', () => {
    const episode = { ...ROW, spotify_track_uri: null, master_metadata_track_name: null, episode_name: 'Episode 12', spotify_episode_uri: 'spotify:episode:0Q86acNRm6V9GYx55SXKwf' };
    expect(parseStreamingHistoryRow(episode)).toEqual({ skip: 'podcast', message: 'a podcast episode or audiobook chapter' });
    expect(parseStreamingHistoryRow({ ...ROW, audiobook_chapter_uri: 'spotify:chapter:1' })).toMatchObject({ skip: 'podcast' });
  });

  it('skips local files, with or without a URI', () => {
    expect(parseStreamingHistoryRow({ ...ROW, spotify_track_uri: 'spotify:local:Someone:Bootlegs:Garage+Take+3:201' })).toEqual({ skip: 'local', message: 'a local file' });
    expect(parseStreamingHistoryRow({ ...ROW, spotify_track_uri: null })).toEqual({ skip: 'local', message: 'a local file (no track URI)' });
  });

  it('skips a malformed row, naming the field and never a private value', () => {
    const malformed: Array<[unknown, RegExp]> = [
      [null, /^not a JSON object$/],
      [[ROW], /^not a JSON object$/],
      ['spotify:track:4uLU6hMCjMI75M1A2tKUQC', /^not a JSON object$/],
      [{ ...ROW, spotify_track_uri: null, master_metadata_track_name: null }, /^no track URI, episode or track name$/],
      [{ ...ROW, spotify_track_uri: 'spotify:track:short' }, /^spotify_track_uri "spotify:track:short" is not a track URI$/],
      [{ ...ROW, spotify_track_uri: 42 }, /^spotify_track_uri "42" is not a track URI$/],
      [{ ...ROW, ts: 'yesterday' }, /^ts "yesterday" is not an ISO-8601 instant$/],
      [{ ...ROW, ts: '2021-03-04 12:34:56' }, /^ts .* is not an ISO-8601 instant$/],
      // Dates and times that do not exist: JavaScript's parser would move them to the next month or hour.
      [{ ...ROW, ts: '2021-02-30T12:00:00Z' }, /^ts "2021-02-30T12:00:00Z" is not an ISO-8601 instant$/],
      [{ ...ROW, ts: '2021-04-31T12:00:00Z' }, /^ts "2021-04-31T12:00:00Z" is not an ISO-8601 instant$/],
      [{ ...ROW, ts: '2021-13-01T12:00:00Z' }, /^ts "2021-13-01T12:00:00Z" is not an ISO-8601 instant$/],
      [{ ...ROW, ts: '2021-03-04T12:60:00Z' }, /^ts "2021-03-04T12:60:00Z" is not an ISO-8601 instant$/],
      [{ ...ROW, ts: 1614861296 }, /^ts is missing or not a string is not an ISO-8601 instant$/],
      [{ ...ROW, ms_played: -1 }, /^ms_played is missing or not a whole number of milliseconds$/],
      [{ ...ROW, ms_played: 1.5 }, /^ms_played/],
      [{ ...ROW, ms_played: '215000' }, /^ms_played/],
      [{ ...ROW, ms_played: 2 ** 31 }, /^ms_played/],
    ];
    for (const [row, message] of malformed) {
      const parsed = parseStreamingHistoryRow(row);
      expect(parsed, JSON.stringify(row).slice(0, 80)).toMatchObject({ skip: 'malformed', message: expect.stringMatching(message) as string });
      for (const value of PRIVATE) expect(JSON.stringify(parsed)).not.toContain(value);
    }
  });
});
