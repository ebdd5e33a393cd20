import pg from 'pg';
import { openOrm } from '../../services/features/open-orm.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import type { PlayInput } from '../../services/features/plays/play-input.js';
import { copyPlays } from '../baselines/copy-plays.js';
import { naivePersistIngest } from '../baselines/naive-persist-ingest.js';
import { sameSecondIngest } from '../baselines/same-second-ingest.js';
import { unitOfWorkIngest } from '../baselines/unit-of-work-ingest.js';
import { totalRelationBytes } from '../support/bench-database.js';
import { PRELOAD_END, PRELOAD_SIZES, albumId, artistId, preloadUserId, trackId } from '../support/preloaded-history.js';
import { atLeastRatioRow, atMostRatioRow, checkRow, formatNumber, infoRow } from '../support/results-table.js';
import { countRoundTrips, installRoundTripCounter } from '../support/round-trips.js';
import type { Scenario } from '../support/scenario.js';
import { clonePreloadedDatabase } from '../support/shared-databases.js';
import { timed } from '../support/stopwatch.js';

const SIZES = {
  small: { smallBatches: 20, largeBatches: 2, largeBatchSize: 1_000, naivePlays: 50, replayBatches: 10 },
  default: { smallBatches: 400, largeBatches: 6, largeBatchSize: 10_000, naivePlays: 1_000, replayBatches: 200 },
};
const WORKER_BATCH = 50;
const SCRATCH_TABLE = 'listening_events_copy_target';
/** Today's statement's table before the duplicate rule: the same rows, with the same-second unique index it relied on. */
const SAME_SECOND_TABLE = 'listening_events_same_second';

/** A method's totals over the batches it ran. */
class Tally {
  rows = 0;
  ms = 0;
  batches = 0;
  roundTrips = 0;
  add(rows: number, ms: number, roundTrips: number) {
    this.rows += rows;
    this.ms += ms;
    this.batches += 1;
    this.roundTrips += roundTrips;
  }
  get rowsPerSecond() {
    return (this.rows / this.ms) * 1000;
  }
  get roundTripsPerBatch() {
    return this.roundTrips / this.batches;
  }
}

/**
 * Plays newer than the preload for one preloaded user, in the shape the worker builds them. One play
 * in ten is of a track Playlog has never seen (with a new album and artist); the rest are of tracks
 * already in the catalogue, as for a real listener.
 */
class PlayFactory {
  private nextNew = 0;
  private nextSecond = 0;
  constructor(private readonly catalogueTracks: number) {}

  batch(size: number): PlayInput[] {
    const start = this.nextSecond;
    this.nextSecond += size + 1;
    return Array.from({ length: size }, (_, k) => this.play(start + k));
  }

  private play(second: number): PlayInput {
    const isNew = second % 10 === 0;
    const n = isNew ? ++this.nextNew : 1 + ((second * 7919) % this.catalogueTracks);
    const id = isNew ? `new${String(n).padStart(19, '0')}` : trackId(n);
    const album = isNew ? `nal${String(n).padStart(19, '0')}` : albumId(1 + (n % 1000));
    const artist = isNew ? `nar${String(n).padStart(19, '0')}` : artistId(1 + (n % 1000));
    return {
      playedAt: new Date(PRELOAD_END + second * 1000).toISOString(),
      msPlayed: 170_000,
      context: { type: 'album', uri: `spotify:album:${album}` },
      track: {
        id,
        name: `Track ${id}`,
        uri: `spotify:track:${id}`,
        durationMs: 180_000,
        album: { id: album, name: `Album ${album}`, uri: `spotify:album:${album}`, releaseDate: '2020-01-01', imageUrl: null },
        artists: [{ id: artist, name: `Artist ${artist}`, uri: `spotify:artist:${artist}` }],
      },
    };
  }
}

/** Half of each batch already stored: every other play (stored beforehand, untimed). */
const alreadyStoredHalf = (plays: PlayInput[]) => plays.filter((_, index) => index % 2 === 1);

export const ingestScenario: Scenario = {
  name: 'ingest',
  title: 'idempotent ingest into a table holding the preloaded history, half of each batch replayed',
  async run(context) {
    const size = SIZES[context.size];
    const preload = PRELOAD_SIZES[context.size];
    installRoundTripCounter();
    const { url } = await clonePreloadedDatabase(context, 'ingest');
    const sql = new pg.Pool({ connectionString: url, max: 2 });
    context.defer(() => sql.end());
    const orm = await openOrm({ DATABASE_URL: url, DATABASE_POOL_MAX: 2 });
    context.defer(() => orm.close(true));
    const storedPlays = Number((await sql.query(`select count(*) from listening_events`)).rows[0].count);

    // The ceiling's table: a scratch copy of listening_events with the same rows, indexes and triggers.
    let started = Date.now();
    await sql.query(`create table ${SCRATCH_TABLE} (like listening_events including defaults including constraints)`);
    await sql.query(`insert into ${SCRATCH_TABLE} select * from listening_events`);
    await sql.query(`set maintenance_work_mem = '1GB'`);
    await sql.query(`alter table ${SCRATCH_TABLE} add primary key (user_id, played_at, track_id)`);
    await sql.query(`create index on ${SCRATCH_TABLE} (track_id, user_id)`);
    await sql.query(`create unique index on ${SCRATCH_TABLE} (user_id, track_id, date_trunc('second', played_at at time zone 'UTC'))`);
    // Storing a play counts it per day and in the statistics rollups: the ceiling's rows go through the same trigger functions.
    for (const [name, fn] of [['count', 'playlog_count_stored_plays'], ['stats', 'playlog_stats_stored_plays']]) {
      await sql.query(`create trigger ${SCRATCH_TABLE}_${name}_stored after insert on ${SCRATCH_TABLE} referencing new table as stored_plays for each statement execute function ${fn}()`);
    }
    // LIKE does not copy foreign keys; the ceiling pays the same checks as the real table ("not valid":
    // the rows came from a validated table; every new row is checked).
    await sql.query(`alter table ${SCRATCH_TABLE} add foreign key (user_id) references users (id) on update cascade on delete cascade not valid`);
    await sql.query(`alter table ${SCRATCH_TABLE} add foreign key (track_id) references tracks (id) on update cascade not valid`);
    await sql.query(`vacuum (analyze) ${SCRATCH_TABLE}`);
    context.log(`scratch copy of ${storedPlays.toLocaleString('en-US')} plays ready (${((Date.now() - started) / 1000).toFixed(0)} s)`);

    const factory = new PlayFactory(preload.tracks);
    const user = (i: number) => preloadUserId(1 + (i % preload.users));
    const plan = (count: number, batchSize: number, offset: number) =>
      Array.from({ length: count }, (_, i) => ({ userId: user(offset + i), plays: factory.batch(batchSize) }));
    const smallBatches = plan(size.smallBatches, WORKER_BATCH, 0);
    const largeBatches = plan(size.largeBatches, size.largeBatchSize, 7);
    const naiveBatches = plan(Math.ceil(size.naivePlays / WORKER_BATCH), WORKER_BATCH, 13);
    const unitOfWorkBatches = plan(size.smallBatches, WORKER_BATCH, 23);
    const replayBatches = plan(size.replayBatches, WORKER_BATCH, 17);

    started = Date.now();
    for (const batch of [...smallBatches, ...largeBatches, ...naiveBatches, ...unitOfWorkBatches]) {
      await ingestPlays(orm.em.fork(), { userId: batch.userId, plays: alreadyStoredHalf(batch.plays), source: 'poll' });
    }
    await sql.query(`vacuum (analyze) listening_events, tracks, albums, artists, track_artists`);
    context.log(`half of every batch stored beforehand (${((Date.now() - started) / 1000).toFixed(0)} s)`);

    // The statement before the duplicate rule, measured in the same run on the same rows: a copy of listening_events
    // as it now is, with the indexes, foreign keys and insert triggers listening_events had before the rule.
    started = Date.now();
    await sql.query(`create table ${SAME_SECOND_TABLE} (like listening_events including defaults including constraints)`);
    await sql.query(`insert into ${SAME_SECOND_TABLE} select * from listening_events`);
    await sql.query(`alter table ${SAME_SECOND_TABLE} add primary key (user_id, played_at, track_id)`);
    await sql.query(`create index on ${SAME_SECOND_TABLE} (track_id, user_id)`);
    await sql.query(`create unique index on ${SAME_SECOND_TABLE} (user_id, track_id, date_trunc('second', played_at at time zone 'UTC'))`);
    for (const [name, fn, rows] of [
      ['count', 'playlog_count_stored_plays', 'stored_plays'],
      ['stats', 'playlog_stats_stored_plays', 'stored_plays'],
      ['lake', 'playlog_lake_plays_inserted', 'lake_new_plays'],
    ]) {
      await sql.query(`create trigger ${SAME_SECOND_TABLE}_${name} after insert on ${SAME_SECOND_TABLE} referencing new table as ${rows} for each statement execute function ${fn}()`);
    }
    await sql.query(`alter table ${SAME_SECOND_TABLE} add foreign key (user_id) references users (id) on update cascade on delete cascade not valid`);
    await sql.query(`alter table ${SAME_SECOND_TABLE} add foreign key (track_id) references tracks (id) on update cascade not valid`);
    await sql.query(`vacuum (analyze) ${SAME_SECOND_TABLE}`);
    context.defer(() => sql.query(`drop table if exists ${SAME_SECOND_TABLE}`).then(() => undefined));
    context.log(`${SAME_SECOND_TABLE} ready (${((Date.now() - started) / 1000).toFixed(0)} s)`);

    const copyClient = await sql.connect();
    context.defer(() => copyClient.release());
    // Batch by batch, each method in turn, so drift on a shared machine hits every method alike. ingestPlays and
    // today's statement take turns going first (the first stores the batch's new tracks, which the second finds);
    // COPY goes last: its rows need the new tracks in the catalogue.
    const measure = async (batches: typeof smallBatches) => {
      const ingest = new Tally();
      const sameSecond = new Tally();
      const copy = new Tally();
      for (const [index, batch] of batches.entries()) {
        const runIngest = async () => {
          const i = await countRoundTrips(() => timed(() => ingestPlays(orm.em.fork(), { userId: batch.userId, plays: batch.plays, source: 'poll' })));
          if (i.result.result.inserted !== batch.plays.length / 2) throw new Error(`ingest stored ${i.result.result.inserted} of ${batch.plays.length} plays, half were new`);
          ingest.add(batch.plays.length, i.result.ms, i.roundTrips);
        };
        const runSameSecond = async () => {
          const b = await countRoundTrips(() => timed(() => sameSecondIngest(orm.em.fork(), SAME_SECOND_TABLE, batch.userId, batch.plays)));
          if (b.result.result !== batch.plays.length / 2) throw new Error(`today's statement stored ${b.result.result} of ${batch.plays.length} plays, half were new`);
          sameSecond.add(batch.plays.length, b.result.ms, b.roundTrips);
        };
        for (const run of index % 2 === 0 ? [runIngest, runSameSecond] : [runSameSecond, runIngest]) await run();
        const c = await countRoundTrips(() => timed(() => copyPlays(copyClient, SCRATCH_TABLE, batch.userId, batch.plays)));
        copy.add(batch.plays.length, c.result.ms, c.roundTrips);
      }
      return { ingest, sameSecond, copy };
    };
    context.log(`${largeBatches.length} batches of ${size.largeBatchSize.toLocaleString('en-US')} plays`);
    const large = await measure(largeBatches);
    context.log(`${smallBatches.length} batches of ${WORKER_BATCH} plays`);
    const small = await measure(smallBatches);

    context.log(`naive persist + flush per play: ${size.naivePlays} plays`);
    const naive = new Tally();
    for (const batch of naiveBatches) {
      const n = await countRoundTrips(() => timed(() => naivePersistIngest(orm.em.fork(), batch.userId, batch.plays)));
      if (n.result.result !== batch.plays.length / 2) throw new Error(`the naive path stored ${n.result.result} of ${batch.plays.length} plays, half were new`);
      naive.add(batch.plays.length, n.result.ms, n.roundTrips);
    }

    context.log(`MikroORM unit of work (one find per entity type, create all, one flush): ${unitOfWorkBatches.length} batches of ${WORKER_BATCH} plays`);
    const unitOfWork = new Tally();
    for (const batch of unitOfWorkBatches) {
      const u = await countRoundTrips(() => timed(() => unitOfWorkIngest(orm.em.fork(), batch.userId, batch.plays)));
      if (u.result.result !== batch.plays.length / 2) throw new Error(`the unit of work stored ${u.result.result} of ${batch.plays.length} plays, half were new`);
      unitOfWork.add(batch.plays.length, u.result.ms, u.roundTrips);
    }

    // Replay: a first ingest of all-new batches, then the very same batches again. Autovacuum is held
    // off meanwhile so that no visibility or free-space map appears in the middle of the measurement.
    context.log(`replay: ${replayBatches.length} batches of ${WORKER_BATCH} plays, twice`);
    await sql.query(`alter table listening_events set (autovacuum_enabled = false)`);
    context.defer(() => sql.query(`alter table listening_events reset (autovacuum_enabled)`).then(() => undefined));
    const tables = ['listening_events', 'tracks', 'albums', 'artists', 'track_artists'];
    const footprint = async () => {
      let bytes = 0;
      for (const table of tables) bytes += await totalRelationBytes(sql, table);
      const rows = Number((await sql.query(`select count(*) from listening_events`)).rows[0].count);
      return { bytes, rows };
    };
    const ingestAll = async () => {
      let inserted = 0;
      const { ms } = await timed(async () => {
        for (const batch of replayBatches) inserted += (await ingestPlays(orm.em.fork(), { userId: batch.userId, plays: batch.plays, source: 'poll' })).inserted;
      });
      return { ms, inserted };
    };
    const first = await ingestAll();
    const before = await footprint();
    const replay = await ingestAll();
    const after = await footprint();
    const replayRows = replayBatches.length * WORKER_BATCH;

    const rows = [
      atLeastRatioRow({
        figure: `ingestPlays with the duplicate rule, ${WORKER_BATCH}-play batches (the poll's shape)`,
        value: small.ingest.rowsPerSecond,
        unit: 'rows/s',
        baselineName: 'today’s statement (same-second rule)',
        baselineValue: small.sameSecond.rowsPerSecond,
        minRatio: 0.9,
      }),
      atLeastRatioRow({
        figure: `ingestPlays with the duplicate rule, ${size.largeBatchSize.toLocaleString('en-US')}-play batches`,
        value: large.ingest.rowsPerSecond,
        unit: 'rows/s',
        baselineName: 'today’s statement (same-second rule)',
        baselineValue: large.sameSecond.rowsPerSecond,
        minRatio: null,
      }),
      atLeastRatioRow({
        figure: `ingestPlays, ${size.largeBatchSize.toLocaleString('en-US')}-play batches`,
        value: large.ingest.rowsPerSecond,
        unit: 'rows/s',
        baselineName: 'COPY',
        baselineValue: large.copy.rowsPerSecond,
        minRatio: 0.5,
      }),
      atLeastRatioRow({
        figure: `ingestPlays, ${WORKER_BATCH}-play batches (the worker's shape)`,
        value: small.ingest.rowsPerSecond,
        unit: 'rows/s',
        baselineName: 'naive persist+flush',
        baselineValue: naive.rowsPerSecond,
        minRatio: 20,
      }),
      atLeastRatioRow({
        figure: `ingestPlays, ${WORKER_BATCH}-play batches, against the ORM used as documented`,
        value: small.ingest.rowsPerSecond,
        unit: 'rows/s',
        baselineName: 'unit of work, one flush',
        baselineValue: unitOfWork.rowsPerSecond,
        minRatio: null,
      }),
      atLeastRatioRow({
        figure: `ingestPlays, ${WORKER_BATCH}-play batches, against COPY`,
        value: small.ingest.rowsPerSecond,
        unit: 'rows/s',
        baselineName: 'COPY',
        baselineValue: small.copy.rowsPerSecond,
        minRatio: null,
      }),
      infoRow(
        'round trips per batch',
        `ingestPlays: ${formatNumber(small.ingest.roundTripsPerBatch)} (${WORKER_BATCH}), ${formatNumber(large.ingest.roundTripsPerBatch)} (${size.largeBatchSize.toLocaleString('en-US')})`,
        `COPY: ${formatNumber(small.copy.roundTripsPerBatch)}; naive: ${formatNumber(naive.roundTripsPerBatch)}; unit of work: ${formatNumber(unitOfWork.roundTripsPerBatch)} per ${WORKER_BATCH}`,
      ),
      checkRow({
        figure: `replay of ${replayRows.toLocaleString('en-US')} stored plays: rows added`,
        measured: `${after.rows - before.rows} rows (inserted ${replay.inserted})`,
        baseline: `first ingest: ${first.inserted} rows`,
        target: '0',
        pass: after.rows === before.rows && replay.inserted === 0 && first.inserted === replayRows,
      }),
      checkRow({
        figure: 'replay: bytes added to listening_events, catalogue and their indexes',
        measured: `${after.bytes - before.bytes} bytes`,
        baseline: `total before: ${formatNumber(before.bytes / 2 ** 20)} MiB`,
        target: '0',
        pass: after.bytes === before.bytes,
      }),
      atMostRatioRow({
        figure: 'replay time',
        value: replay.ms,
        unit: 'ms',
        baselineName: 'first ingest',
        baselineValue: first.ms,
        maxRatio: 1,
      }),
    ];
    return {
      rows,
      notes: [
        `table held ${storedPlays.toLocaleString('en-US')} plays before the run; one connection, batches run one after another`,
        `today's statement: the ingest statement before the duplicate rule (bench/baselines/same-second-ingest.ts), into ${SAME_SECOND_TABLE}: the same rows, indexes (the same-second unique one instead of the rule's), foreign keys and insert triggers; it and ingestPlays take turns going first`,
        `rows/s counts every row of a batch, the replayed half too; COPY writes all of them into ${SCRATCH_TABLE} (same columns, indexes, foreign keys and counting triggers; no catalogue, no conflict check)`,
        `naive path: findOne track, create what is missing, findOne play, persist, flush: per play`,
        `unit of work (MikroORM as documented for batches): one find each of albums, artists, tracks and stored plays, em.create for what is missing, one flush`,
      ],
    };
  },
};
