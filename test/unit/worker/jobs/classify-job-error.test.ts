import { describe, expect, it } from 'vitest';
import { ExportTooLargeError } from '../../../../services/features/exports/export-too-large.error.js';
import { InvalidPlayError } from '../../../../services/features/plays/ingest-plays.js';
import { ReauthRequiredError } from '../../../../services/features/spotify/reauth-required.error.js';
import { SpotifyError, type SpotifyErrorKind } from '../../../../services/features/spotify/spotify.errors.js';
import { StreamingHistoryRefusedError } from '../../../../services/features/streaming-history/read-streaming-history.js';
import { TokenCipherError } from '../../../../services/shared/crypto/token-cipher.js';
import { classifyJobError } from '../../../../services/worker/jobs/classify-job-error.js';

const settings = { quotaPauseMs: 3_600_000 };
const classify = (error: unknown) => classifyJobError(error, settings);
const spotify = (kind: SpotifyErrorKind, details: ConstructorParameters<typeof SpotifyError>[2] = {}) => new SpotifyError(kind, `Spotify answered (${kind})`, details);

/** The retry policy of docs/pipeline.md, one failure at a time. */
describe('what a worker does about a failed job', () => {
  it('retries what may work later: Spotify unavailable, slow, unreachable or garbled', () => {
    for (const kind of ['server_error', 'timeout', 'network', 'malformed_response'] as const) {
      expect(classify(spotify(kind)), kind).toEqual({ action: 'retry', message: `Spotify answered (${kind})` });
    }
  });

  it('pauses every Spotify call for Retry-After on a rate limit, at least a second, five when Spotify gives none', () => {
    expect(classify(spotify('rate_limited', { retryAfterMs: 12_000 }))).toMatchObject({ action: 'pause', pauseMs: 12_000, quota: false });
    expect(classify(spotify('rate_limited', { retryAfterMs: 0 }))).toMatchObject({ pauseMs: 1_000 });
    expect(classify(spotify('rate_limited'))).toMatchObject({ pauseMs: 5_000 });
    expect(classify(spotify('rate_limited', { retryAfterMs: 12_000 })).message).toMatch(/^Spotify rate limit: every Spotify call of the app paused for 12 s/);
  });

  it('pauses for the quota no longer than WORKER_QUOTA_PAUSE_SECONDS, and asks the operator for more quota', () => {
    const day = classify(spotify('quota_exceeded', { retryAfterMs: 86_400_000 }));
    expect(day).toMatchObject({ action: 'pause', pauseMs: settings.quotaPauseMs, quota: true });
    expect(day.message).toMatch(/paused for 3600 s\. Ask Spotify for more quota or poll less often \(POLL_INTERVAL_SECONDS\)/);
    expect(classify(spotify('quota_exceeded', { retryAfterMs: 90_000 }))).toMatchObject({ pauseMs: 90_000 });
    expect(classify(spotify('quota_exceeded'))).toMatchObject({ pauseMs: settings.quotaPauseMs });
  });

  it('asks the listener to log in again when Spotify refuses their tokens or scope, without retrying', () => {
    for (const kind of ['invalid_grant', 'unauthorized', 'forbidden'] as const) {
      const decision = classify(spotify(kind));
      expect(decision.action, kind).toBe('reauth');
      expect(decision.message).toMatch(/^The user must log in again/);
    }
    expect(classify(spotify('forbidden')).message).toMatch(/to grant Playlog access to their listening history/);
    expect(classify(new ReauthRequiredError('no stored credentials'))).toEqual({ action: 'reauth', message: 'no stored credentials' });
  });

  it('gives up at once where only the operator can help, naming what to fix', () => {
    expect(classify(spotify('invalid_client'))).toMatchObject({ action: 'give_up', message: expect.stringMatching(/check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET, then retry this job/) as string });
    expect(classify(new TokenCipherError('encrypted token uses key "old", which is not configured in TOKEN_ENCRYPTION_KEYS'))).toMatchObject({
      action: 'give_up',
      message: expect.stringMatching(/^Cannot decrypt the user's stored Spotify tokens \(.*\); check TOKEN_ENCRYPTION_KEYS, then retry this job\.$/) as string,
    });
  });

  it('gives up at once on input another attempt would read the same: a bad play, a refused streaming history, a personal export past its cap', () => {
    expect(classify(new InvalidPlayError('played_at is in the future'))).toEqual({ action: 'give_up', message: 'Spotify sent a play Playlog cannot store: played_at is in the future' });
    expect(classify(new StreamingHistoryRefusedError('The file is not a readable zip.'))).toEqual({ action: 'give_up', message: 'The file is not a readable zip.' });
    expect(classify(new ExportTooLargeError(1_000))).toMatchObject({ action: 'give_up', message: expect.stringContaining('EXPORT_MAX_USER_BYTES') as string });
    for (const kind of ['not_found', 'bad_request', 'access_denied'] as const) {
      expect(classify(spotify(kind)), kind).toEqual({ action: 'give_up', message: `Spotify refused the request (${kind}): Spotify answered (${kind})` });
    }
  });

  it('retries anything else, naming the likely culprit for the operator', () => {
    const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
    expect(classify(withCode('terminating connection due to administrator command', '57P01'))).toEqual({ action: 'retry', message: 'Postgres error: terminating connection due to administrator command' });
    expect(classify(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toMatchObject({ message: 'Postgres error: connect ECONNREFUSED 127.0.0.1:5432' });
    expect(classify(new Error('Reached the max retries per request limit (which is 20). Refer to "maxRetriesPerRequest" option for details (ioredis).'))).toMatchObject({ message: expect.stringMatching(/^Redis error: /) as string });
    expect(classify(withCode('socket hang up', 'ECONNRESET'))).toEqual({ action: 'retry', message: 'Connection error: socket hang up' });
    expect(classify(new TypeError("Cannot read properties of undefined (reading 'id')"))).toEqual({ action: 'retry', message: "Unexpected error: Cannot read properties of undefined (reading 'id')" });
    expect(classify('a string was thrown')).toEqual({ action: 'retry', message: 'Unexpected error: a string was thrown' });
  });

  it('writes no token into the failure an operator reads, wherever the error carries one', () => {
    const token = 'BQAccessToken0123456789';
    const cause = { config: { headers: { Authorization: `Bearer ${token}` } }, body: { access_token: token } };
    for (const kind of ['server_error', 'rate_limited', 'quota_exceeded', 'invalid_grant', 'forbidden', 'invalid_client', 'not_found'] as const) {
      expect(JSON.stringify(classify(spotify(kind, { cause, status: 500, endpoint: 'POST /api/token' }))), kind).not.toContain(token);
    }
    expect(JSON.stringify(classify(Object.assign(new Error('refresh failed'), { response: cause })))).not.toContain(token);
  });
});
