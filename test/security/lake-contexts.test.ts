import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLake } from '../../services/lake-export/export-lake.js';
import { DirectoryTarget } from '../../services/lake-export/targets/directory-target.js';
import { LakeSource } from '../../services/features/lake/data/lake.repository.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { readLakePlays } from '../support/lake-reader.js';
import { insertUser, makePlay } from '../support/plays.js';

/**
 * The probe's finding: the lake copied `context_uri` verbatim, so a context such as `spotify:user:<id>:…`
 * put the listener's Spotify user id beside their pseudonym. Only public objects may leave.
 */
const SPOTIFY_USER = 'alice.spotify.user';
const log = createLogger({ service: 'lake-contexts-test', level: 'silent' });

let db: TestDatabase;
let workDir: string;
let lakeDir: string;

beforeAll(async () => {
  db = await createTestDatabase('lake_contexts');
  workDir = await mkdtemp(join(tmpdir(), 'playlog-lake-work-'));
  lakeDir = await mkdtemp(join(tmpdir(), 'playlog-lake-'));
  const userId = await insertUser(db.sql, SPOTIFY_USER);
  const contexts: Array<{ type: string; uri: string }> = [
    { type: 'playlist', uri: `spotify:user:${SPOTIFY_USER}:playlist:37i9dQZF1DXcBWIGoYBM5M` },
    { type: 'collection', uri: `spotify:user:${SPOTIFY_USER}:collection` },
    { type: 'collection', uri: `spotify:user:${SPOTIFY_USER}:collection:artist:artist000000000000001` },
    { type: 'user', uri: `spotify:user:${SPOTIFY_USER}` },
    { type: 'album', uri: 'spotify:album:album0000000000000001' },
    { type: 'playlist', uri: 'spotify:playlist:37i9dQZF1DX0XUsuxWHRQd' },
    { type: 'artist', uri: 'spotify:artist:artist000000000000001' },
    { type: 'show', uri: 'spotify:show:5CfCWKI5pZ28U0uOzXkDHe' },
  ];
  await ingestPlays(db.orm.em.fork(), {
    userId,
    source: 'poll',
    plays: contexts.map((context, index) => makePlay(index + 1, `2026-04-01T10:0${index}:00Z`, { context })),
  });
  await runLakeExport();
});

async function runLakeExport() {
  const target = new DirectoryTarget(lakeDir);
  await target.prepare();
  const source = await LakeSource.open(db.url);
  try {
    return await exportLake(source, target, { userIds: { mode: 'pseudonymous', key: 'a-test-pseudonym-key-of-at-least-32-characters' }, workDir, memoryLimitMb: 64 }, log);
  } finally {
    await source.close();
  }
}
afterAll(async () => {
  await db?.drop();
  await rm(workDir, { recursive: true, force: true });
  await rm(lakeDir, { recursive: true, force: true });
});

async function everyFileUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('contexts in the data lake', () => {
  it('never carries a Spotify user id, in any file of the lake', async () => {
    for (const file of await everyFileUnder(lakeDir)) {
      expect((await readFile(file)).includes(Buffer.from(SPOTIFY_USER)), file).toBe(false);
    }
  });

  it('keeps public contexts as they are, writes an old-form playlist in the current form and drops the rest', async () => {
    const contexts = (await readLakePlays(lakeDir)).rows.map((row) => row.split('|').slice(-2).join(' '));
    expect(contexts.sort()).toEqual(
      [
        'album spotify:album:album0000000000000001',
        'artist spotify:artist:artist000000000000001',
        'collection -',
        'collection -',
        'playlist spotify:playlist:37i9dQZF1DX0XUsuxWHRQd',
        'playlist spotify:playlist:37i9dQZF1DXcBWIGoYBM5M',
        'show spotify:show:5CfCWKI5pZ28U0uOzXkDHe',
        'user -',
      ].sort(),
    );
  });

  it('rewrites a whole lake written before these rules, so no old day keeps a user id', async () => {
    const manifestFile = join(lakeDir, '_manifest.json');
    const { privacyRules, ...older } = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    expect(privacyRules).toBeGreaterThan(1);
    await writeFile(manifestFile, JSON.stringify(older));
    expect(await runLakeExport()).toMatchObject({ outcome: 'written', full: true, daysWritten: 1 });
    expect(await runLakeExport()).toEqual({ outcome: 'unchanged' });
  });
});
