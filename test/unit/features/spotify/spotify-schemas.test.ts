import { describe, expect, it } from 'vitest';
import { describeSchemaProblems, privateUserSchema, recentlyPlayedPageSchema, tokenResponseSchema } from '../../../../services/features/spotify/spotify-schemas.js';

/** What real Spotify legitimately sends and the emulator does not produce: local files, nulls, extra fields. */
const localFilePlay = {
  track: {
    album: { album_type: null, artists: [], available_markets: [], external_urls: {}, href: null, id: null, images: [], name: 'Bootlegs', release_date: null, release_date_precision: null, type: 'album', uri: null },
    artists: [{ external_urls: {}, href: null, id: null, name: 'Someone Local', type: 'artist', uri: null }],
    available_markets: [],
    disc_number: 0,
    duration_ms: 201_000,
    explicit: false,
    external_ids: {},
    external_urls: {},
    href: null,
    id: null,
    is_local: true,
    name: 'Garage Take 3',
    popularity: 0,
    preview_url: null,
    track_number: 0,
    type: 'track',
    uri: 'spotify:local:Someone+Local:Bootlegs:Garage+Take+3:201',
  },
  played_at: '2026-01-02T03:04:05Z',
  context: null,
};

describe('Spotify schemas', () => {
  it('accept local files, null ids, missing images, absent context and unknown fields', () => {
    const page = recentlyPlayedPageSchema.parse({
      items: [localFilePlay, { ...localFilePlay, played_at: '2026-01-02T03:00:00.123+00:00', context: undefined, brand_new_field: { x: 1 } }],
      next: null,
      cursors: null,
      limit: 20,
      href: 'https://api.spotify.com/v1/me/player/recently-played',
      total: 2,
    });
    expect(page.items[0]!.track.id).toBeNull();
    expect(page.items[0]!.track.album!.images).toEqual([]);
    expect(page.items[1]).not.toHaveProperty('brand_new_field');
    expect(page).not.toHaveProperty('total');
  });

  it('accept a page with only what Playlog needs', () => {
    expect(recentlyPlayedPageSchema.parse({ items: [{ track: { name: 'x', uri: 'spotify:track:1', duration_ms: 1 }, played_at: '2026-01-02T03:04:05.000Z' }] }).items).toHaveLength(1);
  });

  it('reject a play without its time or track identity, naming the field and not the value', () => {
    const result = recentlyPlayedPageSchema.safeParse({
      items: [{ ...localFilePlay, played_at: 'yesterday' }, { ...localFilePlay, track: { ...localFilePlay.track, uri: undefined } }],
    });
    expect(result.success).toBe(false);
    const message = describeSchemaProblems(result.error!);
    expect(message).toMatch(/items\.0\.played_at: Invalid ISO datetime/);
    expect(message).toMatch(/items\.1\.track\.uri/);
    expect(message).not.toContain('yesterday');
  });

  it('accept a profile without display name or images', () => {
    expect(privateUserSchema.parse({ id: 'abc', display_name: null, images: null, type: 'user' })).toEqual({ id: 'abc', display_name: null, images: null });
  });

  it('accept token responses with and without a refresh token, any case of Bearer', () => {
    expect(tokenResponseSchema.parse({ access_token: 'a', token_type: 'bearer', expires_in: 3600 })).not.toHaveProperty('refresh_token');
    expect(tokenResponseSchema.safeParse({ access_token: 'a', token_type: 'mac', expires_in: 3600 }).success).toBe(false);
  });
});
