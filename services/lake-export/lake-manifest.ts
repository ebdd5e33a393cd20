import { z } from 'zod';

/**
 * `_manifest.json` at the lake's root: what each file holds and when it was written, and which state of
 * the database the lake reflects. Written last in a run, so it never names a file not yet written.
 */
const fileEntry = z.object({ rows: z.number().int().min(0), bytes: z.number().int().min(0), writtenAt: z.string() });

export const lakeManifestSchema = z.object({
  format: z.literal(1),
  writtenAt: z.string(),
  /** When the snapshot the lake was last brought up to date from was taken (Postgres' clock, UTC). */
  dataAsOf: z.string(),
  /** That snapshot, as Postgres names it (`pg_current_snapshot()`): xmin:xmax:in-progress transactions. */
  postgresSnapshot: z.string(),
  /** How user ids are written (user-pseudonyms.ts): a change rewrites the whole lake. */
  userIds: z.string(),
  /**
   * The version of the rules on what of a play may leave for the lake (LAKE_PRIVACY_RULES): a lake written
   * under other rules, or before they had a version, is rewritten whole, so no old file keeps what they drop.
   */
  privacyRules: z.number().int().optional(),
  plays: z.object({ rows: z.number().int().min(0), days: z.record(z.string(), fileEntry) }),
  tables: z.record(z.string(), fileEntry),
  lastRun: z.object({
    full: z.boolean(),
    daysWritten: z.number().int().min(0),
    daysRemoved: z.number().int().min(0),
    tablesWritten: z.array(z.string()),
    playRowsWritten: z.number().int().min(0),
    durationMs: z.number().min(0),
  }),
});
export type LakeManifest = z.infer<typeof lakeManifestSchema>;

/** 2: context URIs that name a listener are dropped (1, unversioned: contexts were copied as they were). */
export const LAKE_PRIVACY_RULES = 2;
export type LakeFileEntry = z.infer<typeof fileEntry>;

/** The manifest's text, or null when there is none or it is not one of ours (then the whole lake is rewritten). */
export function parseLakeManifest(text: string | null): { manifest: LakeManifest | null; problem?: string } {
  if (text === null) return { manifest: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { manifest: null, problem: 'it is not JSON' };
  }
  const parsed = lakeManifestSchema.safeParse(json);
  return parsed.success ? { manifest: parsed.data } : { manifest: null, problem: parsed.error.issues[0]?.message ?? 'unexpected shape' };
}
