import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { listStoredCredentials } from '../../services/features/accounts/data/credentials.repository.js';
import { listPlayKeys } from '../../services/features/plays/data/plays.repository.js';
import { listUsers } from '../../services/features/accounts/data/users.repository.js';
import type { Queues } from '../../services/shared/jobs/open-queues.js';
import type { DemoSession } from '../support/synthetic-login.js';
import type { CleanCycle } from './clean-cycle.js';
import { getJson } from './http.js';
import { findLeaks, redisText } from './scan-secrets.js';
import { classifyPlays, compare, type TruthPlay, type UserVerdict } from './verify-plays.js';

export interface PlayTotals {
  expected: number;
  stored: number;
  missing: number;
  duplicated: number;
  unexpected: number;
  lostToWindow: number;
  beforeLogin: number;
}

export interface Verification {
  failures: string[];
  totals: PlayTotals;
  userStatus: Map<string, string>;
  failed: Job[];
  active: number;
  failedByReason: Map<string, number>;
  /** How many secrets were looked for, in how many places, and how many leaked. */
  secrets: { count: number; places: number; leaks: number };
  /** The worker logs, for the report's counts. */
  workerLog: string;
  notes: string[];
}

/**
 * The run's verdict: every user's stored plays against the emulator's ground truth (nothing missing,
 * nothing doubled, nothing invented), every user's status, the queue's state, and every secret the run
 * issued looked for in every log, in Redis and in the database.
 */
export async function verifyRun(parts: {
  orm: MikroORM;
  queues: Queues;
  redis: Redis;
  emulatorUrl: string;
  logDir: string;
  listeners: string[];
  sessions: DemoSession[];
  revoked: string | undefined;
  startedAt: number;
  cleanCycle: CleanCycle;
  emulatorTime: (wallMs: number) => number;
}): Promise<Verification> {
  const { orm, queues, emulatorUrl, revoked } = parts;
  const failures: string[] = [];
  const notes: string[] = [];
  const users = await listUsers(orm.em.fork());
  const pollsByUser = successfulPolls(parts.logDir);
  const verdicts: UserVerdict[] = [];
  const from = new Date(parts.startedAt - 12 * 3_600_000).toISOString();
  const to = new Date(parts.cleanCycle.frozenAtMs + 1).toISOString();
  for (const user of users) {
    if (user.spotifyUserId === revoked) continue;
    const truth = ((await getJson(`${emulatorUrl}/admin/users/${user.spotifyUserId}/plays?from=${from}&to=${to}`)) as { plays: TruthPlay[] }).plays;
    const classified = classifyPlays(truth, (pollsByUser.get(user.id) ?? []).map(parts.emulatorTime));
    const truthKeys = new Set(truth.filter((play) => play.counted).map((play) => `${Date.parse(play.played_at)}|${play.track.id}`));
    verdicts.push(compare(user.spotifyUserId, classified, await listPlayKeys(orm.em.fork(), user.id), truthKeys));
    if (user.status !== 'active') failures.push(`user ${user.spotifyUserId} was never revoked but is ${user.status}`);
  }
  const sum = (f: (v: UserVerdict) => number) => verdicts.reduce((total, v) => total + f(v), 0);
  const totals: PlayTotals = {
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
  const healthy = parts.listeners.length - (revoked ? 1 : 0);
  if (verdicts.length !== healthy) failures.push(`${verdicts.length} users stored, ${healthy} expected`);
  const unpolled = users.filter((user) => user.spotifyUserId !== revoked && !(pollsByUser.get(user.id) ?? []).some((t) => t >= parts.cleanCycle.startedAt.getTime()));
  if (unpolled.length) failures.push(`${unpolled.length} user(s) had no successful poll in the clean cycle`);
  const userStatus = new Map(users.map((user) => [user.spotifyUserId, user.status]));
  if (revoked && userStatus.get(revoked) !== 'reauth_required') failures.push(`the revoked user ${revoked} is ${userStatus.get(revoked)}, not reauth_required`);

  const active = await queues.poll.getActive();
  if (active.length) failures.push(`${active.length} job(s) stuck active: ${active.map((j) => j.id).join(', ')}`);
  const failed = await queues.poll.getFailed(0, -1);
  const unexplained = failed.filter((job) => !explains(job.failedReason));
  if (unexplained.length) failures.push(`${unexplained.length} failed job(s) without an explaining error: ${unexplained.map((j) => `${j.id}: ${JSON.stringify(j.failedReason)}`).join('; ')}`);
  const failedByReason = new Map<string, number>();
  for (const job of failed) {
    const reason = (job.failedReason ?? '').replace(/[0-9a-f-]{36}/g, '<user>').slice(0, 140);
    failedByReason.set(reason, (failedByReason.get(reason) ?? 0) + 1);
  }
  const revokedUserId = users.find((user) => user.spotifyUserId === revoked)?.id;
  const otherFailures = failed.filter((job) => job.data.userId !== revokedUserId);
  if (otherFailures.length) notes.push(`${otherFailures.length} job(s) of healthy users ended in the failed set (their user was polled again later)`);

  const secrets = (await getJson(`${emulatorUrl}/admin/secrets`)) as { clientSecret: string; authorizationCodes: string[]; accessTokens: string[]; refreshTokens: string[]; codeVerifiers: string[] };
  const secretList = [
    { what: 'client secret', values: [secrets.clientSecret] },
    { what: 'authorization code', values: secrets.authorizationCodes },
    { what: 'access token', values: secrets.accessTokens },
    { what: 'refresh token', values: secrets.refreshTokens },
    { what: 'PKCE verifier', values: secrets.codeVerifiers },
    { what: 'Playlog session token', values: parts.sessions.map((s) => s.token) },
  ];
  const places = [
    ...readdirSync(parts.logDir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => ({ where: `log ${f}`, text: readFileSync(join(parts.logDir, f), 'utf8') })),
    { where: 'Redis (every key: job data, failed reasons, stack traces)', text: await redisText(parts.redis) },
    { where: 'failed jobs’ reasons and stack traces', text: failed.map((job) => `${job.failedReason}\n${(job.stacktrace ?? []).join('\n')}`).join('\n') },
    { where: 'spotify_credentials rows (must be ciphertext)', text: JSON.stringify(await listStoredCredentials(orm.em.fork())) },
  ];
  const leaks = findLeaks(secretList, places);
  for (const leak of leaks) failures.push(`a ${leak.what} appears in ${leak.where}`);

  return {
    failures,
    totals,
    userStatus,
    failed,
    active: active.length,
    failedByReason,
    secrets: { count: secretList.reduce((n, s) => n + s.values.length, 0), places: places.length, leaks: leaks.length },
    workerLog: places.filter((p) => p.where.startsWith('log worker')).map((p) => p.text).join('\n'),
    notes,
  };
}

/** A failure reason an operator can act on: words, not a bare class name or "undefined". */
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
