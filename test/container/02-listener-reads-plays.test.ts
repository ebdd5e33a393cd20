import { describe, expect, it } from 'vitest';
import { loginSyntheticListener } from '../../scripts/support/synthetic-login.js';
import { syntheticUserIds, waitForPlays } from './listener.js';
import { API_URL } from './stack.js';

describe('a synthetic listener', () => {
  it('logs in through the emulator and reads their plays over GraphQL', async () => {
    const [userId] = await syntheticUserIds();
    expect(userId).toBeDefined();
    const session = await loginSyntheticListener(API_URL, userId!);
    expect(session.token).not.toBe('');

    const history = await waitForPlays(session.token);
    expect(history.edges.length).toBeGreaterThan(0);
    expect(history.edges.length).toBeLessThanOrEqual(Math.min(5, history.totalCount));
    for (const { node } of history.edges) {
      expect(Number.isNaN(Date.parse(node.playedAt)), node.playedAt).toBe(false);
      expect(node.track.name).not.toBe('');
    }
  });
});
