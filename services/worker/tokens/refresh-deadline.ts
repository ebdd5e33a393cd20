const DAY_MS = 86_400_000;

export interface RefreshDeadline {
  /** When the user's Spotify refresh token stops working: authorisation + lifetime. */
  at: Date;
  /** Whole days left (negative once passed). */
  daysLeft: number;
  /** Within the warning window (or past the deadline): the user should log in again. */
  warn: boolean;
}

/**
 * Spotify refresh tokens die a fixed time after the user authorised the app, whatever the refreshes in
 * between (since 2026). Knowing the deadline lets the worker warn ahead and explain the failure after.
 */
export function refreshDeadline(authorizedAt: Date, now: number, settings: { lifetimeDays: number; warningDays: number }): RefreshDeadline {
  const at = new Date(authorizedAt.getTime() + settings.lifetimeDays * DAY_MS);
  const msLeft = at.getTime() - now;
  return { at, daysLeft: Math.floor(msLeft / DAY_MS), warn: msLeft <= settings.warningDays * DAY_MS };
}
