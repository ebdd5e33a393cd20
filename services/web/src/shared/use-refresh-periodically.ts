import { useEffect } from 'react';

/**
 * Asks again every `everyMs` while the page is shown, and at once when the listener comes back to it (the
 * window regains focus, the tab is shown again): something that changes outside the app, kept current
 * without a socket. Coming back fires both events: the second, moments after the first, is not sent.
 */
export function useRefreshPeriodically(refresh: () => void, everyMs: number): void {
  useEffect(() => {
    let last = 0;
    const ask = () => {
      if (document.visibilityState !== 'visible' || Date.now() - last < RETURN_DEBOUNCE_MS) return;
      last = Date.now();
      refresh();
    };
    const timer = setInterval(ask, everyMs);
    window.addEventListener('focus', ask);
    document.addEventListener('visibilitychange', ask);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', ask);
      document.removeEventListener('visibilitychange', ask);
    };
  }, [refresh, everyMs]);
}

const RETURN_DEBOUNCE_MS = 1000;
