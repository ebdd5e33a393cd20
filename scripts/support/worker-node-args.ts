import { readFileSync } from 'node:fs';

export const WORKER_ENTRY = 'services/worker/main.ts';

/**
 * The node flags of `npm run start:worker`, with their `${VAR:-default}` expanded from the worker's environment:
 * every benchmarked worker starts exactly as deployed (test/deploy checks that the image starts it the same way).
 */
export function startWorkerNodeArgs(env: Record<string, string | undefined>): string[] {
  const script = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts['start:worker'] ?? '';
  const flags = /^node ((?:--[a-z-]+=\S+ )*)--import tsx (\S+)$/.exec(script);
  if (!flags || flags[2] !== WORKER_ENTRY) throw new Error(`package.json start:worker is not "node [--flag=value ...] --import tsx ${WORKER_ENTRY}": ${script}`);
  return flags[1]!
    .split(' ')
    .filter(Boolean)
    .map((flag) => flag.replace(/\$\{([A-Z0-9_]+):-([^}]*)\}/g, (_, name: string, fallback: string) => env[name] || fallback));
}
