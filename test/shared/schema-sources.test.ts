import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The database's functions and triggers as current source files (docs/architecture.md, "The data layer"):
 * each is defined in `services/features/<feature>/data/schema/<function>.sql`, a file holding one function
 * and the triggers that run it, while migrations are history. A freshly migrated database must hold exactly
 * what those files define. Both sides are read back the same way: the migrated definitions, then, in a
 * transaction rolled back, every function and trigger dropped and the files run instead; Postgres prints
 * each (pg_get_functiondef, pg_get_triggerdef), compared with runs of whitespace made one space (a
 * migration's bodies are indented as its TypeScript was).
 */
const FEATURES = 'services/features';

function schemaSources(): string[] {
  return readdirSync(FEATURES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((feature) => join(FEATURES, feature.name, 'data', 'schema'))
    .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    .flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)))
    .sort();
}

/** Each function's name, in the schema. */
async function functionNames(client: pg.PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`select p.proname as name from pg_proc p join pg_namespace s on s.oid = p.pronamespace where s.nspname = 'public'`);
  return rows.map((row) => row.name);
}

/** Every function of the schema that no extension brought, by signature, and which of them are aggregates (not printable). */
const FUNCTIONS = `
  select p.oid::regprocedure::text as name, case when p.prokind = 'a' then 'aggregate' else pg_get_functiondef(p.oid) end as definition
    from pg_proc p join pg_namespace s on s.oid = p.pronamespace
   where s.nspname = 'public' and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')`;

/** Every trigger a statement made (not the ones Postgres keeps for foreign keys), by table and name, with the function it runs. */
const TRIGGERS = `
  select t.tgrelid::regclass::text || '.' || t.tgname as name, pg_get_triggerdef(t.oid) as definition, p.proname as function
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace s on s.oid = c.relnamespace join pg_proc p on p.oid = t.tgfoid
   where not t.tgisinternal and s.nspname = 'public'`;

const DROP_ALL = `
  do $$
  declare
    f regprocedure;
    t record;
  begin
    for f in select p.oid::regprocedure from pg_proc p join pg_namespace s on s.oid = p.pronamespace
              where s.nspname = 'public' and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e') loop
      execute format('drop routine if exists %s cascade', f);
    end loop;
    for t in select tg.tgname, tg.tgrelid::regclass as rel from pg_trigger tg join pg_class c on c.oid = tg.tgrelid join pg_namespace s on s.oid = c.relnamespace
              where not tg.tgisinternal and s.nspname = 'public' loop
      execute format('drop trigger %I on %s', t.tgname, t.rel);
    end loop;
  end $$`;

interface Definitions {
  functions: Record<string, string>;
  triggers: Record<string, string>;
}

const normalised = (sql: string) => sql.replace(/\s+/g, ' ').trim();

async function definitions(client: pg.PoolClient): Promise<Definitions> {
  const byName = (rows: Array<{ name: string; definition: string }>) => Object.fromEntries(rows.map((row) => [row.name, normalised(row.definition)]).sort(([a], [b]) => a!.localeCompare(b!)));
  return { functions: byName((await client.query(FUNCTIONS)).rows), triggers: byName((await client.query(TRIGGERS)).rows) };
}

let db: TestDatabase;
let migrated: Definitions;
let fromSources: Definitions;
/** What each source file made: the functions (by name) and the functions its triggers run. */
const made = new Map<string, { functions: string[]; triggersRun: string[] }>();

beforeAll(async () => {
  db = await createTestDatabase('schema_sources');
  const client = await db.sql.connect();
  try {
    migrated = await definitions(client);
    await client.query('begin');
    await client.query(DROP_ALL);
    for (const file of schemaSources()) {
      const functionsBefore = new Set(await functionNames(client));
      const triggersBefore = new Set((await client.query<{ name: string }>(TRIGGERS)).rows.map((row) => row.name));
      await client.query(readFileSync(file, 'utf8'));
      const functionsAfter = await functionNames(client);
      const triggersAfter = (await client.query<{ name: string; function: string }>(TRIGGERS)).rows;
      made.set(file, {
        functions: functionsAfter.filter((name) => !functionsBefore.has(name)),
        triggersRun: [...new Set(triggersAfter.filter((row) => !triggersBefore.has(row.name)).map((row) => row.function))],
      });
    }
    fromSources = await definitions(client);
  } finally {
    await client.query('rollback');
    client.release();
  }
});
afterAll(async () => {
  await db?.drop();
});

describe('the database’s functions and triggers', () => {
  it('have source files in the features’ data/schema folders', () => {
    expect(made.size).toBeGreaterThan(0);
    expect(Object.keys(migrated.functions)).toContain('playlog_counts_as_play(text,integer)');
  });

  it('are, in a migrated database, exactly what their source files define, none without one', () => {
    expect(fromSources.functions).toEqual(migrated.functions);
    expect(fromSources.triggers).toEqual(migrated.triggers);
  });

  it('each have one source file named after the function, holding only the triggers that run it', () => {
    for (const [file, { functions, triggersRun }] of made) {
      const name = basename(file, '.sql');
      expect({ file, functions, triggersOfOtherFunctions: triggersRun.filter((fn) => fn !== name) }).toEqual({ file, functions: [name], triggersOfOtherFunctions: [] });
    }
  });
});
