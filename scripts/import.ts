import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { databaseEnv, redisEnv, runtimeEnv } from '../services/shared/config/env-schema.js';
import { ConfigError, loadConfig } from '../services/shared/config/load-config.js';
import { openOrm } from '../services/shared/db/open-orm.js';
import { importStorageEnv } from '../services/shared/imports/import-env.js';
import { createImportQueue, enqueueImport } from '../services/shared/imports/import-jobs.js';
import { createImport, findImport, type ImportRecord } from '../services/shared/imports/imports.repository.js';
import { createRedisConnection, waitUntilReady } from '../services/shared/queue/redis-connection.js';

/**
 * `npm run import -- --user <id> <file> [--wait]`: the operator's way to import a Spotify extended
 * streaming history (the zip, or one Streaming_History_Audio_*.json) for a user — given as Playlog's user
 * id or their Spotify user id. The file is copied to IMPORT_DIR and queued exactly like an upload to
 * POST /imports; a running worker imports it. With --wait, prints progress until the import ends.
 * Exit codes: 0 queued (or, with --wait, completed), 1 error or import failed/cancelled, 2 bad usage.
 */
const USAGE = 'usage: npm run import -- --user <playlog user id | spotify user id> <file> [--wait]';

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const wait = take(args, '--wait');
  const userIndex = args.indexOf('--user');
  const user = userIndex >= 0 ? args.splice(userIndex, 2)[1] : undefined;
  if (!user || args.length !== 1 || args[0]!.startsWith('--')) {
    console.error(USAGE);
    return 2;
  }
  const file = args[0]!;
  const config = loadConfig({ ...runtimeEnv, ...databaseEnv, ...redisEnv, ...importStorageEnv });
  const size = (await stat(file)).size;

  const orm = await openOrm(config);
  const redis = createRedisConnection(config.REDIS_URL, 'producer');
  redis.on('error', () => undefined);
  const queue = createImportQueue(redis, config.QUEUE_PREFIX);
  try {
    const em = orm.em.fork();
    const found: Array<{ id: string }> = await em
      .getConnection()
      .execute(`select id from users where id::text = ? or spotify_user_id = ?`, [user, user]);
    if (found.length !== 1) {
      console.error(`no Playlog user with id or Spotify id "${user}"`);
      return 1;
    }
    const id = randomUUID();
    const filePath = join(config.IMPORT_DIR, `${id}.upload`);
    await mkdir(config.IMPORT_DIR, { recursive: true, mode: 0o700 });
    await pipeline(createReadStream(file), createWriteStream(filePath, { mode: 0o600 }));
    await waitUntilReady(redis);
    try {
      await createImport(em, { id, userId: found[0]!.id, fileName: basename(file), filePath, fileBytes: size });
      await enqueueImport(queue, id);
    } catch (error) {
      await rm(filePath, { force: true });
      throw error;
    }
    console.log(`import ${id} queued (${size} bytes) for user ${found[0]!.id}`);
    if (!wait) return 0;

    let last = '';
    for (;;) {
      const current = (await findImport(orm.em.fork(), id))!;
      const line = describe(current);
      if (line !== last) console.log(line);
      last = line;
      if (current.status === 'completed') return 0;
      if (current.status === 'failed' || current.status === 'cancelled') return 1;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
    await orm.close(true);
  }
}

function describe(record: ImportRecord): string {
  const counts = `${record.rowsRead} rows: ${record.stored} stored, ${record.duplicates} duplicates, ${record.shortPlays} short, ${record.unknownTracks} unknown tracks, ${record.skippedPodcast} podcast, ${record.skippedLocal} local, ${record.skippedMalformed} malformed`;
  return `${record.status}: ${counts}${record.error ? ` — ${record.error}` : ''}`;
}

function take(args: string[], flag: string): boolean {
  const index = args.indexOf(flag);
  if (index >= 0) args.splice(index, 1);
  return index >= 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `import: ${(error as Error).message}`);
    process.exit(1);
  },
);
