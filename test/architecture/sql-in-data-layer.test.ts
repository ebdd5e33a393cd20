import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * All SQL lives in the data layer: the platform's `services/shared/db/` (connections, statements,
 * migrations) and each feature's `data/` folder (`services/features/<feature>/data/`: its entities,
 * repositories and hand-written statements). Route handlers, resolvers, jobs, scripts and crypto call
 * repository functions; they never hold SQL, nor reach for a database connection themselves. Tests and the
 * benchmarks' baselines (which measure SQL against Playlog's own statements) are not application code and
 * are not checked.
 */
const DATA_LAYER = 'services/shared/db/ or a feature’s data/ folder';
const inDataLayer = (file: string) => file.startsWith('services/shared/db/') || /^services\/features\/[^/]+\/data\//.test(file);
const CHECKED = ['services', 'scripts'];

/** What SQL looks like in a string: a statement's opening words in their order. */
const SQL_PATTERNS: Array<[string, RegExp]> = [
  // A table after `from`, an optional alias, then what follows a table in SQL (not in a sentence).
  ['select … from', /\bselect\b[\s\S]{1,400}?\bfrom\s+"?[a-z_][\w.]*"?(\s+(as\s+)?[a-z_]\w*)?\s*(\b(where|join|left|inner|order|group|limit|for)\b|,|;|\)|$)/i],
  ['insert into', /\binsert\s+into\b/i],
  ['update … set', /\bupdate\s+"?[a-z_]+"?\s+set\b/i],
  ['delete from', /\bdelete\s+from\b/i],
  ['DDL', /\b(create|alter|drop)\s+(table|index|role|database|schema|extension)\b/i],
  ['for update', /\bfor\s+update\b(\s+skip\s+locked)?\s*$/im],
];

/** Ways to talk to Postgres other than through the data layer's functions. */
const CONNECTION_PATTERNS: Array<[string, RegExp]> = [
  ['getConnection()', /\.getConnection\(\)/],
  ['getKnex()', /\.getKnex\(\)/],
  ['createQueryBuilder()', /\.createQueryBuilder\(/],
  ['em.execute / raw SQL', /\bem\.execute\(|\.raw\(/],
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : filesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every string and template literal of a file, with its line (comments are not strings, so they may say anything). */
function literals(path: string): Array<{ line: number; text: string }> {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Array<{ line: number; text: string }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      found.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text });
    } else if (ts.isTemplateExpression(node)) {
      const text = [node.head.text, ...node.templateSpans.map((span) => ` ? ${span.literal.text}`)].join('');
      found.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Imports of a database driver or query builder. */
function driverImports(path: string): string[] {
  return [...readFileSync(path, 'utf8').matchAll(/^import [^;]*from '(pg|knex|pg-copy-streams)'/gm)].map((match) => match[1]!);
}

export function sqlOutsideDataLayer(root: string): string[] {
  const findings: string[] = [];
  for (const dir of CHECKED) {
    for (const path of filesUnder(join(root, dir))) {
      const file = relative(root, path);
      if (inDataLayer(file)) continue;
      for (const literal of literals(path)) {
        for (const [what, pattern] of SQL_PATTERNS) {
          if (pattern.test(literal.text)) findings.push(`${file}:${literal.line}: SQL (${what}) in a string: ${literal.text.trim().slice(0, 80)}`);
        }
      }
      const code = readFileSync(path, 'utf8');
      for (const [what, pattern] of CONNECTION_PATTERNS) {
        if (pattern.test(code)) findings.push(`${file}: ${what}: talk to Postgres through a repository of ${DATA_LAYER}`);
      }
      for (const driver of driverImports(path)) findings.push(`${file}: imports ${driver}: talk to Postgres through a repository of ${DATA_LAYER}`);
    }
  }
  return findings;
}

describe('the data layer', () => {
  it('holds every SQL statement: none in route handlers, resolvers, jobs, scripts or crypto', () => {
    expect(sqlOutsideDataLayer(process.cwd())).toEqual([]);
  });

  it('is what the check looks in: it finds SQL, connections and drivers wherever else they are', () => {
    const findings = sqlOutsideDataLayer(join(process.cwd(), 'test/architecture/fixtures'));
    expect(findings).toEqual([
      expect.stringMatching(/^services\/api\/bad\.resolver\.ts:\d+: SQL \(select … from\)/),
      expect.stringMatching(/^services\/api\/bad\.resolver\.ts: getConnection\(\)/),
      expect.stringMatching(/^scripts\/bad-script\.ts:\d+: SQL \(update … set\)/),
      expect.stringMatching(/^scripts\/bad-script\.ts: imports pg/),
    ]);
  });
});
