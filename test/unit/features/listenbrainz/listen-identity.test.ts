import { describe, expect, it } from 'vitest';
import { clientOf, listenTrackId, normalisedName, spotifyTrackIdOf } from '../../../../services/features/listenbrainz/listen-identity.js';

const ID = '4uLU6hMCjMI75M1A2tKUQC';

describe('the Spotify track a listen names', () => {
  it.each([
    [{ spotify_id: `https://open.spotify.com/track/${ID}` }, ID],
    [{ spotify_id: `http://open.spotify.com/track/${ID}?si=abc` }, ID],
    [{ spotify_id: `https://open.spotify.com/intl-de/track/${ID}` }, ID],
    [{ spotify_id: `spotify:track:${ID}` }, ID],
    [{ spotify_id: ID }, ID],
    [{ origin_url: `https://open.spotify.com/track/${ID}` }, ID],
    [{ origin_url: ID }, null],
    [{ spotify_id: `https://open.spotify.com/album/${ID}` }, null],
    [{ spotify_id: 'https://example.com/track/x' }, null],
    [{ spotify_id: 42 }, null],
    [{}, null],
  ])('%o → %s', (info, expected) => {
    expect(spotifyTrackIdOf(info)).toBe(expected);
  });
});

describe('a track made from a listen’s names', () => {
  it('is the same for the same song however a player writes it', () => {
    expect(listenTrackId('Sigur Rós', 'Hoppípolla')).toBe(listenTrackId('  sigur  rós ', 'HOPPÍPOLLA'));
    // NFKC: a ligature and its letters are one name.
    expect(normalisedName('ﬁre')).toBe('fire');
  });

  it('differs between songs, and between an artist and title that only swap places', () => {
    expect(listenTrackId('A', 'B')).not.toBe(listenTrackId('B', 'A'));
    expect(listenTrackId('A B', 'C')).not.toBe(listenTrackId('A', 'B C'));
  });

  it('is never a Spotify id', () => {
    expect(listenTrackId('A', 'B')).toMatch(/^listen-[A-Za-z0-9_-]{22}$/);
  });
});

describe('which player sent a listen', () => {
  it('is submission_client, else media_player, trimmed and bounded; none without either', () => {
    expect(clientOf({ submission_client: ' Navidrome ', media_player: 'x' })).toBe('Navidrome');
    expect(clientOf({ media_player: 'Jellyfin' })).toBe('Jellyfin');
    expect(clientOf({ submission_client: 'x'.repeat(500) })).toHaveLength(100);
    expect(clientOf({ submission_client: '' })).toBeNull();
    expect(clientOf({})).toBeNull();
  });
});
