import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EXIT, UsageError, parseCommandLine, runCommandLine } from '../shared/cli/command-line.js';
import { databaseEnv, importStorageEnv, redisEnv, runtimeEnv } from '../shared/config/env-schema.js';
import { loadConfig } from '../shared/config/load-config.js';
import { openOrm } from '../features/open-orm.js';
import { createImport, findImport, type ImportRecord } from '../features/streaming-history/data/imports.repository.js';
import { parseGlobalId, toGlobalId } from '../api/relay/global-id.js';
import { findUserByIdOrSpotifyId } from '../features/accounts/data/users.repository.js';
import { enqueueImport } from '../features/streaming-history/import-jobs.js';
import { openQueues } from '../shared/jobs/open-queues.js';
import { createRedisConnection, waitUntilReady } from '../shared/jobs/redis-connection.js';

const USAGE = `usage: playlog import --user <id> <file> [--wait]      (npm run import -- ...)

Imports a Spotify extended streaming history (the zip Spotify sends, or one of its
Streaming_History_Audio_*.json files) for a user, as an upload to POST /imports would: the file is
copied to IMPORT_DIR and queued; a running worker imports it.

options:
  --user <id>   the user: Playlog's user id (as in the logs, or \`me { id }\` from GraphQL) or their Spotify user id
  --wait        print progress until the import ends
  -h, --help    this text

Exit codes: 0 queued (with --wait: completed), 1 error or import failed or cancelled, 2 bad usage.`;

runCommandLine('import', USAGE, async (argv) => {
  const { values, positionals } = parseCommandLine(argv, { user: { type: 'string' }, wait: { type: 'boolean' } }, { positionals: true });
  if (!values.user) throw new UsageError('--user is required');
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'the streaming-history file is missing' : 'give one streaming-history file');
  const file = positionals[0]!;
  const config = loadConfig({ ...runtimeEnv, ...databaseEnv, ...redisEnv, ...importStorageEnv });
  const size = (await stat(file)).size;

  const orm = await openOrm(config);
  const redis = createRedisConnection(config.REDIS_URL, 'producer');
  redis.on('error', () => undefined);
  const queues = openQueues(redis, config.QUEUE_PREFIX);
  try {
    const em = orm.em.fork();
    // The id `me { id }` shows a user (a global id) names their Playlog id inside.
    const globalId = parseGlobalId(values.user);
    const user = await findUserByIdOrSpotifyId(em, globalId?.type === 'User' ? globalId.userId : values.user);
    if (!user) {
      process.stderr.write(`import: no Playlog user with id or Spotify id "${values.user}"\n`);
      return EXIT.error;
    }
    const id = randomUUID();
    const filePath = join(config.IMPORT_DIR, `${id}.upload`);
    await mkdir(config.IMPORT_DIR, { recursive: true, mode: 0o700 });
    await pipeline(createReadStream(file), createWriteStream(filePath, { mode: 0o600 }));
    await waitUntilReady(redis);
    try {
      await createImport(em, { id, userId: user.id, fileName: basename(file), filePath, fileBytes: size });
      await enqueueImport(queues.import, id);
    } catch (error) {
      await rm(filePath, { force: true });
      throw error;
    }
    console.log(`import ${id} queued (${size} bytes) for user ${user.id}; GraphQL id ${toGlobalId({ type: 'Import', importId: id })}`);
    if (!values.wait) return EXIT.ok;

    let last = '';
    for (;;) {
      const current = (await findImport(orm.em.fork(), id))!;
      const line = describe(current);
      if (line !== last) console.log(line);
      last = line;
      if (current.status === 'completed') return EXIT.ok;
      if (current.status === 'failed' || current.status === 'cancelled') return EXIT.error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    await queues.close();
    redis.disconnect();
    await orm.close(true);
  }
});

function describe(record: ImportRecord): string {
  const counts = `${record.rowsRead} rows: ${record.stored} stored, ${record.duplicates} duplicates, ${record.shortPlays} short, ${record.unknownTracks} unknown tracks, ${record.skippedPodcast} podcast, ${record.skippedLocal} local, ${record.skippedMalformed} malformed`;
  return `${record.status}: ${counts}${record.error ? ` — ${record.error}` : ''}`;
}
