import { useEffect } from 'react';

/** While `active` (an import or export still being worked on), asks again every `everyMs`: live status without a socket. */
export function useRefreshWhile(active: boolean, refresh: () => void, everyMs = 2000): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(refresh, everyMs);
    return () => clearInterval(timer);
  }, [active, refresh, everyMs]);
}
