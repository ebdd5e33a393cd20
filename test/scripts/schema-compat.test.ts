import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSchemas } from '../../scripts/schema/breaking-changes.js';

const RELEASED = `
  type Query {
    me: User!
    history(first: Int): [Play!]!
    old: String @deprecated(reason: "use me")
    legacy: Legacy @deprecated(reason: "gone soon")
  }
  type User { id: ID! name: String status: Status! }
  type Play { id: ID! playedAt: String! }
  type Legacy { x: Int }
  enum Status { ACTIVE DISABLED GONE @deprecated(reason: "never set") }
  input Filter { from: String, to: String @deprecated(reason: "use until") }
  type Mutation { sync(input: Filter, mode: String @deprecated(reason: "ignored")): Boolean }
`;

/** The released schema with one edit. */
const edited = (from: string, to: string) => {
  if (!RELEASED.includes(from)) throw new Error(`fixture lacks ${from}`);
  return RELEASED.replace(from, to);
};

describe('the schema compatibility check', () => {
  it('accepts additions and the removal of what the release deprecated, with the type only it led to', () => {
    const next = edited('old: String @deprecated(reason: "use me")\n    legacy: Legacy @deprecated(reason: "gone soon")', 'added(limit: Int): Int')
      .replace('type Legacy { x: Int }', '')
      .replace(' GONE @deprecated(reason: "never set")', '')
      .replace(', to: String @deprecated(reason: "use until")', ', until: String')
      .replace(', mode: String @deprecated(reason: "ignored")', '')
      .replace('name: String', 'name: String nickname: String');
    expect(compareSchemas(RELEASED, next).breaking).toEqual([]);
  });

  it.each([
    ['a field removed without deprecation', edited('name: String ', ''), /FIELD_REMOVED: User.name/],
    ['a field renamed', edited('playedAt: String!', 'endedAt: String!'), /FIELD_REMOVED: Play.playedAt/],
    ['a field made nullable', edited('me: User!', 'me: User'), /FIELD_CHANGED_KIND: Query.me/],
    ['a field retyped', edited('playedAt: String!', 'playedAt: Int!'), /FIELD_CHANGED_KIND: Play.playedAt/],
    ['a required argument added', edited('history(first: Int)', 'history(first: Int, userId: ID!)'), /REQUIRED_ARG_ADDED/],
    ['an argument removed', edited('history(first: Int)', 'history'), /ARG_REMOVED/],
    ['an enum value removed', edited('ACTIVE DISABLED', 'ACTIVE'), /VALUE_REMOVED_FROM_ENUM/],
    ['an input field made required', edited('from: String,', 'from: String!,'), /FIELD_CHANGED_KIND|REQUIRED_INPUT_FIELD_ADDED/],
    ['a type removed that undeprecated fields used', edited('me: User!', 'me: String!').replace('type User { id: ID! name: String status: Status! }', ''), /TYPE_REMOVED: User/],
  ])('refuses %s', (_name, next, expected) => {
    const { breaking } = compareSchemas(RELEASED, next);
    expect(breaking.join('\n')).toMatch(expected);
  });

  describe('npm run schema:compat', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'playlog-schema-compat-'));
      await writeFile(join(dir, 'released.graphql'), RELEASED);
      await writeFile(join(dir, 'broken.graphql'), edited('name: String ', ''));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', 'scripts/schema-compat.ts', ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });

    it('passes schema.graphql against the released schema of the repository', async () => {
      const result = await run([]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('keeps every promise of the released schema');
    });

    it('exits 1 naming each breaking change and what to do instead', async () => {
      const result = await run(['--released', join(dir, 'released.graphql'), '--current', join(dir, 'broken.graphql')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('FIELD_REMOVED: User.name was removed.');
      expect(result.stderr).toContain('@deprecated(reason:');
    });
  });
});
