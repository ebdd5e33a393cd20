import { describe, expect, it } from 'vitest';
import { loginSyntheticListener } from '../../scripts/support/synthetic-login.js';
import { graphql, syntheticUserIds } from './listener.js';
import { API_URL, composeOk, inspectService, waitFor } from './stack.js';

describe('docker compose restart api', () => {
  // The emulator once ran in the API's network namespace: restarting the API took the emulator's address away.
  it('brings the API back healthy, and a listener can log in through the emulator again', async () => {
    const before = await inspectService('api');
    await composeOk(['restart', 'api'], 60_000);
    const after = await waitFor('the restarted api to be healthy', 90_000, async () => {
      const state = await inspectService('api');
      return state.State.StartedAt !== before.State.StartedAt && state.State.Health?.Status === 'healthy' ? state : undefined;
    });
    expect(after.State.Status).toBe('running');

    const users = await syntheticUserIds();
    // Another listener than 02's, so the login creates an account through the restarted API.
    const session = await loginSyntheticListener(API_URL, users[1] ?? users[0]!);
    const { listeningHistory } = await graphql<{ listeningHistory: { totalCount: number } }>(session.token, '{ listeningHistory(first: 1) { totalCount } }');
    expect(listeningHistory.totalCount).toBeGreaterThanOrEqual(0);
  });
});
