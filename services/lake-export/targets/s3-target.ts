import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { LakeTarget } from './lake-target.js';

export interface S3TargetSettings {
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string | undefined;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** A lake in an S3 bucket, or an S3-compatible server's: `LAKE_URL=s3://bucket/prefix`. One PUT replaces an object whole. */
export class S3Target implements LakeTarget {
  readonly description: string;
  private readonly client: S3Client;

  constructor(private readonly settings: S3TargetSettings) {
    this.description = `s3://${settings.bucket}/${settings.prefix}`;
    this.client = new S3Client({
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      // Checksums only where S3 requires them: S3-compatible servers do not all accept the SDK's default
      // streaming (aws-chunked) checksum, and TLS and S3's own Content-MD5 checks already guard the bytes.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 5,
    });
  }

  async putFile(key: string, localPath: string): Promise<number> {
    const { size } = await stat(localPath);
    await this.send(key, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key), Body: createReadStream(localPath), ContentLength: size, ContentType: 'application/vnd.apache.parquet' })),
    );
    return size;
  }

  async putText(key: string, text: string, contentType: string): Promise<void> {
    await this.send(key, () => this.client.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key), Body: text, ContentType: contentType })));
  }

  async getText(key: string): Promise<string | null> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key) }));
      return (await answer.Body?.transformToString('utf8')) ?? null;
    } catch (error) {
      if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404 && error.name !== 'NoSuchBucket')) return null;
      throw this.explain(key, error);
    }
  }

  async delete(key: string): Promise<void> {
    await this.send(key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key) })));
  }

  close(): void {
    this.client.destroy();
  }

  private key(key: string): string {
    return this.settings.prefix ? `${this.settings.prefix}/${key}` : key;
  }

  private async send(key: string, request: () => Promise<unknown>): Promise<void> {
    try {
      await request();
    } catch (error) {
      throw this.explain(key, error);
    }
  }

  /** S3's answer, with the object it was about; the SDK's messages never hold the credentials. */
  private explain(key: string, error: unknown): Error {
    const status = error instanceof S3ServiceException ? ` (HTTP ${error.$metadata.httpStatusCode ?? '?'}, ${error.name})` : '';
    return new Error(`S3 ${this.description}/${key}: ${(error as Error).message}${status}`, { cause: error });
  }
}
