import { TokenCipherError } from '../../shared/crypto/token-cipher.js';
import { ExportTooLargeError } from '../../features/exports/export-too-large.error.js';
import { StreamingHistoryRefusedError } from '../../features/streaming-history/read-streaming-history.js';
import { InvalidPlayError } from '../../features/plays/ingest-plays.js';
import { ReauthRequiredError } from '../../features/spotify/reauth-required.error.js';
import { SpotifyError } from '../../features/spotify/spotify.errors.js';

/**
 * What a worker does about a failed job, whatever its queue (docs/pipeline.md, "Retry policy"):
 * - pause: Spotify's 429 (rolling limit or quota): every Spotify call of the app waits `pauseMs`; what
 *   becomes of the job is its queue's `onSpotifyPause` (back to the queue without using an attempt, or a
 *   retry with backoff);
 * - retry: the attempt fails; BullMQ retries with jittered exponential backoff until attempts run out,
 *   then the job stays in the failed set (the dead-letter queue);
 * - reauth: the user is marked reauth_required and the job fails at once (no retries);
 * - give_up: the job fails at once (no retries): only a fix elsewhere (configuration) can help,
 *   after which the operator retries it from the dead-letter queue; or the job's input cannot be
 *   processed at all (an upload that is not a streaming history).
 * `message` is what the operator reads as the job's failedReason: what happened, in words, no secrets.
 */
export type JobErrorDecision =
  | { action: 'pause'; pauseMs: number; quota: boolean; message: string }
  | { action: 'retry'; message: string }
  | { action: 'reauth'; message: string }
  | { action: 'give_up'; message: string };

export function classifyJobError(error: unknown, settings: { quotaPauseMs: number }): JobErrorDecision {
  if (error instanceof ReauthRequiredError) return { action: 'reauth', message: error.message };
  if (error instanceof SpotifyError) return classifySpotifyError(error, settings);
  if (error instanceof TokenCipherError) {
    return { action: 'give_up', message: `Cannot decrypt the user's stored Spotify tokens (${error.message}); check TOKEN_ENCRYPTION_KEYS, then retry this job.` };
  }
  if (error instanceof InvalidPlayError) return { action: 'give_up', message: `Spotify sent a play Playlog cannot store: ${error.message}` };
  // The uploaded file itself is the problem: another attempt would read the same bytes.
  if (error instanceof StreamingHistoryRefusedError) return { action: 'give_up', message: error.message };
  // A personal export past the bytes one listener may keep: another attempt would write the same bytes.
  if (error instanceof ExportTooLargeError) return { action: 'give_up', message: error.message };
  // Postgres or Redis unavailable, a deadlock, anything unexpected: worth another attempt.
  const message = error instanceof Error ? error.message : String(error);
  return { action: 'retry', message: `${describeInfrastructure(error)}: ${message}` };
}

function classifySpotifyError(error: SpotifyError, settings: { quotaPauseMs: number }): JobErrorDecision {
  switch (error.kind) {
    case 'rate_limited': {
      const pauseMs = Math.max(1_000, error.retryAfterMs ?? 5_000);
      return { action: 'pause', pauseMs, quota: false, message: `Spotify rate limit: every Spotify call of the app paused for ${Math.ceil(pauseMs / 1000)} s (${error.message})` };
    }
    case 'quota_exceeded': {
      const pauseMs = Math.max(1_000, Math.min(error.retryAfterMs ?? settings.quotaPauseMs, settings.quotaPauseMs));
      return {
        action: 'pause',
        pauseMs,
        quota: true,
        message: `Spotify says this app's request quota is exhausted: every Spotify call of the app paused for ${Math.ceil(pauseMs / 1000)} s. Ask Spotify for more quota or poll less often (POLL_INTERVAL_SECONDS). (${error.message})`,
      };
    }
    case 'server_error':
    case 'timeout':
    case 'network':
    case 'malformed_response':
      return { action: 'retry', message: error.message };
    case 'invalid_grant':
    case 'unauthorized':
      return { action: 'reauth', message: `The user must log in again: ${error.message}` };
    case 'forbidden':
      return { action: 'reauth', message: `The user must log in again to grant Playlog access to their listening history: ${error.message}` };
    case 'invalid_client':
      return { action: 'give_up', message: `Spotify rejected the app's credentials: check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET, then retry this job. (${error.message})` };
    default:
      return { action: 'give_up', message: `Spotify refused the request (${error.kind}): ${error.message}` };
  }
}

/** Names the likely culprit of a non-Spotify failure from the error's shape (pg and ioredis errors). */
function describeInfrastructure(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const text = error instanceof Error ? `${error.name} ${error.message}` : '';
  if (/^(08|57P|53)/.test(code) || /postgres|database|relation|ECONNREFUSED.*5432/i.test(text)) return 'Postgres error';
  if (/redis|ioredis/i.test(text)) return 'Redis error';
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN/.test(`${code} ${text}`)) return 'Connection error';
  return 'Unexpected error';
}
