import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import type { z } from 'zod';

/**
 * Reads what the deployment files (Dockerfile, entrypoint, docker-compose.yml, the Helm chart, the
 * Tiltfile) run and set, and what the code reads, so test/deploy can check that they agree.
 */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
export const exists = (path: string) => existsSync(join(ROOT, path));

/** The Kubernetes version the chart is rendered for (the oldest it supports; scripts/chart-check.sh validates against it). */
export const KUBE_VERSION = '1.30.0';

// --- the image ------------------------------------------------------------------------------

/** The image's entrypoint, /usr/local/bin/playlog: `npm run playlog` in a checkout. */
export const LAUNCHER = 'scripts/playlog';

/**
 * Command name -> source file it runs, from the registry of the one program (services/cli/commands.ts:
 * `{ name: 'api', ..., run: () => import('../api/main.js') }`).
 */
export function playlogCommands(): Map<string, string> {
  const commands = new Map<string, string>();
  for (const match of read('services/cli/commands.ts').matchAll(/\{\s*name:\s*'([a-z][a-z-]*)'[^\n]*?run:\s*\(\)\s*=>\s*import\('([^']+)'\)/g)) {
    commands.set(match[1]!, join('services/cli', match[2]!).replace(/\.js$/, '.ts'));
  }
  return commands;
}

/** Variables the launcher itself reads (PLAYLOG_HOME, PLAYLOG_WATCH, WORKER_MAX_OLD_SPACE_MB, MALLOC_ARENA_MAX). */
export function launcherVariables(): Set<string> {
  const code = read(LAUNCHER)
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  return new Set([...code.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
}

/** package.json script -> the playlog command it runs, for scripts of the form `sh scripts/playlog <command>`. */
export function packageScripts(): Map<string, string> {
  const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  const commands = new Map<string, string>();
  for (const [name, command] of Object.entries(scripts)) {
    const match = new RegExp(`^sh ${LAUNCHER} ([a-z][a-z-]*)$`).exec(command);
    if (match) commands.set(name, match[1]!);
  }
  return commands;
}

/** Stage names of the Dockerfile (`FROM ... AS name`). */
export function dockerfileStages(): string[] {
  return [...read('Dockerfile').matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]!);
}

/** One stage of the Dockerfile: its FROM line and instructions, up to the next FROM. */
export function dockerfileStage(name: string): string {
  const stages = read('Dockerfile').split(/^(?=FROM\s)/m);
  const stage = stages.find((text) => new RegExp(`^FROM\\s+\\S+\\s+AS\\s+${name}\\s*$`, 'im').test(text.split('\n')[0]!));
  if (!stage) throw new Error(`the Dockerfile has no stage ${name} (${dockerfileStages().join(', ')})`);
  return stage;
}

// --- what the code reads --------------------------------------------------------------------

export interface ServiceEnv {
  /** Every variable the service's configuration declares (it ignores others). */
  reads: Set<string>;
  /** Variables without a default: the service refuses to start without them. */
  required: Set<string>;
  /** The schema of each variable its configuration declares. */
  schemas: Map<string, z.ZodType>;
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return tsFilesUnder(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Source files of the service whose entry file this is: its whole folder, or just the file for shared entries (migrate) and tasks. */
function serviceFiles(entry: string): string[] {
  const match = /^services\/([^/]+)\/main\.ts$/.exec(entry);
  return match && match[1] !== 'shared' && match[1] !== 'cli' ? tsFilesUnder(`services/${match[1]}`) : [entry];
}

/**
 * The variables a command reads, from the configuration sections it composes: every `...someEnv`
 * spread in its files names an exported `someEnv` shape, imported here so that keys and defaults
 * come from the real zod schemas, not from a copy. A single variable picked from a section
 * (`DATABASE_URL: databaseEnv.DATABASE_URL`) counts as read too, and no other of that section.
 * A secret may also come from a file (`<NAME>_FILE`, load-config.ts): that variable is read as well.
 * A command that loads no configuration at all (generate-key) reads nothing but what runService does.
 */
export async function serviceEnv(entry: string): Promise<ServiceEnv> {
  const files = serviceFiles(entry);
  const sections = new Set(files.flatMap((file) => [...read(file).matchAll(/\.\.\.(\w+Env)\b(?!\s*\()/g)].map((m) => m[1]!)));
  const picks = files.flatMap((file) => [...read(file).matchAll(/\b(\w+Env)\.([A-Z][A-Z0-9_]*)\b/g)].map((m) => ({ section: m[1]!, name: m[2]! })));
  const loadsConfiguration = files.some((file) => /\bload\w*Config\(/.test(read(file)));
  if (sections.size === 0 && loadsConfiguration) throw new Error(`${entry}: found no configuration section (...someEnv) in ${files.join(', ')}`);
  const candidates = tsFilesUnder('services');
  const shapeOf = async (section: string): Promise<Record<string, z.ZodType>> => {
    const file = candidates.find((path) => new RegExp(`export const ${section}\\s*=`).test(read(path)));
    if (!file) throw new Error(`${entry}: configuration section ${section} is exported by no file under services/`);
    const module = (await import(pathToFileURL(join(ROOT, file)).href)) as Record<string, Record<string, z.ZodType>>;
    return module[section]!;
  };
  const reads = new Set<string>();
  const required = new Set<string>();
  const schemas = new Map<string, z.ZodType>();
  const add = (name: string, schema: z.ZodType) => {
    reads.add(name);
    schemas.set(name, schema);
    if (schema.meta()?.sensitive === true) reads.add(`${name}_FILE`);
    if (!schema.safeParse(undefined).success) required.add(name);
  };
  for (const section of sections) {
    for (const [name, schema] of Object.entries(await shapeOf(section))) add(name, schema);
  }
  for (const { section, name } of picks) {
    const schema = (await shapeOf(section))[name];
    if (!schema) throw new Error(`${entry}: ${section}.${name} is not a variable of ${section}`);
    add(name, schema);
  }
  // Direct reads outside the schemas (run-service reads LOG_LEVEL itself, for instance).
  for (const file of [...files, ...tsFilesUnder('services/shared')]) {
    for (const match of read(file).matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) reads.add(match[1]!);
  }
  return { reads, required, schemas };
}

// --- docker-compose.yml -----------------------------------------------------------------------

export interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  profiles?: string[];
  network_mode?: string;
  restart?: string;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  mem_limit?: string;
  healthcheck?: { test: string[] };
}

/** docker-compose.yml with YAML merge keys resolved, as Compose reads it (before interpolation). */
export function composeServices(): Record<string, ComposeService> {
  const doc = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  return doc.services;
}

/**
 * A value of docker-compose.yml as Compose interpolates it (`${NAME:-default}`, nested ones too) for the given
 * variables (unset ones take their default; a variable set to empty does too, as `:-` says).
 */
export function interpolate(value: string, variables: Record<string, string> = {}): string {
  // The innermost `${...}` first (its default holds no other), until none is left.
  const innermost = /\$\{([A-Z_][A-Z0-9_]*)(?::-([^${}]*))?\}/;
  let text = value;
  while (innermost.test(text)) text = text.replace(innermost, (_, name: string, fallback: string | undefined) => variables[name] || (fallback ?? ''));
  return text;
}

// --- the Helm chart ---------------------------------------------------------------------------

/** Where helm is: $HELM, the copy scripts/chart-check.sh installs, or PATH; undefined when none. */
export function findHelm(): string | undefined {
  if (process.env.HELM) return process.env.HELM;
  if (exists('.tools/bin/helm')) return join(ROOT, '.tools/bin/helm');
  try {
    execFileSync('helm', ['version', '--short'], { stdio: 'ignore' });
    return 'helm';
  } catch {
    return undefined;
  }
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** `helm template` of a chart, as objects (the hooks included, as Tilt applies them). */
export function renderChart(helm: string, chart: string, release: string, valuesFiles: string[] = []): K8sObject[] {
  const args = ['template', release, join(ROOT, chart), '--kube-version', KUBE_VERSION, ...valuesFiles.flatMap((file) => ['-f', join(ROOT, file)])];
  const output = execFileSync(helm, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(output)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null);
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } };
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  resources?: { limits?: { memory?: string } };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
}

/** The pod template of a workload (Deployment, StatefulSet, Job, CronJob), or undefined for other kinds. */
export function podSpecOf(obj: K8sObject): PodSpec | undefined {
  const spec = obj.spec as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking untyped YAML
  if (!spec) return undefined;
  if (obj.kind === 'CronJob') return spec.jobTemplate?.spec?.template?.spec as PodSpec | undefined;
  if (['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(obj.kind)) return spec.template?.spec as PodSpec | undefined;
  return undefined;
}

// --- the Tiltfile -----------------------------------------------------------------------------

export interface TiltCall {
  fn: string;
  /** The raw text between the call's parentheses. */
  body: string;
}

/** Top-level calls of the Tiltfile (comments removed), with their argument text. */
export function tiltCalls(): TiltCall[] {
  const text = read('Tiltfile')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');
  const calls: TiltCall[] = [];
  for (const match of text.matchAll(/^([a-z0-9_]+)\(/gm)) {
    let depth = 0;
    let end = match.index + match[0].length - 1;
    for (; end < text.length; end++) {
      if (text[end] === '(') depth++;
      if (text[end] === ')' && --depth === 0) break;
    }
    calls.push({ fn: match[1]!, body: text.slice(match.index + match[0].length, end) });
  }
  return calls;
}

/** Quoted strings of a keyword argument's list (`objects=['a', 'b']`), or of the whole text. */
export function quotedStrings(text: string): string[] {
  return [...text.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2]!);
}

export function keywordList(body: string, keyword: string): string[] {
  const match = new RegExp(`${keyword}=\\[([^\\]]*)\\]`).exec(body);
  return match ? quotedStrings(match[1]!) : [];
}

export function keywordString(body: string, keyword: string): string | undefined {
  return new RegExp(`${keyword}=['"]([^'"]*)['"]`).exec(body)?.[1];
}

export const repoPath = (absolute: string) => relative(ROOT, absolute);
