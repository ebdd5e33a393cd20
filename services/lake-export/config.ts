import { tmpdir } from 'node:os';
import { z } from 'zod';
import { databaseEnv, envHelpers, runtimeEnv } from '../shared/config/env-schema.js';
import { ConfigError, defineEnv, environment, loadConfig, sensitive } from '../shared/config/load-config.js';
import { parseLakeUrl } from './lake-url.js';

const { bool, positiveInt, httpUrl } = envHelpers;

/** A pseudonym key shorter than this could be guessed, and with it every user's pseudonym reversed by trying ids. */
const MIN_PSEUDONYM_KEY_LENGTH = 32;

export const lakeExportEnv = defineEnv({
  LAKE_URL: z
    .string()
    .refine((value) => parseLakeUrl(value) !== null, 'must be s3://bucket[/prefix] or file:///absolute/directory')
    .describe('Where `lake:export` writes the data lake (docs/lake.md): `s3://bucket/prefix` or `file:///absolute/directory`.'),
  LAKE_S3_ENDPOINT: httpUrl.optional().describe('S3-compatible endpoint (MinIO, SeaweedFS, R2…); unset: AWS S3 of LAKE_S3_REGION.'),
  LAKE_S3_REGION: z.string().min(1).default('us-east-1').describe('Region of the lake’s bucket.'),
  LAKE_S3_FORCE_PATH_STYLE: bool.default(false).describe('Address the bucket in the path (http://endpoint/bucket/key), as most S3-compatible servers want.'),
  LAKE_S3_ACCESS_KEY_ID: sensitive(z.string().min(1).optional(), 'Access key of the lake’s bucket (with LAKE_S3_SECRET_ACCESS_KEY); unset: the AWS SDK’s default credentials (environment, IRSA, instance role).'),
  LAKE_S3_SECRET_ACCESS_KEY: sensitive(z.string().min(1).optional(), 'Secret key of the lake’s bucket (with LAKE_S3_ACCESS_KEY_ID).'),
  LAKE_USER_IDS: z
    .enum(['pseudonymous', 'plain'])
    .default('pseudonymous')
    .describe('How users appear in the lake: `pseudonymous`, a keyed hash of their id (HMAC-SHA256 with LAKE_PSEUDONYM_KEY), or `plain`, Playlog’s own user id.'),
  LAKE_PSEUDONYM_KEY: sensitive(
    z.string().min(MIN_PSEUDONYM_KEY_LENGTH, `at least ${MIN_PSEUDONYM_KEY_LENGTH} characters`).optional(),
    'Key of the lake’s user pseudonyms (required when LAKE_USER_IDS=pseudonymous; at least 32 characters). Changing it changes every pseudonym: the next lake run rewrites the whole lake.',
  ),
  LAKE_WORK_DIR: z.string().min(1).default(tmpdir()).describe('Local directory where a lake run stages its files (the CSV read from Postgres and the Parquet written from it) before uploading them; removed after each run.'),
  LAKE_EXPORT_LOOP_SECONDS: positiveInt
    .optional()
    .describe('Unset: one run, then exit (the Kubernetes CronJob). Set: a run every N seconds until SIGTERM (docker compose’s lake profile).'),
  LAKE_MEMORY_LIMIT_MB: positiveInt.min(32).default(64).describe('Memory DuckDB may use for its buffers while writing Parquet, in MiB; past it, it spills to LAKE_WORK_DIR.'),
});

// One connection of its own (a lock, a snapshot, COPY): no pool, so DATABASE_POOL_MAX is not read.
export const lakeExportConfigShape = { ...runtimeEnv, DATABASE_URL: databaseEnv.DATABASE_URL, ...lakeExportEnv };
export type LakeExportConfig = ReturnType<typeof loadLakeExportConfig>;

export function loadLakeExportConfig(env: NodeJS.ProcessEnv = environment()) {
  const config = loadConfig(lakeExportConfigShape, env);
  const problems: string[] = [];
  if (config.LAKE_USER_IDS === 'pseudonymous' && !config.LAKE_PSEUDONYM_KEY) {
    problems.push('LAKE_PSEUDONYM_KEY is missing: required when LAKE_USER_IDS=pseudonymous (the default); set it, or LAKE_USER_IDS=plain to write Playlog’s user ids');
  }
  if (Boolean(config.LAKE_S3_ACCESS_KEY_ID) !== Boolean(config.LAKE_S3_SECRET_ACCESS_KEY)) {
    problems.push(`${config.LAKE_S3_ACCESS_KEY_ID ? 'LAKE_S3_SECRET_ACCESS_KEY' : 'LAKE_S3_ACCESS_KEY_ID'} is missing: set both LAKE_S3_ACCESS_KEY_ID and LAKE_S3_SECRET_ACCESS_KEY, or neither`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...config, lake: parseLakeUrl(config.LAKE_URL)! });
}
