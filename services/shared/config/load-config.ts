import { z } from 'zod';

/** Raised when the environment does not describe a runnable service; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export type EnvShape = Record<string, z.ZodType>;

/**
 * Reads and validates the variables a service declares, once, at start-up.
 * Empty strings count as unset, so `FOO=` in a .env file falls back to the default.
 */
export function loadConfig<S extends EnvShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<z.infer<z.ZodObject<S>>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    input[key] = value === undefined || value.trim() === '' ? undefined : value;
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const received = input[name] === undefined ? 'is missing' : 'is invalid';
      return `${name} ${received}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  return Object.freeze(result.data);
}
