import { describe, expect, it } from 'vitest';
import { serviceStatuses } from './stack.js';

describe('docker compose --profile demo up --wait', () => {
  it('leaves every service healthy or running, and the one-shot keys and migrate exited 0', async () => {
    const statuses = await serviceStatuses();
    const byService = Object.fromEntries(statuses.map((status) => [status.Service, { state: status.State, health: status.Health, exitCode: status.ExitCode }]));
    const healthy = { state: 'running', health: 'healthy', exitCode: 0 };
    expect(byService).toEqual({
      api: healthy,
      worker: healthy,
      'spotify-emulator': healthy,
      postgres: healthy,
      redis: healthy,
      // No healthcheck: a loop that enqueues polls, nothing to probe.
      scheduler: { state: 'running', health: '', exitCode: 0 },
      keys: { state: 'exited', health: '', exitCode: 0 },
      migrate: { state: 'exited', health: '', exitCode: 0 },
    });
  });
});
