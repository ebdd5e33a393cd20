import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

/** Runs `run` on a fresh connection to the admin database, then closes it. */
export type WithAdmin = <T>(run: (client: pg.Client) => Promise<T>) => Promise<T>;

/**
 * Drops a database a test or benchmark made. FORCE ends our own leftover sessions, but Postgres refuses
 * it to a role without pg_signal_backend when an autovacuum worker (a superuser's process) is in the
 * database; a plain DROP cancels autovacuum itself. So attempts alternate between the two.
 */
export async function dropDatabase(withAdmin: WithAdmin, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      // Plain first: a client of ours still closing its connection ends it itself, rather than being cut
      // off by FORCE mid-goodbye (its pool then reports the termination as an error nobody handles).
      await withAdmin((client) => client.query(`drop database if exists ${name}${attempt % 2 === 1 ? ' with (force)' : ''}`));
      return;
    } catch (error) {
      if (attempt >= 9) throw error;
      await sleep(200 * (attempt + 1));
    }
  }
}
