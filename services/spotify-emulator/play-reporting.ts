import { z } from 'zod';

const share = z.number().min(0).max(1);
const ms = z.number().int().min(0);

/**
 * How the emulated Spotify reports plays, as developers report the real one does (spotify/web-api#613,
 * #1083; ../shared/spotify/README.md): `played_at` is usually the play's end, but on some clients and days
 * its start; a pause moves the end (and so an end `played_at`) later; plays made offline reach
 * recently-played hours after they ended, with their old `played_at`. The streaming history's `ts` is
 * always the end. Set at start (env / options) and changed at run time (`PUT /admin/reporting`).
 */
export const reportingSettingsSchema = z.object({
  /** Share of a listener's UTC days on which `played_at` is the play's start (their client reports starts). */
  startedAtShare: share,
  /** Share of plays paused part way: they end later than their start plus their ms_played, by the pause. */
  pauseShare: share,
  /** A pause lasts 5 s to this long (uniformly). */
  pauseMaxMs: ms.min(5_000),
  /** Share of a listener's hours played offline: those plays reach recently-played late. */
  offlineShare: share,
  /** An offline hour's plays reach recently-played this long after the hour ends, at least... */
  offlineDelayMinMs: ms,
  /** ...and at most (uniformly). */
  offlineDelayMaxMs: ms,
});

export type ReportingSettings = z.infer<typeof reportingSettingsSchema>;

/** Checks what the schema cannot say alone; throws a RangeError naming the problem. */
export function checkReporting(settings: ReportingSettings): ReportingSettings {
  const parsed = reportingSettingsSchema.parse(settings);
  if (parsed.offlineDelayMinMs > parsed.offlineDelayMaxMs) throw new RangeError('offlineDelayMinMs must not exceed offlineDelayMaxMs');
  return parsed;
}

const HOUR_MS = 3_600_000;

/** Spotify as it behaves: on by default, so that everything runs against the behaviour Playlog must handle. */
export const REALISTIC_REPORTING: ReportingSettings = {
  startedAtShare: 0.2,
  pauseShare: 0.05,
  pauseMaxMs: 60_000,
  offlineShare: 0.03,
  offlineDelayMinMs: HOUR_MS,
  offlineDelayMaxMs: 6 * HOUR_MS,
};

/** Every source agrees: `played_at` is the end, no pause, every play retrievable the moment it ends. */
export const EXACT_REPORTING: ReportingSettings = {
  startedAtShare: 0,
  pauseShare: 0,
  pauseMaxMs: 60_000,
  offlineShare: 0,
  offlineDelayMinMs: HOUR_MS,
  offlineDelayMaxMs: 6 * HOUR_MS,
};

/** What a play's `played_at` is: its end, or its start (a client and day that report starts). */
export type PlayedAtIs = 'end' | 'start';
