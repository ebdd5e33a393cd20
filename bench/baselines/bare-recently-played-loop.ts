import { readFileSync } from 'node:fs';
import type { BenchEmulatorTokens } from '../support/emulator-process.js';

/**
 * The ceiling of the poll cycle: a process that calls recently-played for its share of the users, with
 * the same concurrency and the same `after` as the worker (its cursor less the poll's lookback, so it reads
 * the same plays), and does nothing else (no token handling,
 * no validation, no database, no queue). Started like a worker; SIGUSR2 starts the loop, so several
 * processes start together; prints one JSON line with its counts and times.
 */
const tokens = JSON.parse(readFileSync(process.env.BENCH_TOKENS_FILE!, 'utf8')) as BenchEmulatorTokens;
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);
const afterMs = Number(process.env.BENCH_AFTER_MS);
const [index, of] = (process.env.BENCH_SHARD ?? '0/1').split('/').map(Number) as [number, number];
const users = tokens.users.filter((_, i) => i % of === index);

async function loop(): Promise<void> {
  let next = 0;
  let errors = 0;
  const startedAt = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < users.length; i = next++) {
        const response = await fetch(`${tokens.apiUrl}/me/player/recently-played?limit=50&after=${afterMs}`, {
          headers: { authorization: `Bearer ${users[i]!.accessToken}` },
        });
        await response.json();
        if (response.status !== 200) errors++;
      }
    }),
  );
  console.log(JSON.stringify({ msg: 'bare loop done', calls: users.length, errors, startedAt, endedAt: Date.now() }));
}

process.once('SIGUSR2', () => {
  void loop().then(() => process.exit(0));
});
process.once('SIGTERM', () => process.exit(0));
console.log(JSON.stringify({ msg: 'bare loop ready' }));
setInterval(() => undefined, 60_000);
