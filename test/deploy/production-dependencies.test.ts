import { execFile } from 'node:child_process';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT, dockerfileStage, read } from './deploy-files.js';

/**
 * The image installs `npm ci --omit=dev` and runs the services compiled (tsconfig.build.json): a package the
 * runtime loads must be a production dependency, or the image fails at start-up, or at the first request that
 * reaches the import, while every test (which has devDependencies installed) passes. And the compilers stay out.
 */

const { dependencies = {}, devDependencies = {} } = JSON.parse(read('package.json')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
const COMPILERS = ['typescript', 'tsx', 'esbuild'];

/** The files the image runs: what `npm run build` compiles (services/**, without the web app and tests). */
function runtimeSources(): string[] {
  const configFile = ts.readConfigFile(join(ROOT, 'tsconfig.build.json'), (path) => ts.sys.readFile(path));
  if (configFile.error) throw new Error(ts.flattenDiagnosticMessageText(configFile.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT).fileNames.map((file) => relative(ROOT, file));
}

interface RuntimeImport {
  file: string;
  line: number;
  specifier: string;
}

const stringArgument = (call: ts.CallExpression): string | undefined => {
  const first = call.arguments[0];
  return first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) ? first.text : undefined;
};

/**
 * Every module a file loads at run time: static imports and re-exports (`import type`/`export type` are
 * erased, verbatimModuleSyntax), `import('x')`, and `require('x')`/`require.resolve('x')` through a function
 * made by createRequire (`const load = createRequire(import.meta.url); load('x')`).
 */
function runtimeImportsOf(file: string): RuntimeImport[] {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
  const found: RuntimeImport[] = [];
  const add = (node: ts.Node, specifier: string) => found.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, specifier });
  const requireFunctions = new Set<string>();
  const isCreateRequire = (node: ts.Expression) => ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'createRequire';
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) add(node, node.moduleSpecifier.text);
    if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) add(node, node.moduleSpecifier.text);
    if (ts.isImportEqualsDeclaration(node) && !node.isTypeOnly && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node, node.moduleReference.expression.text);
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && isCreateRequire(node.initializer)) requireFunctions.add(node.name.text);
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const specifier = stringArgument(node);
      const isRequire =
        (ts.isIdentifier(callee) && requireFunctions.has(callee.text)) ||
        (ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve' && ts.isIdentifier(callee.expression) && requireFunctions.has(callee.expression.text)) ||
        isCreateRequire(callee);
      if (specifier !== undefined && (callee.kind === ts.SyntaxKind.ImportKeyword || isRequire)) add(node, specifier);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const BUILTINS = new Set(builtinModules);
/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined for relative paths and builtins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || specifier.startsWith('#')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return BUILTINS.has(name) ? undefined : name;
}

describe('the runtime’s packages', () => {
  const sources = runtimeSources();

  it('are found in the files the image runs, so the check below checks something', () => {
    expect(sources).toContain('services/cli/main.ts');
    expect(sources.some((file) => file.startsWith('services/web/') || file.endsWith('.test.ts'))).toBe(false);
    const packages = new Set(sources.flatMap(runtimeImportsOf).map((entry) => packageOf(entry.specifier)));
    // A static import, a createRequire load and a package imported only by the lake's COPY.
    for (const name of ['pino', 'graphql-query-complexity', 'pg-copy-streams']) expect(packages, name).toContain(name);
  });

  it('are each a production dependency (package.json dependencies), which `npm ci --omit=dev` installs', () => {
    const problems: string[] = [];
    for (const { file, line, specifier } of sources.flatMap(runtimeImportsOf)) {
      const name = packageOf(specifier);
      if (name === undefined || name in dependencies) continue;
      const where = name in devDependencies ? 'a devDependency, which the image does not install' : 'in no dependency list of package.json';
      problems.push(`${file}:${line} imports '${specifier}': package ${name} is ${where}`);
    }
    expect(problems).toEqual([]);
  });

  it('leave the compilers to development: TypeScript, tsx and esbuild are no production dependency', () => {
    expect(COMPILERS.filter((name) => name in dependencies)).toEqual([]);
    // The checkout still needs them: tests, `npm run build` and scripts/playlog run the sources through tsx.
    expect(['typescript', 'tsx'].filter((name) => !(name in devDependencies))).toEqual([]);
  });
});

interface NpmTreeNode {
  version?: string;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dependencies?: Record<string, NpmTreeNode>;
}

/** `npm ls --omit=dev --all`: the tree `npm ci --omit=dev` installs, from the lockfile. */
function productionTree(): Promise<NpmTreeNode> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['ls', '--omit=dev', '--all', '--json', '--long'], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024, timeout: 110_000 }, (error, stdout, stderr) => {
      // npm ls exits 1 on a tree it finds odd (an unmet optional peer) while still printing it.
      try {
        resolve(JSON.parse(stdout) as NpmTreeNode);
      } catch {
        reject(error ?? new Error(`npm ls printed no JSON: ${stderr}`));
      }
    });
  });
}

describe('the image’s node_modules (npm ci --omit=dev)', () => {
  it('holds no compiler: no tsx or esbuild at all, and TypeScript only as an optional peer the Dockerfile deletes', { timeout: 120_000 }, async () => {
    const tree = await productionTree();
    const found: string[] = [];
    const optionalPeers: string[] = [];
    const walk = (node: NpmTreeNode, path: string[]) => {
      for (const [name, child] of Object.entries(node.dependencies ?? {})) {
        const at = [...path, `${name}@${child.version ?? '?'}`];
        if (COMPILERS.includes(name) || name.startsWith('@esbuild/')) {
          // bull-board's valibot names TypeScript as an optional peer, for its types only; npm installs it anyway.
          if (name === 'typescript' && node.peerDependenciesMeta?.typescript?.optional === true) optionalPeers.push(at.join(' > '));
          else found.push(at.join(' > '));
        }
        walk(child, at);
      }
    };
    walk(tree, []);
    // Each compiler once, by the first path that pulls it in.
    const byPackage = new Map(found.map((path) => [path.split(' > ').at(-1)!, path]));
    expect([...byPackage.values()]).toEqual([]);
    if (optionalPeers.length > 0) {
      expect(dockerfileStage('deps'), `TypeScript is installed as ${optionalPeers.join(', ')}: the deps stage must delete it`).toMatch(/rm -rf node_modules\/typescript\b/);
    }
  });
});
