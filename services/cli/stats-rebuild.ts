import { EXIT, parseCommandLine, runCommandLine, UsageError } from '../shared/cli/command-line.js';
import { databaseEnv, runtimeEnv } from '../shared/config/env-schema.js';
import { loadConfig } from '../shared/config/load-config.js';
import { openOrm } from '../features/open-orm.js';
import { countUsers, rebuildUserRollups, userIdsAfter } from '../features/statistics/data/stats-rebuild.repository.js';

const USAGE = `usage: playlog stats-rebuild [--after <user id>]      (npm run stats:rebuild -- ...)

Recomputes the statistics rollups (daily play counts, quarter hours, tracks) of every user from their
stored plays, one user at a time in id order, while Playlog runs: a play stored for a user meanwhile
waits for that user's rebuild, then counts itself. The triggers of listening_events keep the rollups
exact on their own; this is for an operator who changed them by hand, or restored a backup of the plays
alone (docs/stats.md).

  --after <id>   resume after this user id (the last one a run printed); without it, every user
Idempotent: running it again, or resuming, changes nothing that is already right.
Exit codes: 0 done, 1 an error (resume with --after), 2 bad usage.`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

runCommandLine('stats-rebuild', USAGE, async (argv) => {
  const { values } = parseCommandLine(argv, { after: { type: 'string' } });
  if (values.after !== undefined && !UUID.test(values.after)) throw new UsageError(`--after must be a user id (a uuid), not "${values.after.slice(0, 64)}"`);
  const config = loadConfig({ ...runtimeEnv, ...databaseEnv });
  const orm = await openOrm(config);
  try {
    const em = orm.em.fork();
    const total = await countUsers(em);
    let after = values.after ?? null;
    let done = 0;
    for (;;) {
      const ids = await userIdsAfter(em, after, 100);
      if (ids.length === 0) break;
      for (const id of ids) {
        await rebuildUserRollups(em, id);
        done += 1;
        after = id;
      }
      process.stdout.write(`rebuilt ${done} user(s) of ${total}; last ${after} (resume with --after ${after})\n`);
    }
    process.stdout.write(`statistics rollups rebuilt for ${done} user(s)\n`);
    return EXIT.ok;
  } finally {
    await orm.close(true);
  }
});
