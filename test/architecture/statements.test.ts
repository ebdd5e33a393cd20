import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../services/shared/db/statements/statement.js';

/**
 * The hand-written statements of the data layer, found where they are defined: every module of a
 * feature's `data/` folder. No list is kept by hand; each statement's reviewed SQL lives beside its
 * repository, in `data/queries/<name>.sql`.
 */
const FEATURES = 'services/features';

const isStatement = (value: unknown): value is Statement<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as Statement<unknown>).name === 'string' && typeof (value as Statement<unknown>).sql === 'string' && 'row' in value;
/** Every statement a module exports, also inside records of them (statements made by a helper). */
const statementsIn = (value: unknown, depth = 0): Array<Statement<unknown>> =>
  isStatement(value) ? [value] : depth < 4 && typeof value === 'object' && value !== null ? Object.values(value).flatMap((inner) => statementsIn(inner, depth + 1)) : [];

function dataModules(): string[] {
  return readdirSync(FEATURES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((feature) => join(FEATURES, feature.name, 'data'))
    .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    .flatMap((dir) => readdirSync(dir).filter((name) => name.endsWith('.ts')).map((name) => join(dir, name)));
}

interface Found {
  statement: Statement<unknown>;
  file: string;
}

const found: Found[] = [];
const unexported: string[] = [];
for (const file of dataModules()) {
  const module = (await import(`../../${file}`)) as Record<string, unknown>;
  const names = new Set<string>();
  for (const statement of statementsIn(Object.values(module))) {
    names.add(statement.name);
    if (!found.some((entry) => entry.statement === statement)) found.push({ statement, file });
  }
  // A statement defined in a file but not exported would escape the snapshots.
  for (const match of readFileSync(file, 'utf8').matchAll(/defineStatement\(\{\s*name: '([a-z_]+)'/g)) {
    if (!names.has(match[1]!)) unexported.push(`${file} defines ${match[1]} without exporting it`);
  }
}

/** What a statement's snapshot file holds: its name, where it is defined, why it is written by hand, and its SQL. */
function snapshotOf({ statement, file }: Found): string {
  const purpose = statement.purpose.replace(/(.{1,100})(\s+|$)/g, '-- $1\n');
  return `-- ${statement.name} (${file})\n--\n${purpose}\n${statement.sql}\n`;
}

describe('the hand-written statements of the data layer', () => {
  it('are found in the features’ data folders, each exported', () => {
    expect(found.length).toBeGreaterThan(40);
    expect(unexported).toEqual([]);
  });

  it('have unique names', () => {
    const names = found.map((entry) => entry.statement.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('have no snapshot left over from a statement that is gone', () => {
    const expected = new Set(found.map((entry) => join(dirname(entry.file), 'queries', `${entry.statement.name}.sql`)));
    const present = dataModules()
      .map((file) => join(dirname(file), 'queries'))
      .filter((dir, index, all) => all.indexOf(dir) === index && statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      .flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)));
    expect(present.filter((file) => !expected.has(file))).toEqual([]);
  });

  // Each statement as reviewed SQL: a changed query fails here until its .sql file is updated with it
  // (`npx vitest run test/architecture/statements.test.ts -u`), so the change shows in review as SQL.
  for (const entry of found) {
    it(`${entry.statement.name} is what ${dirname(entry.file)}/queries/${entry.statement.name}.sql says`, async () => {
      await expect(snapshotOf(entry)).toMatchFileSnapshot(`../../${dirname(entry.file)}/queries/${basename(entry.statement.name)}.sql`);
    });
  }
});
