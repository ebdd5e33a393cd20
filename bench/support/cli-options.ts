import { parseCommandLine, UsageError } from '../../services/shared/cli/command-line.js';

export type BenchSize = 'small' | 'default';

export interface CliOptions {
  size: BenchSize;
  /** Scenario names to run; empty = all. */
  only: string[];
  /** Where to write the markdown report (machine, commit, date, command, tables), if anywhere. */
  report: string | null;
  /** Start spawned services with --cpu-prof, profiles written under bench/profiles/. */
  profile: boolean;
}

export const USAGE = `usage: npm run bench -- [--size small|default] [--only <scenario>[,<scenario>...]] [--report <file.md>] [--profile]

  --size small     a smoke run (CI): every scenario once, at a tiny size, in under a minute
  --size default   the sizes the targets of issue 7 are stated at (under 15 minutes on 2 cores)
  --only           run only these scenarios (comma-separated, or repeat the flag)
  --report         also write the results as markdown (docs/benchmarks.md embeds the latest full one)
  --profile        spawned services (worker, scheduler, API) write a --cpu-prof profile to bench/profiles/
  -h, --help       this text`;

export function parseCliOptions(argv: string[]): CliOptions {
  const { values } = parseCommandLine(argv, {
    size: { type: 'string', default: 'default' },
    only: { type: 'string', multiple: true, default: [] },
    report: { type: 'string' },
    profile: { type: 'boolean', default: false },
  });
  if (values.size !== 'small' && values.size !== 'default') throw new UsageError(`--size must be small or default, not "${values.size}"`);
  return {
    size: values.size,
    only: values.only.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean),
    report: values.report ?? null,
    profile: values.profile,
  };
}
