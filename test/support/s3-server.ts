import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './prometheus.js';

const VERSITYGW = new URL('../../.tools/bin/versitygw', import.meta.url).pathname;

export interface S3Server {
  /** http://127.0.0.1:PORT: path-style addressing (http://endpoint/bucket/key). */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A client signed with the server's credentials. */
  client(): S3Client;
  createBucket(name: string): Promise<void>;
  /** Every key under `prefix`, sorted. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  /** Mirrors the objects under `prefix` into `toDir`, keeping their key paths (relative to the prefix). */
  download(bucket: string, prefix: string, toDir: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real S3-compatible server on loopback for a test (or the benchmark): Versity's S3 Gateway over a
 * fresh temporary directory, requiring signed requests with its own random credentials. Built by
 * `bash scripts/s3-tools.sh` (npm test runs it); stopped, and its directory removed, by stop().
 */
export async function startS3Server(): Promise<S3Server> {
  if (!existsSync(VERSITYGW)) throw new Error(`${VERSITYGW} is missing: run bash scripts/s3-tools.sh (npm test does)`);
  const dir = await mkdtemp(join(tmpdir(), 'playlog-s3-'));
  const accessKeyId = `test${randomBytes(8).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const region = 'us-east-1';
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(VERSITYGW, ['--port', `127.0.0.1:${port}`, '--region', region, '--quiet', 'posix', dir], {
      // Credentials by environment, not argv, where other processes of the machine could read them.
      env: { PATH: process.env.PATH ?? '', ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const output: string[] = [];
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const endpoint = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    // Any HTTP answer (an unsigned request is refused with 403) means it listens.
    while (child.exitCode === null && Date.now() < deadline && !(await fetch(endpoint).then(() => true, () => false))) {
      await new Promise((done) => setTimeout(done, 50));
    }
    if (child.exitCode !== null || Date.now() >= deadline) {
      child.kill('SIGKILL');
      await exited;
      // Another process may have taken the port between freePort() and the server's bind: try another.
      if (attempt < 3 && /address already in use/i.test(output.join(''))) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`versitygw did not start: ${output.join('').slice(-2000)}`);
    }
    const clients: S3Client[] = [];
    const client = () => {
      const created = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
      clients.push(created);
      return created;
    };
    const admin = client();
    const listKeys = async (bucket: string, prefix = '') => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((object) => object.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    };
    return {
      endpoint,
      region,
      accessKeyId,
      secretAccessKey,
      client,
      async createBucket(name) {
        await admin.send(new CreateBucketCommand({ Bucket: name }));
      },
      listKeys,
      async download(bucket, prefix, toDir) {
        const base = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
        for (const key of await listKeys(bucket, base)) {
          const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          const path = join(toDir, ...key.slice(base.length).split('/'));
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, await object.Body!.transformToByteArray());
        }
      },
      async stop() {
        for (const created of clients) created.destroy();
        if (child.exitCode === null) child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
