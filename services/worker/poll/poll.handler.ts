import type { PollJobData } from '../../shared/jobs/job-registry.js';
import { recordPollFailure } from '../../features/polling/data/poll-state.repository.js';
import { markReauthRequired } from '../../features/accounts/data/users.repository.js';
import type { JobHandler } from '../jobs/queue-worker.js';
import { pollUser, type PollOutcome, type PollUserDeps } from './poll-user.job.js';

/**
 * Poll jobs: one `pollUser` each. A failed attempt is written to the user's poll_state (the operator's
 * view of a user's polling health); a user who must log in again is marked reauth_required, which
 * stops the scheduler from polling them until they do.
 */
export function pollHandler(deps: PollUserDeps): JobHandler<PollJobData, PollOutcome> {
  return {
    logFields: (data) => ({ userId: data.userId }),
    run: (data, em, log) => pollUser(deps, em, data.userId, log),
    report(outcome, data) {
      const fields = { pollReason: data.reason, ...outcome };
      if (outcome.status === 'nothing_to_do') return { level: 'info', message: `nothing to do: ${outcome.reason.replace(/_/g, ' ')}`, fields };
      if (outcome.reauthSoon) return { level: 'warn', message: `polled; the user must log in again by ${outcome.reauthBy} (Spotify refresh tokens expire)`, fields };
      return { level: 'info', message: `polled: ${outcome.fetched} fetched, ${outcome.new} new`, fields };
    },
    async afterFailure({ data, em, decision, message }) {
      await recordPollFailure(em, data.userId, new Date(), message);
      if (decision.action !== 'reauth') return;
      const statusChanged = await markReauthRequired(em, data.userId);
      return { message: `user marked reauth_required: ${message}`, fields: { statusChanged } };
    },
  };
}
