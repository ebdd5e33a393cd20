/**
 * ListenBrainz's own limits (api_tools.py of metabrainz/listenbrainz-server), kept as it keeps them so a
 * player that works against ListenBrainz works against Playlog: docs/listenbrainz.md lists them.
 */
export const LISTEN_LIMITS = {
  /** Bytes one listen may take, on average over its payload. */
  maxListenBytes: 10_240,
  maxListensPerRequest: 1_000,
  /** Bytes a whole submission may take. */
  maxPayloadBytes: 10_240 * 1_000,
  maxTagsPerListen: 50,
  maxTagLength: 64,
  /** Durations above this are refused (24 days). */
  maxDurationSeconds: 24 * 24 * 60 * 60,
  /** 2002-10-01T00:00:00Z: ListenBrainz refuses older listens (before it, most Last.fm data is noise). */
  minListenedAt: 1_033_430_400,
  /** How far ahead of the server's clock a listen may be (players' clocks drift). */
  allowedSkewSeconds: 3_600,
  defaultItemsPerGet: 25,
  maxItemsPerGet: 1_000,
} as const;
