import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';

declare module 'zod' {
  interface GlobalMeta {
    /** The variable holds a secret: docs never print its value, logs never show it. */
    sensitive?: boolean;
    /** With NODE_ENV=production: why the parsed value is refused there (a public development secret), or null. */
    inProduction?: (value: never) => string | null;
  }
}

/** Raised when the environment does not describe a runnable service; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export type EnvShape = Record<string, z.ZodType>;

/** Names of every variable declared sensitive by a section defined with `defineEnv` (log redaction reads them). */
const sensitiveNames = new Set<string>();

/**
 * Declares a section of environment variables. Each variable's schema carries its description, and
 * `sensitive: true` when it holds a secret (see `sensitive`): the README's table is generated from these
 * (with "Sensitive." and never a value for secrets), and the logger redacts sensitive variables by name.
 */
export function defineEnv<S extends EnvShape>(shape: S): S {
  for (const [name, schema] of Object.entries(shape)) {
    if (schema.meta()?.sensitive) sensitiveNames.add(name);
  }
  return shape;
}

/** A variable that holds a secret, with its description, and what production refuses of it. */
export function sensitive<T extends z.ZodType>(schema: T, description: string, rules: { inProduction?: (value: z.output<T>) => string | null } = {}): T {
  return schema.meta({ description, sensitive: true, ...(rules.inProduction && { inProduction: rules.inProduction as (value: never) => string | null }) });
}

export function isSensitiveVariable(name: string): boolean {
  return sensitiveNames.has(name);
}

/** Whether a variable's schema says it holds a secret. */
export function isSensitiveSchema(schema: z.ZodType): boolean {
  return schema.meta()?.sensitive === true;
}

let processEnvironment: NodeJS.ProcessEnv | undefined;

/**
 * The environment a service reads its configuration from: `process.env`, and in development also the
 * `.env` file of the working directory when there is one (what a newcomer expects after
 * `cp .env.example .env`). A variable set in the environment wins over the file. Production (and tests,
 * which set their own) read the environment only. Read once per process.
 */
export function environment(): NodeJS.ProcessEnv {
  if (processEnvironment) return processEnvironment;
  const mode = process.env.NODE_ENV ?? 'development';
  const file = join(process.cwd(), '.env');
  processEnvironment = mode === 'development' && existsSync(file) ? { ...parseEnv(readFileSync(file, 'utf8')), ...process.env } : process.env;
  return processEnvironment;
}

/**
 * Reads and validates the variables a service declares, once, at start-up.
 * Empty strings count as unset, so `FOO=` in a .env file falls back to the default.
 * A secret may instead come from a file named by `<NAME>_FILE` (Docker and Kubernetes secrets, a key the
 * compose stack generates): used when `<NAME>` itself is unset, its content without the final newline.
 */
export function loadConfig<S extends EnvShape>(shape: S, env: NodeJS.ProcessEnv = environment()): Readonly<z.infer<z.ZodObject<S>>> {
  const input: Record<string, string | undefined> = {};
  const fileProblems: string[] = [];
  for (const [key, schema] of Object.entries(shape)) {
    const value = env[key];
    input[key] = value === undefined || value.trim() === '' ? undefined : value;
    const file = env[`${key}_FILE`]?.trim();
    if (input[key] !== undefined || !file || !isSensitiveSchema(schema)) continue;
    try {
      input[key] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      fileProblems.push(`${key}_FILE is invalid: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }
  if (fileProblems.length > 0) throw new ConfigError(fileProblems);
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const received = input[name] === undefined ? 'is missing' : 'is invalid';
      return `${name} ${received}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const data = result.data as Record<string, unknown>;
  if ((data.NODE_ENV ?? env.NODE_ENV) === 'production') {
    const refused = Object.entries(shape).flatMap(([key, schema]) => {
      const why = data[key] === undefined ? null : schema.meta()?.inProduction?.(data[key] as never);
      return why ? [`${key} is invalid: ${why}`] : [];
    });
    if (refused.length > 0) throw new ConfigError(refused);
  }
  return Object.freeze(result.data);
}
