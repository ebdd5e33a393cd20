import { z } from 'zod';

/**
 * What Playlog reads from Spotify, and nothing more. Tolerant where Spotify legitimately varies
 * (nulls, missing optional fields, extra fields, local files whose ids are null, albums without
 * images): unknown fields are dropped, absent optional ones stay absent. Strict only on the few
 * fields Playlog cannot work without, listed in SPOTIFY_ESSENTIAL_FIELDS; the contract test checks
 * that nothing else is required beyond what Spotify's OpenAPI description requires.
 */

const optionalText = z.string().nullable().optional();

export const externalUrlsSchema = z.object({ spotify: z.string().optional() });

export const imageSchema = z.object({
  url: z.string(),
  height: z.number().int().nullable().optional(),
  width: z.number().int().nullable().optional(),
});

export const artistSchema = z.object({
  /** null for local files */
  id: optionalText,
  name: z.string(),
  uri: optionalText,
});

export const albumSchema = z.object({
  /** null for local files */
  id: optionalText,
  name: z.string(),
  uri: optionalText,
  album_type: optionalText,
  release_date: optionalText,
  release_date_precision: optionalText,
  images: z.array(imageSchema).nullable().optional(),
});

export const trackSchema = z.object({
  /** null for local files (their uri is spotify:local:...) */
  id: optionalText,
  name: z.string(),
  uri: z.string().min(1),
  duration_ms: z.number().int().nonnegative(),
  album: albumSchema.nullable().optional(),
  artists: z.array(artistSchema).nullable().optional(),
  explicit: z.boolean().nullable().optional(),
  is_local: z.boolean().nullable().optional(),
});

export const contextSchema = z.object({
  type: optionalText,
  uri: optionalText,
  href: optionalText,
  external_urls: externalUrlsSchema.nullable().optional(),
});

export const playHistoryItemSchema = z.object({
  track: trackSchema,
  /** When the play ended, ISO-8601 UTC (usually with milliseconds). */
  played_at: z.iso.datetime({ offset: true }),
  context: contextSchema.nullable().optional(),
});

export const cursorsSchema = z.object({
  after: optionalText,
  before: optionalText,
});

export const recentlyPlayedPageSchema = z.object({
  items: z.array(playHistoryItemSchema),
  next: optionalText,
  cursors: cursorsSchema.nullable().optional(),
  limit: z.number().int().nullable().optional(),
  href: optionalText,
});

export const privateUserSchema = z.object({
  id: z.string().min(1),
  /** Spotify's stable, pseudonymous account identifier (newer than `id`; may be absent). */
  account_id: optionalText,
  display_name: optionalText,
  email: optionalText,
  country: optionalText,
  product: optionalText,
  uri: optionalText,
  images: z.array(imageSchema).nullable().optional(),
});

/** Web API error body: `{"error":{"status":429,"message":"...","reason":"QUOTA_EXCEEDED"}}`. */
export const webApiErrorBodySchema = z.object({
  error: z.object({
    status: z.number().int(),
    message: z.string(),
    reason: z.string().optional(),
  }),
});

/** Accounts service error body: `{"error":"invalid_grant","error_description":"..."}`. */
export const oauthErrorBodySchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

/** Token endpoint answer; `refresh_token` is absent from some refresh answers (keep the old one then). */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, 'must be Bearer'),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
  refresh_token: z.string().min(1).optional(),
});

export type SpotifyArtist = z.infer<typeof artistSchema>;
export type SpotifyAlbum = z.infer<typeof albumSchema>;
export type SpotifyTrack = z.infer<typeof trackSchema>;
export type SpotifyContext = z.infer<typeof contextSchema>;
export type SpotifyPlayHistoryItem = z.infer<typeof playHistoryItemSchema>;
export type SpotifyRecentlyPlayedPage = z.infer<typeof recentlyPlayedPageSchema>;
export type SpotifyPrivateUser = z.infer<typeof privateUserSchema>;
export type SpotifyTokenResponse = z.infer<typeof tokenResponseSchema>;

/**
 * Fields these schemas require although Spotify's OpenAPI description marks them optional: without
 * them a play cannot be stored (its time, its track's identity, name and length) or a user cannot be
 * identified (an artist without a name could not be shown). Paths use `[]` for array items. The contract test fails if this list and the schemas disagree.
 */
export const SPOTIFY_ESSENTIAL_FIELDS = {
  recentlyPlayedPage: [
    'items',
    'items[].played_at',
    'items[].track',
    'items[].track.name',
    'items[].track.uri',
    'items[].track.duration_ms',
    'items[].track.artists[].name',
  ],
  track: ['name', 'uri', 'duration_ms', 'artists[].name'],
  privateUser: ['id'],
} as const;

/** A schema failure as one readable line: where and what, never the offending values. */
export function describeSchemaProblems(error: z.ZodError, max = 5): string {
  const problems = error.issues.slice(0, max).map((issue) => `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`);
  const more = error.issues.length > max ? ` (and ${error.issues.length - max} more)` : '';
  return problems.join('; ') + more;
}
