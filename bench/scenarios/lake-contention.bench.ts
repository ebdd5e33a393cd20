import pg from 'pg';
import { openOrm, type MikroORM } from '../../services/features/open-orm.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import type { PlayInput } from '../../services/features/plays/play-input.js';
import { NO_RECORDS, PLAYLOG_LAKE_TRIGGERS, RECORD_PER_STATEMENT, ROW_PER_DAY } from '../baselines/lake-change-triggers.js';
import { benchDatabaseName, createMigratedDatabase, dropDatabase } from '../support/bench-database.js';
import { atLeastRatioRow, checkRow, formatNumber, infoRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { median } from '../support/stopwatch.js';

/** Seconds each phase runs; rounds of every variant (every other one in reverse order, so drift on a shared machine hits all alike). */
const SIZES = { small: { seconds: 1, rounds: 1 }, default: { seconds: 5, rounds: 4 } };
const WRITERS = 8;
/** Plays per batch: what a poll finds between two polls, or a music player's few listens. */
const BATCH = 10;
/** Tracks in the catalogue before the run; every batch also brings one track never seen (with its album and artist). */
const KNOWN_TRACKS = 2_000;
/** A user's plays, this far apart, all on the UTC day the run starts on. */
const SPACING_MS = 250;
const DAY_MS = 86_400_000;
const SAMPLE_EVERY_MS = 100;
/** Issue 31's target: recording changes must not limit concurrent writers (what is left is the records' own small cost). */
const MIN_RATIO_TO_NO_RECORDS = 0.9;
const VARIANTS = [ROW_PER_DAY, PLAYLOG_LAKE_TRIGGERS, RECORD_PER_STATEMENT, NO_RECORDS];

const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(19, '0')}`;

/** Batches of plays of today for fresh users: the same sequence for every user, new tracks numbered across the run. */
class TodaysPlays {
  private readonly next = new Map<string, number>();
  private newTracks = 0;
  constructor(private readonly dayStart: number) {}

  batch(userId: string): { plays: PlayInput[]; newestMs: number } {
    const first = this.next.get(userId) ?? 0;
    this.next.set(userId, first + BATCH);
    if ((first + BATCH) * SPACING_MS > DAY_MS) throw new Error('a user ran out of day: lower the phase length or SPACING_MS');
    const plays = Array.from({ length: BATCH }, (_, k) => this.play(first + k, k === 0 ? null : 1 + ((first + k) * 7919) % KNOWN_TRACKS));
    return { plays, newestMs: this.dayStart + (first + BATCH - 1) * SPACING_MS };
  }

  private play(index: number, known: number | null): PlayInput {
    const n = known ?? ++this.newTracks;
    const track = known === null ? id('lcn', n) : id('lck', n);
    const album = known === null ? id('lna', n) : id('lka', 1 + (n % 200));
    const artist = known === null ? id('lnr', n) : id('lkr', 1 + (n % 250));
    return {
      playedAt: new Date(this.dayStart + index * SPACING_MS).toISOString(),
      msPlayed: 170_000,
      context: { type: 'album', uri: `spotify:album:${album}` },
      track: {
        id: track,
        name: `Track ${track}`,
        uri: `spotify:track:${track}`,
        durationMs: 180_000,
        album: { id: album, name: `Album ${album}`, uri: `spotify:album:${album}`, releaseDate: '2020-01-01', imageUrl: null },
        artists: [{ id: artist, name: `Artist ${artist}`, uri: `spotify:artist:${artist}` }],
      },
    };
  }
}

/** How many of the database's other sessions wait for a lock, sampled while a phase runs. */
class LockWaitSampler {
  private samples = 0;
  private waiting = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  constructor(private readonly client: pg.Client) {}

  start(): void {
    this.samples = 0;
    this.waiting = 0;
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      void this.client
        .query<{ waiting: number }>(`select count(*) filter (where wait_event_type = 'Lock')::int as waiting from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`)
        .then(({ rows }) => {
          this.samples += 1;
          this.waiting += rows[0]!.waiting;
        })
        .finally(() => {
          this.busy = false;
        });
    }, SAMPLE_EVERY_MS);
  }

  /** The mean number of sessions waiting for a lock. */
  stop(): { samples: number; waiting: number } {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return { samples: this.samples, waiting: this.waiting };
  }
}

/** One variant and number of writers over every round: a phase's rate each time, and totals. */
class Tally {
  plays = 0;
  batches = 0;
  /** Plays per second of each phase: the table reports their median, which one phase disturbed by other work on the machine does not move. */
  rates: number[] = [];
  samples = 0;
  waiting = 0;
  /** Records held at the end of the last phase, and the batches that phase stored. */
  records = 0;
  lastBatches = 0;
  get playsPerSecond() {
    return median(this.rates);
  }
  get range() {
    return `${formatNumber(Math.min(...this.rates))}–${formatNumber(Math.max(...this.rates))}`;
  }
  get meanWaiting() {
    return this.samples === 0 ? 0 : this.waiting / this.samples;
  }
}

/** Each writer stores batch after batch through ingestPlays, one statement (its own transaction) per batch, until the time is up. */
async function runPhase(orm: MikroORM, plays: TodaysPlays, users: string[], seconds: number, sampler: LockWaitSampler, tally: Tally): Promise<void> {
  const started = performance.now();
  const end = started + seconds * 1000;
  const playsBefore = tally.plays;
  sampler.start();
  try {
    await Promise.all(
      users.map(async (userId) => {
        while (performance.now() < end) {
          const batch = plays.batch(userId);
          const result = await ingestPlays(orm.em.fork(), { userId, plays: batch.plays, source: 'poll', advanceCursorToMs: batch.newestMs });
          if (result.inserted !== BATCH) throw new Error(`a batch stored ${result.inserted} of its ${BATCH} new plays`);
          tally.plays += result.inserted;
          tally.batches += 1;
        }
      }),
    );
  } finally {
    const waits = sampler.stop();
    tally.samples += waits.samples;
    tally.waiting += waits.waiting;
  }
  tally.rates.push(((tally.plays - playsBefore) / (performance.now() - started)) * 1000);
}

/**
 * Issue 31: many writers store plays at once (the pollers, imports and every music player's submissions
 * through the ListenBrainz API). Does the lake's change tracking make writers of different users wait for
 * each other? 1 writer, then 8 writers at once (8 users, each batch through ingestPlays in its own
 * transaction, as the poller stores a page), for a fixed time, with each way of recording changes swapped
 * into the scenario's own database: the row per day that every writer updated (before), Playlog's triggers,
 * a record per statement, and no record at all (the ceiling). Fresh users in every phase, so each phase
 * does the same work from the same state.
 */
export const lakeContentionScenario: Scenario = {
  name: 'lake-contention',
  title: `lake change records: ${WRITERS} concurrent writers of today's plays against 1, for each way of recording changes`,
  async run(context) {
    const size = SIZES[context.size];
    const name = benchDatabaseName(context.runId, 'lake_contention');
    const url = await createMigratedDatabase(name);
    context.defer(() => dropDatabase(name));
    const sql = new pg.Client({ connectionString: url });
    await sql.connect();
    context.defer(() => sql.end());
    const sampling = new pg.Client({ connectionString: url });
    await sampling.connect();
    context.defer(() => sampling.end());
    const orm = await openOrm({ DATABASE_URL: url, DATABASE_POOL_MAX: WRITERS });
    context.defer(() => orm.close(true));

    await sql.query(
      `insert into artists (id, name, uri) select 'lkr' || lpad(i::text, 19, '0'), 'Artist ' || i, 'spotify:artist:lkr' || lpad(i::text, 19, '0') from generate_series(1, 250) i;
       insert into albums (id, name, uri, release_date) select 'lka' || lpad(i::text, 19, '0'), 'Album ' || i, 'spotify:album:lka' || lpad(i::text, 19, '0'), '2020-01-01' from generate_series(1, 200) i;
       insert into tracks (id, name, uri, duration_ms, album_id)
         select 'lck' || lpad(i::text, 19, '0'), 'Track ' || i, 'spotify:track:lck' || lpad(i::text, 19, '0'), 180000, 'lka' || lpad((1 + i % 200)::text, 19, '0') from generate_series(1, ${KNOWN_TRACKS}) i;
       insert into track_artists (track_id, position, artist_id) select 'lck' || lpad(i::text, 19, '0'), 0, 'lkr' || lpad((1 + i % 250)::text, 19, '0') from generate_series(1, ${KNOWN_TRACKS}) i;`,
    );
    const phases = size.rounds * VARIANTS.length * 2;
    const { rows: userRows } = await sql.query<{ id: string }>(
      `insert into users (id, spotify_user_id, display_name) select gen_random_uuid(), 'lake-contention-' || i, 'Writer ' || i from generate_series(1, $1::int) i returning id::text as id`,
      [phases * (WRITERS + 1)],
    );
    const users = userRows.map((row) => row.id);
    for (const variant of VARIANTS) await sql.query(variant.install);
    await sql.query(`vacuum (analyze) artists, albums, tracks, track_artists, users`);
    const dayStart = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const plays = new TodaysPlays(dayStart);
    const sampler = new LockWaitSampler(sampling);

    const tallies = new Map(VARIANTS.map((variant) => [variant, { one: new Tally(), many: new Tally() }]));
    let nextUser = 0;
    const freshUsers = (count: number) => users.slice(nextUser, (nextUser += count));
    for (let round = 0; round < size.rounds; round++) {
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const variant of order) {
        const tally = tallies.get(variant)!;
        await sql.query(variant.install);
        for (const [writers, into] of [[1, tally.one], [WRITERS, tally.many]] as const) {
          await sql.query(variant.reset);
          const batchesBefore = into.batches;
          await runPhase(orm, plays, freshUsers(writers), size.seconds, sampler, into);
          into.records = Number((await sql.query<{ records: string }>(variant.records)).rows[0]!.records);
          into.lastBatches = into.batches - batchesBefore;
          context.log(`round ${round + 1}, ${variant.name}, ${writers} writer(s): ${formatNumber(into.rates.at(-1)!)} plays/s`);
        }
      }
    }
    // Playlog's own triggers again; what they recorded in their last phase is still there.
    await sql.query(PLAYLOG_LAKE_TRIGGERS.install);
    const day = new Date(dayStart).toISOString().slice(0, 10);
    const { rows: recorded } = await sql.query<{ plays: number }>(`select count(*)::int as plays from listening_events where (played_at at time zone 'UTC')::date = $1::date`, [day]);
    const { rows: today } = await sql.query<{ records: number }>(`select count(*)::int as records from lake_changed_days where day = $1::date`, [day]);

    const playlog = tallies.get(PLAYLOG_LAKE_TRIGGERS)!;
    const before = tallies.get(ROW_PER_DAY)!;
    const ceiling = tallies.get(NO_RECORDS)!;
    const stored = [...tallies.values()].reduce((sum, { one, many }) => sum + one.plays + many.plays, 0);
    return {
      rows: [
        ...VARIANTS.map((variant) => {
          const { one, many } = tallies.get(variant)!;
          return atLeastRatioRow({
            figure: `${variant.name}: ${WRITERS} writers against 1 (phases: ${many.range} against ${one.range})`,
            value: many.playsPerSecond,
            unit: 'plays/s',
            baselineName: '1 writer',
            baselineValue: one.playsPerSecond,
            minRatio: null,
          });
        }),
        atLeastRatioRow({
          figure: `${WRITERS} writers: Playlog’s triggers against the row per day (before)`,
          value: playlog.many.playsPerSecond,
          unit: 'plays/s',
          baselineName: 'row per day',
          baselineValue: before.many.playsPerSecond,
          minRatio: null,
        }),
        atLeastRatioRow({
          figure: `${WRITERS} writers: Playlog’s triggers against no change records`,
          value: playlog.many.playsPerSecond,
          unit: 'plays/s',
          baselineName: 'no records',
          baselineValue: ceiling.many.playsPerSecond,
          minRatio: MIN_RATIO_TO_NO_RECORDS,
        }),
        infoRow(
          `${WRITERS} writers: sessions waiting for a lock (mean of samples every ${SAMPLE_EVERY_MS} ms)`,
          VARIANTS.map((variant) => `${variant.name}: ${formatNumber(tallies.get(variant)!.many.meanWaiting)}`).join('; '),
        ),
        infoRow(
          `records held after a phase of ${WRITERS} writers (${size.seconds} s), against the batches it stored`,
          VARIANTS.map((variant) => {
            const { many } = tallies.get(variant)!;
            return `${variant.name}: ${many.records.toLocaleString('en-US')} of ${many.lastBatches.toLocaleString('en-US')}`;
          }).join('; '),
        ),
        checkRow({
          figure: 'every play stored, and today recorded for the lake by Playlog’s triggers',
          measured: `${recorded[0]!.plays.toLocaleString('en-US')} plays of today; ${today[0]!.records} record(s) of today`,
          baseline: `batches: ${stored.toLocaleString('en-US')} plays`,
          target: 'equal; ≥ 1',
          pass: recorded[0]!.plays === stored && today[0]!.records >= 1,
        }),
      ],
      notes: [
        `${size.rounds} round(s); in each, every way of recording changes in turn (every other round in reverse order): ${size.seconds} s of 1 writer, then ${size.seconds} s of ${WRITERS} writers at once, fresh users in every phase; plays/s is the median of a variant's phases, their range beside it`,
        `a writer: one user storing batches of ${BATCH} of today's plays (one a track never seen, with its album and artist; the rest from a catalogue of ${KNOWN_TRACKS.toLocaleString('en-US')} tracks) through ingestPlays, one statement and transaction per batch, the poll cursor advanced, as the poller stores a page; ${WRITERS} writers share ${WRITERS} connections`,
        'the ways of recording are trigger functions swapped into this database (bench/baselines/lake-change-triggers.ts); the row per day is the design before Migration20261207230000_lake_change_log, with the same functions as then',
        `a migrated database with no history; Postgres with synchronous_commit on, so each transaction waits for its commit's WAL flush`,
      ],
    };
  },
};
