import type { LakeExportConfig } from './config.js';
import { DirectoryTarget } from './targets/directory-target.js';
import type { LakeTarget } from './targets/lake-target.js';
import { S3Target } from './targets/s3-target.js';

/** The target LAKE_URL names, with the S3 settings when it is a bucket. */
export async function openLakeTarget(config: LakeExportConfig): Promise<LakeTarget> {
  const { lake } = config;
  if (lake.kind === 'directory') {
    const target = new DirectoryTarget(lake.path);
    await target.prepare();
    return target;
  }
  return new S3Target({
    bucket: lake.bucket,
    prefix: lake.prefix,
    region: config.LAKE_S3_REGION,
    endpoint: config.LAKE_S3_ENDPOINT,
    forcePathStyle: config.LAKE_S3_FORCE_PATH_STYLE,
    credentials:
      config.LAKE_S3_ACCESS_KEY_ID && config.LAKE_S3_SECRET_ACCESS_KEY ? { accessKeyId: config.LAKE_S3_ACCESS_KEY_ID, secretAccessKey: config.LAKE_S3_SECRET_ACCESS_KEY } : undefined,
  });
}
