import { parseCommandLine, UsageError, wholeNumberOption } from '../../services/shared/cli/command-line.js';

export const CHAOS_USAGE = `usage: npm run chaos -- [options]

Playlog under faults, then a check that nothing was lost, nothing doubled and nothing leaked
(docs/reliability.md). Everything runs as real processes on this machine, with a Postgres and a Redis
of the run's own on spare ports, and stops when the run ends. Logs stay in .services/chaos/<run>/.

options:
  --minutes <n>   minutes of faults, 1 to 120 (default 5)
  --users <n>     synthetic listeners, 2 to 1000 (default 200)
  --seed <n>      replay the faults of an earlier run (its first line prints the seed)
  --speed <n>     the emulator's clock runs n times faster than real time, 1 to 60 (default 6: an hour
                  of listening every 10 minutes, so a short run sees many new plays and access tokens
                  expiring on their own)
  -h, --help      this text

Exit codes: 0 every check passed, 1 a check failed, 2 bad usage.`;

export interface ChaosOptions {
  minutes: number;
  users: number;
  seed: number;
  speed: number;
}

export function parseChaosArgs(argv: readonly string[]): ChaosOptions {
  const { values } = parseCommandLine(argv, { minutes: { type: 'string' }, users: { type: 'string' }, seed: { type: 'string' }, speed: { type: 'string' } });
  const minutes = values.minutes === undefined ? 5 : Number(values.minutes);
  if (!(minutes > 0 && minutes <= 120)) throw new UsageError(`--minutes takes a number above 0 and at most 120, not "${values.minutes}"`);
  return {
    minutes,
    users: wholeNumberOption('users', values.users, 200, { min: 2, max: 1000 }),
    seed: wholeNumberOption('seed', values.seed, Math.floor(Math.random() * 2 ** 31), { min: 0, max: 2 ** 31 - 1 }),
    speed: wholeNumberOption('speed', values.speed, 6, { min: 1, max: 60 }),
  };
}
