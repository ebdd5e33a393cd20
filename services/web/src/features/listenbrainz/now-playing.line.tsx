import { useCallback, useEffect } from 'react';
import { useQuery } from 'urql';
import { NowPlayingDocument } from '../../graphql/generated.js';
import { useRefreshPeriodically } from '../../shared/use-refresh-periodically.js';

const REFRESH_MS = 30_000;
// Asked again a moment after the track ends, so that the API's copy has expired by then too.
const AFTER_END_MS = 1000;

/**
 * "Now playing" at the top of the history while one of the listener's players says a track is playing (a
 * ListenBrainz playing_now). Asked for periodically and whenever the listener comes back to the page, and
 * again when the track ends, so that the line goes with it.
 */
export function NowPlayingLine() {
  const [result, reexecute] = useQuery({ query: NowPlayingDocument, requestPolicy: 'network-only' });
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefreshPeriodically(refresh, REFRESH_MS);

  const playing = result.data?.nowPlaying ?? null;
  const endsAt = playing?.endsAt ?? null;
  useEffect(() => {
    if (endsAt === null) return;
    const timer = setTimeout(refresh, Math.max(0, Date.parse(endsAt) - Date.now()) + AFTER_END_MS);
    return () => clearTimeout(timer);
  }, [endsAt, refresh]);

  // Always in the page, empty when nothing plays: a live region announces what appears in it. An error
  // leaves it empty too: it is an extra, and the history below it says when the API cannot be reached.
  return (
    <p className="now-playing" role="status" data-testid="now-playing">
      {playing && (
        <>
          Now playing: <strong>{playing.trackName}</strong> — {playing.artistName}
          {playing.client && <span className="quiet"> · on {playing.client}</span>}
        </>
      )}
    </p>
  );
}
