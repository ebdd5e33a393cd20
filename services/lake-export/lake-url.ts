import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the lake is: a bucket and key prefix of S3 (or an S3-compatible server), or a local directory. */
export type LakeLocation = { kind: 's3'; bucket: string; prefix: string } | { kind: 'directory'; path: string };

/** Reads LAKE_URL (`s3://bucket/prefix` or `file:///absolute/dir`); null when it is neither. */
export function parseLakeUrl(value: string): LakeLocation | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol === 's3:') {
    // Bucket names are lower-case letters, digits, dots and hyphens (S3's rules), 3 to 63 of them.
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(url.hostname) || url.search || url.hash) return null;
    const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
    return { kind: 's3', bucket: url.hostname, prefix };
  }
  if (url.protocol === 'file:') {
    if (url.host !== '' || url.search || url.hash) return null;
    const path = fileURLToPath(url);
    return isAbsolute(path) && path !== '/' ? { kind: 'directory', path: path.replace(/\/+$/, '') } : null;
  }
  return null;
}

/** The location for people: what LAKE_URL says, never a credential (it holds none). */
export function describeLake(location: LakeLocation): string {
  return location.kind === 's3' ? `s3://${location.bucket}/${location.prefix}` : `file://${location.path}`;
}
