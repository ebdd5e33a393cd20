import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, relative, resolve, sep } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './prometheus.js';

const VERSITYGW = new URL('../../.tools/bin/versitygw', import.meta.url).pathname;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 5;

export interface S3Server {
  /** http://127.0.0.1:PORT: path-style addressing (http://endpoint/bucket/key). */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A client signed with the server's credentials (destroyed by stop()). */
  client(): S3Client;
  createBucket(name: string): Promise<void>;
  /** Every key under `prefix`, sorted. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  /** Mirrors the objects under `prefix` into `toDir`, keeping their key paths (relative to the prefix). */
  download(bucket: string, prefix: string, toDir: string): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s), then the data directory is removed. */
  stop(): Promise<void>;
}

/**
 * A real S3-compatible server on loopback for a test (or the benchmark): Versity's S3 Gateway over a
 * fresh temporary directory, requiring requests signed with its own random credentials. Built by
 * `bash scripts/s3-tools.sh` (npm test runs it); stopped, and its directory removed, by stop().
 * Starts in well under a second, so a test file starts its own in beforeAll.
 */
export async function startS3Server(): Promise<S3Server> {
  if (!existsSync(VERSITYGW)) throw new Error(`${VERSITYGW} is missing: run bash scripts/s3-tools.sh (npm test does)`);
  const dir = await mkdtemp(resolve(tmpdir(), 'playlog-s3-'));
  const accessKeyId = `test${randomBytes(8).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const region = 'us-east-1';
  const clients: S3Client[] = [];
  const client = (endpoint: string, maxAttempts?: number) => {
    const created = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts });
    clients.push(created);
    return created;
  };

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child: ChildProcess = spawn(VERSITYGW, ['--port', `127.0.0.1:${port}`, '--region', region, '--quiet', 'posix', dir], {
      // Credentials by environment, not argv, where other processes of the machine could read them.
      env: { PATH: process.env.PATH ?? '', ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const output: string[] = [];
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    // A test process that dies without stop() must not leave the server behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);

    // Ready when a request signed with our random credentials succeeds: only our server accepts them,
    // so another process that took the port between freePort() and the bind cannot pass for it.
    const probe = client(endpoint, 1);
    const deadline = Date.now() + START_TIMEOUT_MS;
    let ready = false;
    while (!ready && child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
      ready = await probe.send(new ListBucketsCommand({})).then(() => true, () => false);
      if (!ready) await new Promise((done) => setTimeout(done, 25));
    }
    if (!ready) {
      child.kill('SIGKILL');
      await exited;
      process.removeListener('exit', killOnExit);
      if (attempt < PORT_ATTEMPTS && /address already in use/i.test(output.join(''))) continue;
      for (const created of clients) created.destroy();
      await rm(dir, { recursive: true, force: true });
      const why = Date.now() >= deadline ? `did not answer within ${START_TIMEOUT_MS} ms` : `exited (${child.exitCode ?? child.signalCode})`;
      throw new Error(`versitygw ${why} on ${endpoint}: ${output.join('').slice(-2000) || '(no output)'}`);
    }

    const admin = client(endpoint);
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
      client: () => client(endpoint),
      async createBucket(name) {
        await admin.send(new CreateBucketCommand({ Bucket: name }));
      },
      listKeys,
      async download(bucket, prefix, toDir) {
        const base = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
        const root = resolve(toDir);
        for (const key of await listKeys(bucket, base)) {
          if (key.endsWith('/')) continue; // a "directory" marker, not a file
          const path = resolve(root, ...key.slice(base.length).split('/'));
          if (relative(root, path).startsWith(`..${sep}`)) throw new Error(`key ${key} would be written outside ${toDir}`);
          const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, await object.Body!.transformToByteArray());
        }
      },
      async stop() {
        for (const created of clients) created.destroy();
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(killer);
        process.removeListener('exit', killOnExit);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
