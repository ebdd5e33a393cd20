/**
 * `npm run chaos`: Playlog under faults, then a check that nothing was lost, nothing doubled and nothing leaked.
 *
 *   npm run chaos                          5 minutes of faults, 200 synthetic listeners
 *   npm run chaos -- --minutes 1           shorter (CI)
 *   npm run chaos -- --seed 1234           replay the faults of an earlier run (its first line prints the seed)
 *   npm run chaos -- --users 50            fewer listeners
 *   npm run chaos -- --speed 1             the emulator's clock at real speed (default 6: an hour of
 *                                          listening every 10 minutes, so a short run sees many new plays
 *                                          and access tokens expiring on their own)
 *
 * Everything runs as real processes on this machine, with a Postgres and a Redis of the run's own on spare
 * ports (so they can be killed), and stops when the run ends, on failure and on Ctrl-C too. Logs stay in
 * .services/chaos/<run>/. Exit 0 when every check passes, 1 when one fails, 2 on bad usage.
 * docs/reliability.md explains the faults and the checks.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createPollQueue } from '../../services/shared/queue/poll-queue.js';
import { enqueuePoll } from '../../services/shared/queue/poll-jobs.js';
import { Children, type Child } from '../demo/children.js';
import { loginSyntheticListener, type DemoSession } from '../demo/synthetic-login.js';
import { FAULT_KINDS, planFaults, seededRandom, type FaultKind } from './fault-plan.js';
import { PrivatePostgres, PrivateRedis, freePort } from './private-infra.js';
import { findLeaks, redisText } from './scan-secrets.js';
import { classifyPlays, compare, storedPlays, type TruthPlay, type UserVerdict } from './verify-plays.js';

const root = new URL('../../', import.meta.url).pathname;
const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const minutes = Number(arg('minutes') ?? 5);
const userCount = Number(arg('users') ?? 200);
const seed = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31));
const speed = Number(arg('speed') ?? 6);
if (!(minutes > 0 && minutes <= 120) || !Number.isInteger(userCount) || userCount < 2 || userCount > 1000 || !Number.isInteger(seed) || !(speed >= 1 && speed <= 60)) {
  console.error('chaos: usage: npm run chaos -- [--minutes N (0-120, default 5)] [--users N (2-1000, default 200)] [--seed N] [--speed N (1-60, default 6)]');
  process.exit(2);
}

const QUEUE_PREFIX = 'chaos';
const SCHEDULER_LOOP_SECONDS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const random = seededRandom(seed);
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
const startedAt = Date.now();
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
const say = (message: string) => console.log(`[${elapsed()}] ${message}`);

const runId = new Date().toISOString().replace(/[:.]/g, '-');
const logDir = join(root, '.services', 'chaos', runId);
mkdirSync(logDir, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'playlog-chaos-'));

// Every cleanup step registered here runs once, in reverse, whatever ends the run.
const cleanups: Array<() => Promise<void> | void> = [];
let cleaningUp: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`chaos: cleanup step failed: ${(error as Error).message}`);
      }
    }
    rmSync(scratch, { recursive: true, force: true });
  })();
  return cleaningUp;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\nchaos: ${signal}: stopping everything it started…`);
    void cleanup().then(() => process.exit(130));
  });
}

const injected = new Map<FaultKind, number>(FAULT_KINDS.map((kind) => [kind, 0]));
const notes: string[] = [];
const expectedExits = new Set<number>();
const unexpectedExits: Array<{ child: Child; code: number | null }> = [];

async function main(): Promise<number> {
  say(`chaos run: ${minutes} min of faults, ${userCount} listeners, clock ×${speed}, seed ${seed} (replay: npm run chaos -- --minutes ${minutes} --users ${userCount} --speed ${speed} --seed ${seed})`);
  say(`logs: ${logDir}`);

  const postgres = await PrivatePostgres.create(scratch, join(logDir, 'postgres.log'));
  cleanups.push(() => postgres.stop());
  const redis = await PrivateRedis.create(scratch, join(logDir, 'redis.log'));
  cleanups.push(() => redis.stop());
  say(`private Postgres on :${postgres.port}, Redis on :${redis.port}`);

  const apiPort = await freePort();
  const emulatorPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    DATABASE_URL: postgres.url,
    DATABASE_POOL_MAX: '5',
    REDIS_URL: redis.url,
    QUEUE_PREFIX,
    TOKEN_ENCRYPTION_KEYS: `chaos:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`,
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    PUBLIC_URL: apiUrl,
    // The run logs 200 users in from one address: the per-IP GraphQL limit is tested in test/api.
    RATE_LIMIT_GRAPHQL: '0',
    SPOTIFY_ACCOUNTS_URL: `${emulatorUrl}/accounts`,
    SPOTIFY_API_URL: `${emulatorUrl}/v1`,
    SPOTIFY_CLIENT_ID: 'playlog-chaos',
    SPOTIFY_CLIENT_SECRET: `chaos-secret-${seed}-${Math.random().toString(36).slice(2)}`,
    SPOTIFY_REDIRECT_URI: `${apiUrl}/auth/callback`,
    SPOTIFY_HTTP_TIMEOUT_MS: '3000',
    EMULATOR_HOST: '127.0.0.1',
    EMULATOR_PORT: String(emulatorPort),
    EMULATOR_USERS: String(userCount),
    EMULATOR_SEED: `chaos-${seed}`,
    // Fast listeners (30–60 plays an hour, the emulator's maximum) so a short run sees many new plays.
    EMULATOR_PLAYS_PER_HOUR_MIN: '30',
    EMULATOR_PLAYS_PER_HOUR_MAX: '60',
    // 20-minute access tokens: with the clock ×6 each expires every 200 s of the run, earlier than the worker
    // (on the wall clock) expects, so every user goes through 401 → refresh → rotated refresh token, under faults.
    EMULATOR_ACCESS_TOKEN_TTL_SECONDS: '1200',
    POLL_INTERVAL_SECONDS: '20',
    SCHEDULER_LOOP_SECONDS: String(SCHEDULER_LOOP_SECONDS),
    // Small batches: a scheduler run takes several round trips, so a kill can land in the middle of one.
    SCHEDULER_BATCH_SIZE: '20',
    WORKER_CONCURRENCY: '8',
    WORKER_SHUTDOWN_GRACE_MS: '5000',
    WORKER_LOCK_DURATION_MS: '10000',
    WORKER_STALLED_INTERVAL_MS: '5000',
    WORKER_BACKOFF_BASE_MS: '500',
    WORKER_BACKOFF_MAX_MS: '8000',
  };

  const children = new Children(logDir, (child, code) => {
    if (child.process.pid !== undefined && expectedExits.has(child.process.pid)) return;
    unexpectedExits.push({ child, code });
    say(`!! ${child.name} exited on its own (code ${code}); restarting it`);
    restart(child.name);
  });
  cleanups.push(() => children.stopAll(8_000));
  const roles = new Map<string, { script: string; live: Child }>();
  let serial = 0;
  const startRole = (role: string, script: string) => {
    const live = children.start(`${role}-${++serial}`, script, env);
    roles.set(role, { script, live });
    return live;
  };
  const restart = (name: string) => {
    const role = name.replace(/-\d+$/, '');
    const entry = roles.get(role);
    if (entry) setTimeout(() => startRole(role, entry.script), 500);
  };
  const kill = (child: Child, signal: NodeJS.Signals) => {
    if (child.process.pid !== undefined) expectedExits.add(child.process.pid);
    child.process.kill(signal);
  };

  await runToEnd(env, 'services/shared/db/migrate.ts');
  const emulator = startRole('emulator', 'services/spotify-emulator/main.ts');
  await waitForHttp(`${emulatorUrl}/healthz`, emulator, children);
  const api = startRole('api', 'services/api/main.ts');
  await waitForHttp(`${apiUrl}/readyz`, api, children);
  startRole('worker-a', 'services/worker/main.ts');
  startRole('worker-b', 'services/worker/main.ts');

  const users = ((await getJson(`${emulatorUrl}/admin/users`)) as Array<{ id: string }>).map((user) => user.id);
  say(`logging ${users.length} synthetic listeners in through the API's OAuth flow`);
  const sessions = new Map<string, DemoSession>();
  await inBatches(users, 8, async (id) => sessions.set(id, await loginSyntheticListener(apiUrl, id)));

  const sql = new pg.Pool({ connectionString: postgres.url, max: 3 });
  sql.on('error', () => undefined);
  cleanups.push(() => sql.end());
  say('waiting for every listener’s first poll (the backfill of their last 50 plays)');
  await waitFor('first polls', 180_000, async () => Number((await sql.query(`select count(*) from poll_state where last_success_at is not null`)).rows[0].count) >= users.length);
  startRole('scheduler', 'services/scheduler/main.ts');

  // ---- faults
  const plan = planFaults(random, minutes * 60_000);
  say(`fault phase: ${plan.length} faults over ${minutes} min`);
  const baseFaults = { errorRate: 0, latencyMs: 0, latencyJitterMs: 0, resetRate: 0, timeoutRate: 0, malformedRate: 0, targets: ['api'] };
  const overlays = new Set<Record<string, unknown>>();
  const applyOverlays = async () => {
    const merged: Record<string, unknown> = { ...baseFaults };
    for (const overlay of overlays) Object.assign(merged, overlay);
    await send('PUT', `${emulatorUrl}/admin/faults`, merged);
  };
  const overlay = async (settings: Record<string, unknown>, forMs: number) => {
    overlays.add(settings);
    await applyOverlays();
    setTimeout(() => {
      overlays.delete(settings);
      void applyOverlays().catch(() => undefined);
    }, forMs);
  };
  let revoked: string | undefined;
  const liveWorkers = () => [...roles.entries()].filter(([role, entry]) => role.startsWith('worker') && entry.live.process.exitCode === null && entry.live.process.signalCode === null);

  const inject = async (kind: FaultKind) => {
    switch (kind) {
      case 'worker_sigkill':
      case 'worker_sigterm': {
        const [role, entry] = pick(liveWorkers());
        kill(entry.live, kind === 'worker_sigkill' ? 'SIGKILL' : 'SIGTERM');
        // SIGKILL: a crash, replaced a moment later; SIGTERM: a rolling deploy, the new one starts at once.
        if (kind === 'worker_sigkill') await sleep(1_000);
        startRole(role, entry.script);
        return `${entry.live.name}`;
      }
      case 'scheduler_sigkill': {
        const entry = roles.get('scheduler')!;
        const delay = msUntilNextSchedulerRun(entry.live.logFile);
        if (delay !== undefined && delay < 15_000) await sleep(delay);
        kill(entry.live, 'SIGKILL');
        await sleep(500);
        startRole('scheduler', entry.script);
        return delay !== undefined ? 'aimed at the middle of a run' : 'at a random moment';
      }
      case 'redis_restart_persistent':
        await redis.restart('persistent', 2_000);
        return 'SIGTERM, down 2 s, append-only file kept';
      case 'redis_restart_wiped':
        await redis.restart('wiped', 1_000);
        return 'SIGKILL, down 1 s, data deleted';
      case 'postgres_restart_fast':
        await postgres.restart('fast', 2_000);
        return 'fast shutdown, down 2 s';
      case 'postgres_restart_immediate':
        await postgres.restart('immediate', 1_000);
        return 'immediate (crash) shutdown, down 1 s';
      case 'spotify_429_burst': {
        const count = 10 + Math.floor(random() * 30);
        const retryAfterSeconds = 1 + Math.floor(random() * 3);
        await send('POST', `${emulatorUrl}/admin/faults/queue`, { faults: Array.from({ length: count }, () => ({ kind: 'rate_limited', retryAfterSeconds })) });
        return `${count} × 429, Retry-After ${retryAfterSeconds} s`;
      }
      case 'spotify_5xx':
        await overlay({ errorRate: 0.3, targets: ['api', 'token'] }, 8_000);
        return '30 % 500/502/503 for 8 s (Web API and token endpoint)';
      case 'spotify_slow':
        await overlay({ latencyMs: 800, latencyJitterMs: 2_500 }, 8_000);
        return '0.8–3.3 s latency for 8 s (timeout 3 s)';
      case 'spotify_resets':
        await overlay({ resetRate: 0.1, timeoutRate: 0.03, malformedRate: 0.05 }, 8_000);
        return '10 % resets, 3 % no answer, 5 % cut-short bodies for 8 s';
      case 'token_expiry': {
        const victims = Array.from({ length: 5 }, () => pick(users)).filter((id) => id !== revoked);
        for (const id of victims) await send('POST', `${emulatorUrl}/admin/users/${id}/expire-access-tokens`, {});
        return `access tokens of ${victims.length} users expired early`;
      }
      case 'refresh_token_revoked': {
        revoked = pick(users);
        await send('POST', `${emulatorUrl}/admin/users/${revoked}/revoke-refresh-tokens`, {});
        return `user ${revoked}`;
      }
    }
  };

  const probe = probeApi(apiUrl, [...sessions.values()]);
  const clock = accelerateClock(emulatorUrl, speed);
  const faultStart = Date.now();
  for (const fault of plan) {
    const wait = faultStart + fault.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    try {
      const detail = await inject(fault.kind);
      injected.set(fault.kind, (injected.get(fault.kind) ?? 0) + 1);
      say(`fault ${fault.kind}: ${detail}`);
    } catch (error) {
      notes.push(`could not inject ${fault.kind}: ${(error as Error).message}`);
      say(`!! could not inject ${fault.kind}: ${(error as Error).message}`);
    }
  }
  const remaining = faultStart + minutes * 60_000 - Date.now();
  if (remaining > 0) await sleep(remaining);

  // ---- faults off, one clean cycle
  say('faults off: emulator faults reset, waiting for a clean cycle');
  overlays.clear();
  await send('POST', `${emulatorUrl}/admin/faults/reset`, {});
  await sleep(9_000); // let the last overlay timers and Retry-After pauses run out
  await send('POST', `${emulatorUrl}/admin/faults/reset`, {});
  const scheduler = roles.get('scheduler')!;
  roles.delete('scheduler');
  kill(scheduler.live, 'SIGTERM');
  const apiReport = await probe.stop();

  const queueRedis = new Redis(redis.url, { maxRetriesPerRequest: null });
  queueRedis.on('error', () => undefined); // reconnects by itself; the checks below fail if it cannot
  cleanups.push(() => void queueRedis.disconnect());
  const queue = createPollQueue(queueRedis, QUEUE_PREFIX);
  cleanups.push(() => queue.close());
  const pending = async () => {
    const counts = await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  };
  await clock.stop();
  await waitFor('the queue to drain', 180_000, async () => (await pending()) === 0);
  const frozen = (await send('POST', `${emulatorUrl}/admin/clock/freeze`, {})) as { now: string };
  const freezeMs = Date.parse(frozen.now);
  const activeUsers = (await sql.query<{ id: string }>(`select id from users where status = 'active'`)).rows.map((row) => row.id);
  const cleanCycleAt = new Date();
  for (const id of activeUsers) await enqueuePoll(queue, id, 'manual');
  say(`clean cycle: ${activeUsers.length} polls enqueued, emulator clock frozen at ${frozen.now}`);
  await waitFor('the clean cycle', 240_000, async () => {
    if ((await pending()) > 0) return false;
    const { rows } = await sql.query(`select count(*) from poll_state p join users u on u.id = p.user_id where u.status = 'active' and p.last_success_at >= $1`, [cleanCycleAt]);
    return Number(rows[0].count) >= activeUsers.length || (await queue.getFailedCount()) > 0;
  }).catch((error: Error) => notes.push(error.message));

  // ---- checks
  say('verifying against the emulator’s ground truth');
  const failures: string[] = [];
  const userRows = (await sql.query<{ id: string; spotify_user_id: string; status: string }>('select id, spotify_user_id, status from users')).rows;
  const pollsByUser = successfulPolls(logDir);
  const verdicts: UserVerdict[] = [];
  const from = new Date(startedAt - 12 * 3_600_000).toISOString();
  const to = new Date(freezeMs + 1).toISOString();
  for (const row of userRows) {
    if (row.spotify_user_id === revoked) continue;
    const truth = ((await getJson(`${emulatorUrl}/admin/users/${row.spotify_user_id}/plays?from=${from}&to=${to}`)) as { plays: TruthPlay[] }).plays;
    const classified = classifyPlays(truth, (pollsByUser.get(row.id) ?? []).map(clock.emulatorTime));
    const truthKeys = new Set(truth.filter((p) => p.counted).map((p) => `${Date.parse(p.played_at)}|${p.track.id}`));
    verdicts.push(compare(row.spotify_user_id, classified, await storedPlays(sql, row.id), truthKeys));
    if (row.status !== 'active') failures.push(`user ${row.spotify_user_id} was never revoked but is ${row.status}`);
  }
  const sum = (f: (v: UserVerdict) => number) => verdicts.reduce((total, v) => total + f(v), 0);
  const totals = {
    expected: sum((v) => v.expected),
    stored: sum((v) => v.stored),
    missing: sum((v) => v.missing.length),
    duplicated: sum((v) => v.duplicated),
    unexpected: sum((v) => v.unexpected.length),
    lostToWindow: sum((v) => v.lostToWindow),
    beforeLogin: sum((v) => v.beforeLogin),
  };
  for (const v of verdicts.filter((x) => x.missing.length || x.duplicated || x.unexpected.length)) {
    failures.push(`user ${v.spotifyUserId}: ${v.missing.length} missing (${v.missing.slice(0, 3).join(', ')}), ${v.duplicated} duplicated, ${v.unexpected.length} not in the ground truth (${v.unexpected.slice(0, 3).join(', ')})`);
  }
  if (verdicts.length !== users.length - (revoked ? 1 : 0)) failures.push(`${verdicts.length} users stored, ${users.length - (revoked ? 1 : 0)} expected`);
  const unpolled = userRows.filter((row) => row.spotify_user_id !== revoked && !(pollsByUser.get(row.id) ?? []).some((t) => t >= cleanCycleAt.getTime()));
  if (unpolled.length) failures.push(`${unpolled.length} user(s) had no successful poll in the clean cycle`);

  if (revoked) {
    const status = userRows.find((row) => row.spotify_user_id === revoked)?.status;
    if (status !== 'reauth_required') failures.push(`the revoked user ${revoked} is ${status}, not reauth_required`);
  }

  const active = await queue.getActive();
  if (active.length) failures.push(`${active.length} job(s) stuck active: ${active.map((j) => j.id).join(', ')}`);
  const failed = await queue.getFailed(0, -1);
  const unexplained = failed.filter((job) => !explains(job.failedReason));
  if (unexplained.length) failures.push(`${unexplained.length} failed job(s) without an explaining error: ${unexplained.map((j) => `${j.id}: ${JSON.stringify(j.failedReason)}`).join('; ')}`);
  const failedByReason = new Map<string, number>();
  for (const job of failed) {
    const reason = (job.failedReason ?? '').replace(/[0-9a-f-]{36}/g, '<user>').slice(0, 140);
    failedByReason.set(reason, (failedByReason.get(reason) ?? 0) + 1);
  }
  const revokedUserId = userRows.find((row) => row.spotify_user_id === revoked)?.id;
  const otherFailures = failed.filter((job) => job.data.userId !== revokedUserId);
  if (otherFailures.length) notes.push(`${otherFailures.length} job(s) of healthy users ended in the failed set (their user was polled again later)`);

  const secrets = (await getJson(`${emulatorUrl}/admin/secrets`)) as { clientSecret: string; authorizationCodes: string[]; accessTokens: string[]; refreshTokens: string[]; codeVerifiers: string[] };
  const secretList = [
    { what: 'client secret', values: [secrets.clientSecret] },
    { what: 'authorization code', values: secrets.authorizationCodes },
    { what: 'access token', values: secrets.accessTokens },
    { what: 'refresh token', values: secrets.refreshTokens },
    { what: 'PKCE verifier', values: secrets.codeVerifiers },
    { what: 'Playlog session token', values: [...sessions.values()].map((s) => s.token) },
  ];
  const places = [
    ...readdirSync(logDir).filter((f) => f.endsWith('.log')).map((f) => ({ where: `log ${f}`, text: readFileSync(join(logDir, f), 'utf8') })),
    { where: 'Redis (every key: job data, failed reasons, stack traces)', text: await redisText(queueRedis) },
    { where: 'failed jobs’ reasons and stack traces', text: failed.map((job) => `${job.failedReason}\n${(job.stacktrace ?? []).join('\n')}`).join('\n') },
    { where: 'spotify_credentials rows (must be ciphertext)', text: JSON.stringify((await sql.query('select * from spotify_credentials')).rows) },
  ];
  const leaks = findLeaks(secretList, places);
  for (const leak of leaks) failures.push(`a ${leak.what} appears in ${leak.where}`);
  const secretCount = secretList.reduce((n, s) => n + s.values.length, 0);

  const logText = places.filter((p) => p.where.startsWith('log worker')).map((p) => p.text).join('\n');
  const count = (pattern: RegExp) => (logText.match(pattern) ?? []).length;
  const stats = (await getJson(`${emulatorUrl}/admin/stats`)) as { faults?: Record<string, number> };
  if (apiReport.stackTraces) failures.push(`${apiReport.stackTraces} API answer(s) showed a stack trace`);
  if (apiReport.finalFailures.length) failures.push(`the API did not serve after the faults: ${apiReport.finalFailures.slice(0, 3).join('; ')}`);

  // ---- report
  const lines: string[] = [];
  lines.push('', `Chaos run — seed ${seed}, ${minutes} min of faults, ${users.length} listeners, emulator clock ×${speed}, ${new Date().toISOString()}`, '');
  lines.push('| fault | injected |', '|---|---|');
  for (const kind of FAULT_KINDS) lines.push(`| ${kind} | ${injected.get(kind) ?? 0} |`);
  lines.push('', `Emulator-side fault events: ${Object.entries(stats.faults ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`, '');
  lines.push('| plays | count |', '|---|---|');
  lines.push(`| expected (retrievable while polling worked) | ${totals.expected} |`);
  lines.push(`| stored | ${totals.stored} |`);
  lines.push(`| missing | ${totals.missing} |`);
  lines.push(`| duplicated | ${totals.duplicated} |`);
  lines.push(`| stored but not in the ground truth | ${totals.unexpected} |`);
  lines.push(`| lost to the 50-play window (outage too long) | ${totals.lostToWindow} |`);
  lines.push(`| older than the window at first login (not expected) | ${totals.beforeLogin} |`, '');
  lines.push('| jobs | count |', '|---|---|');
  lines.push(`| attempts failed and retried | ${count(/"msg":"poll failed: [^"]*will retry/g)} |`);
  lines.push(`| attempts that gave up (job to the failed set) | ${count(/"msg":"poll failed[^"]*(giving up|not retried)/g)} |`);
  lines.push(`| users marked reauth_required | ${count(/"msg":"user marked reauth_required/g)} |`);
  lines.push(`| polls that refreshed the access token (rotation) | ${count(/"tokenRefreshed":true/g)} |`);
  lines.push(`| paused by a 429 (no attempt used) | ${count(/"msg":"Spotify (rate limit|daily quota)/g)} |`);
  lines.push(`| stalled (worker killed) and run again | ${count(/job stalled/g)} |`);
  lines.push(`| in the failed set at the end | ${failed.length} |`);
  lines.push(`| stuck active at the end | ${active.length} |`, '');
  for (const [reason, n] of failedByReason) lines.push(`  failed ×${n}: ${reason}`);
  lines.push(`API probes during faults: ${apiReport.total} requests, ${apiReport.ok} answered 200, ${apiReport.unavailable} 5xx/unreachable, ${apiReport.stackTraces} with a stack trace`);
  lines.push(`Secrets checked: ${secretCount} (client secret, codes, access and refresh tokens, verifiers, session tokens) in ${places.length} places: ${leaks.length ? `${leaks.length} LEAKED` : 'none found'}`);
  if (revoked) lines.push(`Revoked user ${revoked}: ${userRows.find((row) => row.spotify_user_id === revoked)?.status}`);
  // Read at the end: the log pipe may not have flushed when the exit was seen.
  for (const { child, code } of unexpectedExits) lines.push(`Exited on its own, restarted as Kubernetes would: ${child.name} (code ${code}): ${children.tail(child, 1)}`);
  for (const note of notes) lines.push(`Note: ${note}`);
  lines.push('', failures.length ? `FAILED (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}` : 'PASSED: nothing lost, nothing duplicated, nothing leaked.');
  console.log(lines.join('\n'));
  return failures.length ? 1 : 0;
}

function explains(reason: string | undefined): boolean {
  return typeof reason === 'string' && reason.length >= 20 && !/^(Error|undefined|null|\[object Object\])$/.test(reason.trim());
}

/** Successful polls per Playlog user id: the end time of each `status: polled` worker log line. */
function successfulPolls(dir: string): Map<string, number[]> {
  const polls = new Map<string, number[]>();
  for (const file of readdirSync(dir).filter((f) => f.startsWith('worker'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line.includes('"status":"polled"')) continue;
      try {
        const entry = JSON.parse(line) as { userId: string; time: string };
        const list = polls.get(entry.userId) ?? [];
        list.push(Date.parse(entry.time));
        polls.set(entry.userId, list);
      } catch {
        // a line cut short by SIGKILL
      }
    }
  }
  return polls;
}

/** From the scheduler's last summary line: when its next run should be half done (it sleeps between runs). */
function msUntilNextSchedulerRun(logFile: string): number | undefined {
  try {
    const last = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('scheduler run:')).at(-1);
    if (!last) return undefined;
    const { time, durationMs } = JSON.parse(last) as { time: string; durationMs: number };
    const target = Date.parse(time) + SCHEDULER_LOOP_SECONDS * 1000 + durationMs / 2;
    return Math.max(0, target - Date.now());
  } catch {
    return undefined;
  }
}

/**
 * Moves the emulator's clock forward every second so it runs `speed` times faster than real time. Poll
 * times (wall clock, from the worker logs) convert to emulator time with the offsets recorded here; the
 * offset after a poll is at least the one it saw, so a converted time errs late, never early.
 */
function accelerateClock(emulatorUrl: string, speed: number): { stop(): Promise<void>; emulatorTime(wallMs: number): number } {
  const offsets: Array<{ wall: number; offset: number }> = [{ wall: 0, offset: 0 }];
  let ticking: Promise<unknown> = Promise.resolve();
  const timer =
    speed > 1
      ? setInterval(() => {
          ticking = send('POST', `${emulatorUrl}/admin/clock/advance`, { ms: Math.round((speed - 1) * 1000) })
            .then((answer) => offsets.push({ wall: Date.now(), offset: Date.parse((answer as { now: string }).now) - Date.now() }))
            .catch(() => undefined);
        }, 1000)
      : undefined;
  return {
    async stop() {
      clearInterval(timer);
      await ticking;
    },
    emulatorTime(wallMs: number) {
      let offset = 0;
      for (const entry of offsets) if (entry.wall <= wallMs) offset = entry.offset;
      return wallMs + offset;
    },
  };
}

interface ApiReport {
  total: number;
  ok: number;
  unavailable: number;
  stackTraces: number;
  finalFailures: string[];
}

/** Reads listeners' histories through the API all along; after the faults, every session must be served. */
function probeApi(apiUrl: string, sessions: DemoSession[]): { stop(): Promise<ApiReport> } {
  const report: ApiReport = { total: 0, ok: 0, unavailable: 0, stackTraces: 0, finalFailures: [] };
  const query = '{ listeningHistory(first: 3) { edges { node { playedAt track { name } } } pageInfo { hasNextPage } } }';
  const ask = async (session: DemoSession): Promise<{ status: number; body: string }> => {
    try {
      const response = await fetch(`${apiUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
        body: JSON.stringify({ query }),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      return { status: 0, body: (error as Error).message };
    }
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      const { status, body } = await ask(sessions[Math.floor(Math.random() * sessions.length)]!);
      report.total++;
      if (status === 200 && !body.includes('"errors"')) report.ok++;
      else if (status === 0 || status >= 500 || body.includes('"errors"')) report.unavailable++;
      if (/\bat [\w.<>]+ \(|node_modules|stacktrace/.test(body)) report.stackTraces++;
      await sleep(250);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      for (const session of sessions.slice(0, 25)) {
        const { status, body } = await ask(session);
        if (status !== 200 || body.includes('"errors"')) report.finalFailures.push(`${status}: ${body.slice(0, 200)}`);
      }
      return report;
    },
  };
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // Postgres or Redis still coming back
    }
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

async function send(method: string, url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

function runToEnd(env: NodeJS.ProcessEnv, script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    void import('node:child_process').then(({ spawn }) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => (output += String(chunk)));
      child.stderr.on('data', (chunk) => (output += String(chunk)));
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} failed: ${output.trim()}`))));
    });
  });
}

async function waitForHttp(url: string, child: Child, children: Children, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${child.name} at ${url}`, timeoutMs, async () => {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited:\n${children.tail(child)}`);
    return (await fetch(url)).ok;
  });
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanup();
    process.exit(1);
  });
