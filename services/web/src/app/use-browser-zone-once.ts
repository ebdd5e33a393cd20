import { useEffect } from 'react';
import { useMutation } from 'urql';
import { UpdateTimeZoneDocument } from '../graphql/generated.js';
import { browserTimeZone } from '../shared/zoned-time.js';
import type { Me } from './session.js';

const KEY = 'playlog.zone-defaulted';

/**
 * A new listener's time zone defaults to the browser's: the first time this browser sees an account that
 * is still on the API's default (UTC), it sets the browser's zone once. The Account page changes it later.
 */
export function useBrowserZoneOnce(me: Me | null): void {
  const [, updateTimeZone] = useMutation(UpdateTimeZoneDocument);
  useEffect(() => {
    if (!me) return;
    const done = new Set((localStorage.getItem(KEY) ?? '').split(',').filter(Boolean));
    if (done.has(me.id)) return;
    done.add(me.id);
    localStorage.setItem(KEY, [...done].join(','));
    const zone = browserTimeZone();
    if (me.timeZone === 'UTC' && zone !== 'UTC') void updateTimeZone({ timeZone: zone });
  }, [me, updateTimeZone]);
}
