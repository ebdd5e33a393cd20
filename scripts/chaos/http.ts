import { spawn } from 'node:child_process';
import { PLAYLOG } from '../support/playlog.js';

/** Small HTTP and process helpers of the chaos run. */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every half second until it holds; throws after `timeoutMs`. Errors count as "not yet" (a restart in progress). */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // Postgres or Redis still coming back
    }
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

export async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

export async function send(method: string, url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** Runs `playlog <command>` to its end (e.g. the migrations), failing with its output. */
export function runToEnd(root: string, env: NodeJS.ProcessEnv, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [PLAYLOG, command], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`playlog ${command} failed: ${output.trim()}`))));
  });
}
