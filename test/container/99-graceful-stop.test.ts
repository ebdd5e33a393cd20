import { describe, expect, it } from 'vitest';
import { APP_SERVICES, composeOk, inspectService } from './stack.js';

/** The line each service logs when its graceful shutdown has finished (services/<service>/main.ts). */
const STOPPED: Record<(typeof APP_SERVICES)[number], { name: string; stopped: string }> = {
  api: { name: 'api', stopped: 'API stopped' },
  worker: { name: 'worker', stopped: 'worker stopped' },
  scheduler: { name: 'scheduler', stopped: 'scheduler stopped' },
  'spotify-emulator': { name: 'spotify-emulator', stopped: 'Spotify emulator stopped' },
};

/** Docker's default when a service sets no stop_grace_period. */
const DEFAULT_GRACE_MS = 10_000;

/** A compose duration (Go's syntax: 45s, 1m30s, 500ms) in milliseconds; unset is Docker's default. */
function graceMs(period: string | undefined): number {
  if (period === undefined) return DEFAULT_GRACE_MS;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001, ns: 0.000_001 };
  const parts = [...period.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)];
  if (parts.length === 0 || parts.map(([part]) => part).join('') !== period) throw new Error(`unexpected stop_grace_period ${period}`);
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * units[unit!]!, 0);
}

/** The messages of a service's JSON log lines since a moment, and its plain lines (runService writes those to stderr). */
async function logSince(service: string, since: Date): Promise<{ messages: string[]; lines: string[] }> {
  const lines = (await composeOk(['logs', '--no-color', '--no-log-prefix', '--since', since.toISOString(), service])).split('\n');
  const messages = lines.flatMap((line) => {
    if (!line.startsWith('{')) return [];
    return [(JSON.parse(line) as { msg?: string }).msg ?? ''];
  });
  return { messages, lines };
}

// Last: it stops the stack the other files use.
describe('docker compose stop', () => {
  it('stops every service with exit code 0 within its grace period, each app service logging that it stopped', async () => {
    const config = JSON.parse(await composeOk(['config', '--format', 'json'])) as { services: Record<string, { stop_grace_period?: string }> };
    const startedAt = new Date();
    await composeOk(['stop'], 120_000);
    const tookMs = Date.now() - startedAt.getTime();
    console.log(`docker compose stop took ${(tookMs / 1000).toFixed(1)} s`);

    for (const service of Object.keys(config.services)) {
      const { State } = await inspectService(service);
      const grace = graceMs(config.services[service]!.stop_grace_period);
      expect({ service, status: State.Status, exitCode: State.ExitCode }).toEqual({ service, status: 'exited', exitCode: 0 });
      // keys and migrate exited long before; the others within their grace (a SIGKILL would also show as 137).
      expect(Date.parse(State.FinishedAt) - startedAt.getTime(), `${service} stopped after its ${grace} ms grace`).toBeLessThan(grace);
    }

    for (const service of APP_SERVICES) {
      const { name, stopped } = STOPPED[service];
      const log = await logSince(service, startedAt);
      expect(log.lines, `${service} got no SIGTERM`).toContain(`${name}: SIGTERM received, shutting down`);
      expect(log.messages, `${service} did not log "${stopped}"`).toContain(stopped);
    }
  });
});
