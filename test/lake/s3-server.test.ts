import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3Server } from '../support/s3-server.js';

// The S3-compatible server the lake tests write to (test/support/s3-server.ts) is a real one, and our
// client talks to it as it would to S3: signed, path-style, S3's errors.
const BUCKET = 'server-check';

let s3: S3Server;
let client: S3Client;
let downloadDir: string;

beforeAll(async () => {
  s3 = await startS3Server();
  client = s3.client();
  await s3.createBucket(BUCKET);
  downloadDir = await mkdtemp(join(tmpdir(), 'playlog-s3-download-'));
});
afterAll(async () => {
  await s3?.stop();
  if (downloadDir) await rm(downloadDir, { recursive: true, force: true });
});

const put = (key: string, body: string | Uint8Array) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
const get = async (key: string) => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The S3 error a request fails with: its code and HTTP status. */
async function s3Error(request: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  const error: unknown = await request.then(() => undefined, (caught: unknown) => caught);
  expect(error, 'the request should have failed').toBeInstanceOf(S3ServiceException);
  const failure = error as S3ServiceException;
  return { name: failure.name, status: failure.$metadata.httpStatusCode };
}

describe('the S3-compatible test server', () => {
  it('stores, lists, reads back and deletes objects', async () => {
    await put('day=2026-01-01/a.parquet', 'first');
    await put('day=2026-01-02/b.parquet', 'second');
    await put('other/c.txt', 'third');

    expect(await s3.listKeys(BUCKET, 'day=')).toEqual(['day=2026-01-01/a.parquet', 'day=2026-01-02/b.parquet']);
    expect((await get('day=2026-01-02/b.parquet')).toString()).toBe('second');

    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'day=2026-01-01/a.parquet' }));
    expect(await s3.listKeys(BUCKET, 'day=')).toEqual(['day=2026-01-02/b.parquet']);
    expect(await s3Error(get('day=2026-01-01/a.parquet'))).toEqual({ name: 'NoSuchKey', status: 404 });
  });

  it('pages a listing with continuation tokens', async () => {
    for (const n of [1, 2, 3, 4, 5]) await put(`paged/${n}`, `${n}`);
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'paged/', MaxKeys: 2, ContinuationToken: token }));
      pages.push((page.Contents ?? []).map((object) => object.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(pages).toEqual([['paged/1', 'paged/2'], ['paged/3', 'paged/4'], ['paged/5']]);
  });

  it('returns the whole new body after an overwrite, byte for byte', async () => {
    const before = randomBytes(3 * 1024 * 1024);
    const after = randomBytes(1024 * 1024 + 7);
    await put('overwrite/file.bin', before);
    expect(sha(await get('overwrite/file.bin'))).toBe(sha(before));
    await put('overwrite/file.bin', after);
    const read = await get('overwrite/file.bin');
    expect(read.length).toBe(after.length);
    expect(sha(read)).toBe(sha(after));
  });

  it('mirrors a prefix to local files keeping key paths', async () => {
    await put('mirror/day=2026-03-01/plays.parquet', 'one');
    await put('mirror/day=2026-03-02/plays.parquet', 'two');
    await s3.download(BUCKET, 'mirror', downloadDir);
    expect((await readdir(downloadDir, { recursive: true })).sort()).toEqual([
      'day=2026-03-01',
      join('day=2026-03-01', 'plays.parquet'),
      'day=2026-03-02',
      join('day=2026-03-02', 'plays.parquet'),
    ]);
    expect(await readFile(join(downloadDir, 'day=2026-03-02', 'plays.parquet'), 'utf8')).toBe('two');
  });

  it('refuses a request signed with the wrong secret, and an unsigned one', async () => {
    const impostor = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: `${s3.secretAccessKey}x` },
      maxAttempts: 1,
    });
    try {
      expect(await s3Error(impostor.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'intruder', Body: 'no' })))).toEqual({
        name: 'SignatureDoesNotMatch',
        status: 403,
      });
    } finally {
      impostor.destroy();
    }
    expect((await fetch(`${s3.endpoint}/${BUCKET}/paged/1`)).status).toBe(403);
    expect(await s3.listKeys(BUCKET, 'intruder')).toEqual([]);
  });

  it('stops: the port is closed afterwards', async () => {
    const other = await startS3Server();
    await other.createBucket('short-lived');
    await other.stop();
    await expect(fetch(other.endpoint)).rejects.toThrow();
  });
});
