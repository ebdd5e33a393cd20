import type { EmulatorState } from './emulator-state.js';

/** Revokes a user's refresh tokens (as when they remove the app's access); counted as injected faults. */
export function revokeRefreshTokens(state: EmulatorState, userId: string): number {
  const revoked = state.tokens.revokeUser(userId);
  for (let i = 0; i < revoked; i++) state.stats.countFault('refresh_revoked');
  return revoked;
}

/** Makes a user's live access tokens expired now; counted as injected faults. */
export function expireAccessTokens(state: EmulatorState, userId: string): number {
  const expired = state.tokens.expireAccessTokens(userId);
  for (let i = 0; i < expired; i++) state.stats.countFault('forced_expiry');
  return expired;
}
