import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { readLakePlays } from '../support/lake-reader.js';
import { compose, DATABASE_URL, IMAGE, PROJECT } from './stack.js';

const copies = mkdtempSync(join(tmpdir(), 'playlog-container-lake-'));
afterAll(() => rmSync(copies, { recursive: true, force: true }));

async function playsInPostgres(): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ plays: number }>('select count(*)::int as plays from listening_events');
    return rows[0]!.plays;
  } finally {
    await client.end();
  }
}

/** The lake directory of the `lake` volume, copied out as an analyst would (a tar through a throwaway container). */
async function copyLakeOut(): Promise<string> {
  const into = mkdtempSync(join(copies, 'copy-'));
  const source = spawn('docker', ['run', '--rm', '--entrypoint', 'tar', '-v', `${PROJECT}_lake:/lake:ro`, IMAGE, '-C', '/lake', '-cf', '-', 'lake'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const sink = spawn('tar', ['-xf', '-', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] });
  source.stdout.pipe(sink.stdin);
  let errors = '';
  source.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  sink.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = (child: typeof source | typeof sink) => new Promise<number | null>((resolve) => child.once('close', resolve));
  const [sourceCode, sinkCode] = await Promise.all([exited(source), exited(sink)]);
  if (sourceCode !== 0 || sinkCode !== 0) throw new Error(`copying the lake out failed (docker run ${sourceCode}, tar ${sinkCode}): ${errors}`);
  return join(into, 'lake');
}

describe('the lake profile', () => {
  it('exports once and exits 0; DuckDB reads as many plays from the Parquet as Postgres holds', async () => {
    // The worker may store a poll's plays while the export runs: compare with a count that held still across it.
    let before = -1;
    let after = -2;
    for (let attempt = 1; attempt <= 3 && before !== after; attempt++) {
      before = await playsInPostgres();
      // LAKE_EXPORT_LOOP_SECONDS must be empty, not just unset, for one run: compose's file defaults it to 3600
      // (the hourly loop), and Playlog reads an empty variable as unset. LAKE_PSEUDONYM_KEY comes from the script.
      const exported = await compose(['--profile', 'lake', 'run', '--rm', '-e', 'LAKE_EXPORT_LOOP_SECONDS=', 'lake-export'], 180_000);
      expect(exported.code, `lake-export:\n${exported.stdout}\n${exported.stderr}`).toBe(0);
      after = await playsInPostgres();
    }
    expect(after, 'Postgres kept gaining plays during every export').toBe(before);
    expect(after, 'no plays in Postgres: 02-listener-reads-plays runs first and stores some').toBeGreaterThan(0);

    const lake = await readLakePlays(await copyLakeOut());
    expect(lake.files).toBeGreaterThan(0);
    expect(lake.rows.length).toBe(after);
  });
});
