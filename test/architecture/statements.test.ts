import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAND_WRITTEN_STATEMENTS } from '../../services/shared/db/statements/catalogue.js';
import type { Statement } from '../../services/shared/db/statements/statement.js';

const REPOSITORIES = 'services/shared/db/repositories';

/** What a statement's snapshot file holds: its name, why it is written by hand, and its SQL. */
function snapshotOf(statement: Statement<unknown>): string {
  const purpose = statement.purpose.replace(/(.{1,100})(\s+|$)/g, '-- $1\n');
  return `-- ${statement.name} (services/shared/db/statements/catalogue.ts)\n--\n${purpose}\n${statement.sql}\n`;
}

describe('the hand-written statements of the data layer', () => {
  it('are all in the catalogue: no repository defines one the snapshots would miss', async () => {
    // Every statement a repository module exports, also inside records of them (statements made by a helper).
    const isStatement = (value: unknown): value is Statement<unknown> =>
      typeof value === 'object' && value !== null && typeof (value as Statement<unknown>).name === 'string' && typeof (value as Statement<unknown>).sql === 'string' && 'row' in value;
    const statementsIn = (value: unknown, depth = 0): Array<Statement<unknown>> =>
      isStatement(value) ? [value] : depth < 4 && typeof value === 'object' && value !== null ? Object.values(value).flatMap((inner) => statementsIn(inner, depth + 1)) : [];
    const defined = new Set<string>();
    for (const file of readdirSync(REPOSITORIES).filter((name) => name.endsWith('.ts'))) {
      const module = (await import(`../../${REPOSITORIES}/${file}`)) as Record<string, unknown>;
      for (const statement of statementsIn(Object.values(module))) defined.add(statement.name);
      // A statement defined in a file but not exported would escape the check above.
      const literal = [...readFileSync(join(REPOSITORIES, file), 'utf8').matchAll(/defineStatement\(\{\s*name: '([a-z_]+)'/g)].map((match) => match[1]!);
      for (const name of literal) expect(defined.has(name), `${file} defines ${name} without exporting it`).toBe(true);
    }
    expect([...defined].sort()).toEqual(HAND_WRITTEN_STATEMENTS.map((statement) => statement.name).sort());
  });

  it('have unique names', () => {
    const names = HAND_WRITTEN_STATEMENTS.map((statement) => statement.name);
    expect(new Set(names).size).toBe(names.length);
  });

  // Each statement as reviewed SQL: a changed query fails here until its .sql file is updated with it
  // (`npx vitest run test/architecture/statements.test.ts -u`), so the change shows in review as SQL.
  for (const statement of HAND_WRITTEN_STATEMENTS) {
    it(`${statement.name} is what services/shared/db/queries/${statement.name}.sql says`, async () => {
      await expect(snapshotOf(statement)).toMatchFileSnapshot(`../../services/shared/db/queries/${statement.name}.sql`);
    });
  }
});
