import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import type { GroundTruthPlay } from '../../services/spotify-emulator/ground-truth.js';
import { REALISTIC_REPORTING, type ReportingSettings } from '../../services/spotify-emulator/play-reporting.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertUser } from '../support/plays.js';
import { keyOfReport, ListeningWorld, reportKey, type Report } from '../support/reported-plays.js';

/**
 * The duplicate rule (docs/import.md, "How duplicates are decided") against the emulator's ground truth:
 * plays reported as Spotify and ListenBrainz clients report them (played_at the start on some days, pauses,
 * offline plays delivered late, streaming-history ts the end, listens by their start), stored through
 * ingestPlays in every mix of sources and orders, must be stored once each, and two plays never as one.
 *
 * Which of two plays of a track repeated back to back a report stands for cannot always be known (a
 * played_at that is the start of the second is also the end of the first): the comparison is by "run",
 * plays of one track each starting within three of its durations of the previous one's end. Every run must
 * hold as many stored plays as it holds plays reported by any source; plays of different runs, or tracks,
 * never share a row.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('duplicate_plays');
});
afterAll(async () => {
  await db?.drop();
});

const HOUR = 3_600_000;
const MINUTE = 60_000;
const WINDOW_START = Date.parse('2026-06-01T00:00:00Z');

/** A ground-truth play's identity (each source's report of it is another object). */
const playId = (play: GroundTruthPlay): string => `${play.track.id}@${play.started_at}`;

/** Each play's run: plays of one track each starting within three of its durations of the previous one's end. */
function runsOf(plays: GroundTruthPlay[]): Map<string, string> {
  const runs = new Map<string, string>();
  const last = new Map<string, { end: number; run: string }>();
  for (const play of [...plays].sort((a, b) => a.started_at.localeCompare(b.started_at))) {
    const previous = last.get(play.track.id);
    const run = previous && Date.parse(play.started_at) - previous.end < 3 * play.track.duration_ms ? previous.run : playId(play);
    runs.set(playId(play), run);
    last.set(play.track.id, { end: Date.parse(play.ended_at), run });
  }
  return runs;
}

/** Stores each batch in turn, as its source would; import batches name a track the catalogue has by its id alone, as the import does. */
async function store(em: () => EntityManager, userId: string, batches: Report[][], known: Set<string>): Promise<number> {
  let inserted = 0;
  for (const batch of batches) {
    if (batch.length === 0) continue;
    const plays = batch.map((report) =>
      report.source === 'import' && known.has(report.input.track.id) ? { ...report.input, track: { ...report.input.track, durationMs: 0, album: null, artists: [] } } : report.input,
    );
    for (const report of batch) if (report.source !== 'listenbrainz') known.add(report.input.track.id);
    inserted += (await ingestPlays(em(), { userId, plays, source: batch[0]!.source })).inserted;
  }
  return inserted;
}

const chunks = <T,>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Compares what is stored with what was reported: each reported play once, per run. */
async function expectEachPlayOnce(userId: string, reports: Report[]): Promise<void> {
  const byKey = new Map(reports.map((report) => [keyOfReport(report), report.play]));
  const reported = [...new Map(reports.map((report) => [playId(report.play), report.play])).values()];
  const runs = runsOf(reported);
  const { rows } = await db.sql.query<{ source: string; client: string | null; track_id: string; played_at: Date; started_at: Date | null }>(
    'select source, client, track_id, played_at, started_at from listening_events where user_id = $1',
    [userId],
  );
  const storedRuns: string[] = [];
  for (const row of rows) {
    const play = byKey.get(reportKey(row.source, row.client, row.track_id, row.source === 'listenbrainz' ? row.started_at! : row.played_at));
    expect(play, `a stored row no report made: ${JSON.stringify(row)}`).toBeDefined();
    storedRuns.push(runs.get(playId(play!))!);
  }
  const count = (list: string[]) => [...list.reduce((map, run) => map.set(run, (map.get(run) ?? 0) + 1), new Map<string, number>())].sort();
  const stored = count(storedRuns);
  const expected = count(reported.map((play) => runs.get(playId(play))!));
  const differences = [...new Set([...stored, ...expected].map(([run]) => run))]
    .map((run) => ({ run, stored: stored.find(([r]) => r === run)?.[1] ?? 0, reported: expected.find(([r]) => r === run)?.[1] ?? 0 }))
    .filter((difference) => difference.stored !== difference.reported);
  if (differences.length && process.env.DEDUPE_DEBUG) {
    for (const { run } of differences.slice(0, 3)) {
      console.log('RUN', run);
      for (const play of reported.filter((p) => runs.get(playId(p)) === run)) console.log(' truth', play.started_at, play.ended_at, play.played_at, play.ms_played, play.counted, play.track.duration_ms);
      for (const row of rows) {
        const play = byKey.get(reportKey(row.source, row.client, row.track_id, row.source === 'listenbrainz' ? row.started_at! : row.played_at));
        if (play && runs.get(playId(play)) === run) console.log(' stored', row.source, row.client, row.played_at.toISOString(), row.started_at?.toISOString());
      }
      const dup = await db.sql.query('select * from play_duplicates where user_id = $1 and track_id = $2', [userId, run.split('@')[0]]);
      for (const d of dup.rows) console.log(' joined', d.reported_by, d.reported_at.toISOString(), '->', d.played_at.toISOString());
    }
  }
  expect(differences).toEqual([]);
  await expectRollupsExact(userId);
}

/** The statistics rollups and daily counts their triggers keep hold what a recount of the stored plays gives. */
async function expectRollupsExact(userId: string): Promise<void> {
  const { rows } = await db.sql.query<{ tracks: boolean; days: boolean }>(
    `select
       (select coalesce(jsonb_agg(r order by r.track_id), '[]') from (select track_id, plays, ms_played from stats_tracks where user_id = $1 and plays > 0) r)
       = (select coalesce(jsonb_agg(c order by c.track_id), '[]') from (
            select e.track_id, count(*) as plays, sum(coalesce(e.ms_played, t.duration_ms)) as ms_played
              from listening_events e join tracks t on t.id = e.track_id
             where e.user_id = $1 and playlog_counts_as_play(e.source, e.ms_played) group by 1) c) as tracks,
       (select coalesce(jsonb_agg(r order by r.day), '[]') from (select day, plays from play_counts where user_id = $1 and plays > 0) r)
       = (select coalesce(jsonb_agg(c order by c.day), '[]') from (
            select (played_at at time zone 'UTC')::date as day, count(*) as plays from listening_events where user_id = $1 group by 1) c) as days`,
    [userId],
  );
  expect(rows[0]).toEqual({ tracks: true, days: true });
}

interface Scenario {
  seed: number;
  playsPerHour: number;
  hours: number;
  reporting: ReportingSettings;
  /** Minutes between polls; polling starts this far into the window (plays before are Playlog's history). */
  pollEveryMinutes: number;
  firstPollAfterHours: number;
  /** The streaming history covers the window from its start to this share of it. */
  importShare: number;
}

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  playsPerHour: fc.integer({ min: 10, max: 30 }),
  hours: fc.integer({ min: 3, max: 8 }),
  reporting: fc.record({
    startedAtShare: fc.constantFrom(0, REALISTIC_REPORTING.startedAtShare, 1),
    pauseShare: fc.constantFrom(0, REALISTIC_REPORTING.pauseShare, 0.3),
    pauseMaxMs: fc.constant(REALISTIC_REPORTING.pauseMaxMs),
    offlineShare: fc.constantFrom(0, REALISTIC_REPORTING.offlineShare, 0.2),
    offlineDelayMinMs: fc.constant(REALISTIC_REPORTING.offlineDelayMinMs),
    offlineDelayMaxMs: fc.constant(2 * HOUR),
  }),
  pollEveryMinutes: fc.integer({ min: 5, max: 25 }),
  firstPollAfterHours: fc.integer({ min: 1, max: 3 }),
  importShare: fc.constantFrom(0.5, 0.8, 1),
});

/** The sources' reports of one scenario: polls (each the whole of recently-played), the streaming history, two ListenBrainz clients. */
function reportsOf(scenario: Scenario) {
  const world = new ListeningWorld(`dedupe-${scenario.seed}`, scenario.reporting, scenario.playsPerHour);
  const end = WINDOW_START + scenario.hours * HOUR;
  const polls: Report[][] = [];
  // The last poll comes when every offline play has been delivered.
  for (let at = WINDOW_START + scenario.firstPollAfterHours * HOUR; at <= end + 3 * HOUR; at += scenario.pollEveryMinutes * MINUTE) {
    polls.push(world.poll(Math.min(at, end + 3 * HOUR)).filter((report) => Date.parse(report.play.ended_at) < end));
  }
  const history = world.streamingHistory(WINDOW_START - HOUR, WINDOW_START + scenario.importShare * (end - WINDOW_START));
  const scrobbler = world.listens(WINDOW_START, end, 'Web Scrobbler');
  // Another player scrobbling the same plays: a few seconds late, sometimes without a duration.
  const other = world.listens(WINDOW_START, end, 'Pano Scrobbler', { startedLateMs: (play) => (Date.parse(play.ended_at) % 7) * 1_000, withDuration: scenario.seed % 2 === 0 });
  return { polls, history, scrobbler, other };
}

describe('the duplicate rule against the emulator’s ground truth', () => {
  const runs = { numRuns: Number(process.env.DEDUPE_PROPERTY_RUNS ?? 10) };
  const em = () => db.orm.em.fork();

  it('polls, then the streaming history: each play once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const { polls, history } = reportsOf(scenario);
        const userId = await insertUser(db.sql, `poll-import-${scenario.seed}-${Math.random()}`);
        const known = new Set<string>();
        await store(em, userId, polls, known);
        await store(em, userId, chunks(history, 250), known);
        await expectEachPlayOnce(userId, [...polls.flat(), ...history]);
      }),
      runs,
    );
  }, 300_000);

  it('the streaming history, then polls: each play once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const { polls, history } = reportsOf(scenario);
        const userId = await insertUser(db.sql, `import-poll-${scenario.seed}-${Math.random()}`);
        const known = new Set<string>();
        await store(em, userId, chunks(history, 250), known);
        await store(em, userId, polls, known);
        await expectEachPlayOnce(userId, [...polls.flat(), ...history]);
      }),
      runs,
    );
  }, 300_000);

  it('polls and ListenBrainz listens of the same plays, as they happen, then the streaming history: each play once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, fc.boolean(), async (scenario, listensFirst) => {
        const { polls, history, scrobbler } = reportsOf(scenario);
        const userId = await insertUser(db.sql, `poll-listens-${scenario.seed}-${Math.random()}`);
        const known = new Set<string>();
        // A listen is sent once the play is half over; a poll reads what Spotify has then. Either may come first.
        const events = [
          ...polls.map((batch, i) => ({ at: i, batch })),
          ...scrobbler.map((report) => ({ at: listensFirst ? -1 : Number.MAX_SAFE_INTEGER, batch: [report] })),
        ].sort((a, b) => a.at - b.at);
        await store(em, userId, events.map((event) => event.batch), known);
        await store(em, userId, chunks(history, 250), known);
        await expectEachPlayOnce(userId, [...polls.flat(), ...scrobbler, ...history]);
      }),
      runs,
    );
  }, 300_000);

  it('two ListenBrainz clients scrobbling the same plays, one sending them again, and polls: each play once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const { polls, scrobbler, other } = reportsOf(scenario);
        const userId = await insertUser(db.sql, `two-clients-${scenario.seed}-${Math.random()}`);
        const known = new Set<string>();
        await store(em, userId, chunks(scrobbler, 20), known);
        await store(em, userId, chunks(other, 50), known);
        await store(em, userId, chunks(scrobbler, 50), known);
        await store(em, userId, polls, known);
        await expectEachPlayOnce(userId, [...polls.flat(), ...scrobbler, ...other]);
      }),
      runs,
    );
  }, 300_000);

  it('polls, the streaming history and listens stored at the same time on three connections: each play once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const { polls, history, scrobbler } = reportsOf(scenario);
        const userId = await insertUser(db.sql, `concurrent-${scenario.seed}-${Math.random()}`);
        // Each source knows only the tracks it stored itself (an import names a track by its id alone once it knows it is stored).
        await Promise.all([store(em, userId, polls, new Set()), store(em, userId, chunks(history, 100), new Set()), store(em, userId, chunks(scrobbler, 10), new Set())]);
        await expectEachPlayOnce(userId, [...polls.flat(), ...history, ...scrobbler]);
      }),
      runs,
    );
  }, 300_000);
});

describe('the duplicate rule, case by case', () => {
  const em = () => db.orm.em.fork();
  const at = (minutes: number, seconds = 0) => new Date(Date.parse('2026-07-01T12:00:00Z') + minutes * MINUTE + seconds * 1_000);
  /** A track of 3 minutes, as Spotify describes it (durationMs known) or as a listen names it (by id alone). */
  const track = (known = true) => ({ id: 'track0000000000000dup1', name: known ? 'Again' : '', uri: 'spotify:track:track0000000000000dup1', durationMs: known ? 180_000 : 0, album: null, artists: [] });
  const stored = async (userId: string) =>
    (await db.sql.query<{ source: string; at: string }>(`select source, to_char(played_at at time zone 'UTC', 'HH24:MI:SS.MS') as at from listening_events where user_id = $1 order by played_at, source`, [userId])).rows;

  it('stores a track repeated back to back by one source as two plays, though each play’s span overlaps the other', async () => {
    const userId = await insertUser(db.sql, 'back-to-back');
    // Played at 12:00:00–12:03:00 and 12:03:00.5–12:06:00.5; Spotify reports the ends.
    const polled = [at(3), at(6, 0.5)].map((playedAt) => ({ playedAt, msPlayed: null, context: null, track: track() }));
    expect((await ingestPlays(em(), { userId, plays: polled, source: 'poll' })).inserted).toBe(2);
    // Their streaming history, and a ListenBrainz client's listens (by their starts), are the same two plays.
    const rows = [at(3), at(6)].map((playedAt) => ({ playedAt, msPlayed: 180_000, context: null, track: track() }));
    expect((await ingestPlays(em(), { userId, plays: rows, source: 'import' })).inserted).toBe(0);
    const listens = [at(0), at(3)].map((startedAt) => ({ playedAt: new Date(startedAt.getTime() + 180_000), startedAt, msPlayed: 180_000, client: 'Web Scrobbler', context: null, track: track(false) }));
    expect((await ingestPlays(em(), { userId, plays: listens, source: 'listenbrainz' })).inserted).toBe(0);
    expect(await stored(userId)).toEqual([
      { source: 'poll', at: '12:03:00.000' },
      { source: 'poll', at: '12:06:00.500' },
    ]);
  });

  it('stores a polled play whose played_at is its start, and its streaming-history row, once (the same-second rule stored both)', async () => {
    const userId = await insertUser(db.sql, 'start-played-at');
    // One play from 12:00:00.250, paused 20 s, ended 12:03:20.250: Spotify's played_at is its start that day.
    await ingestPlays(em(), { userId, plays: [{ playedAt: at(0, 0.25), msPlayed: null, context: null, track: track() }], source: 'poll' });
    const row = { playedAt: at(3, 20), msPlayed: 180_000, context: null, track: track() };
    expect((await ingestPlays(em(), { userId, plays: [row], source: 'import' })).inserted).toBe(0);
    expect(await stored(userId)).toEqual([{ source: 'poll', at: '12:00:00.250' }]);
  });

  it('stores a listen sent again by its client once, and the same play from another client once', async () => {
    const userId = await insertUser(db.sql, 'listens');
    const listen = (client: string, startedAt: Date, durationMs: number | null) => ({
      playedAt: new Date(startedAt.getTime() + (durationMs ?? 0)),
      startedAt,
      msPlayed: durationMs,
      client,
      context: null,
      track: track(false),
    });
    expect((await ingestPlays(em(), { userId, plays: [listen('Web Scrobbler', at(0), 180_000)], source: 'listenbrainz' })).inserted).toBe(1);
    // Sent again, once without its duration: the same listen.
    expect((await ingestPlays(em(), { userId, plays: [listen('Web Scrobbler', at(0), 180_000)], source: 'listenbrainz' })).inserted).toBe(0);
    expect((await ingestPlays(em(), { userId, plays: [listen('Web Scrobbler', at(0), null)], source: 'listenbrainz' })).inserted).toBe(0);
    // Another player noticed the same play 4 s late.
    expect((await ingestPlays(em(), { userId, plays: [listen('Pano Scrobbler', at(0, 4), 180_000)], source: 'listenbrainz' })).inserted).toBe(0);
    // And sends it again.
    expect((await ingestPlays(em(), { userId, plays: [listen('Pano Scrobbler', at(0, 4), 180_000)], source: 'listenbrainz' })).inserted).toBe(0);
    // The next play of the track, by either client, is a play of its own.
    expect((await ingestPlays(em(), { userId, plays: [listen('Pano Scrobbler', at(3, 1), 180_000)], source: 'listenbrainz' })).inserted).toBe(1);
    expect((await stored(userId)).map((row) => row.source)).toEqual(['listenbrainz', 'listenbrainz']);
    const joined = await db.sql.query(`select reported_by from play_duplicates where user_id = $1 order by reported_by`, [userId]);
    expect(joined.rows).toEqual([{ reported_by: 'listenbrainz/Pano Scrobbler' }]);
  });

  it('keeps an imported skip as its own play: no other source reports a play Spotify does not count', async () => {
    const userId = await insertUser(db.sql, 'skip');
    await ingestPlays(em(), { userId, plays: [{ playedAt: at(3), msPlayed: null, context: null, track: track() }], source: 'poll' });
    // Skipped after 10 s, right after the polled play: within its span, yet a play of its own.
    const skip = { playedAt: at(3, 11), msPlayed: 10_000, context: null, track: track() };
    expect((await ingestPlays(em(), { userId, plays: [skip], source: 'import' })).inserted).toBe(1);
    expect((await ingestPlays(em(), { userId, plays: [skip], source: 'import' })).inserted).toBe(0);
  });

  it('stores one play when two transactions store it from two sources at the same moment: the second waits, then sees the first’s', async () => {
    const userId = await insertUser(db.sql, 'concurrent-pair');
    const polled = { playedAt: at(3, 0.4), msPlayed: null, context: null, track: track() };
    const row = { playedAt: at(3), msPlayed: 180_000, context: null, track: track() };
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstStored!: () => void;
    const firstHasStored = new Promise<void>((resolve) => (firstStored = resolve));
    const first = em().transactional(async (tx) => {
      const result = await ingestPlays(tx, { userId, plays: [polled], source: 'poll' });
      firstStored();
      await firstHolds;
      return result.inserted;
    });
    await firstHasStored;
    let secondDone = false;
    const second = em()
      .transactional((tx) => ingestPlays(tx, { userId, plays: [row], source: 'import' }))
      .then((result) => {
        secondDone = true;
        return result.inserted;
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Without the rule's lock it would not wait: it could not see the first's uncommitted play, and would store its own.
    expect(secondDone).toBe(false);
    releaseFirst();
    expect([await first, await second]).toEqual([1, 0]);
    expect(await stored(userId)).toEqual([{ source: 'poll', at: '12:03:00.400' }]);
  });
});
