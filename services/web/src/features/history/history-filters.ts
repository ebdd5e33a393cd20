import { nextDate, startOfLocalDate } from '../../shared/zoned-time.js';

/** The history's filters, kept in the page's address so that a filtered history can be bookmarked and shared. */
export interface HistoryFilters {
  /** Local dates (YYYY-MM-DD) in the listener's zone, both included. */
  from: string | null;
  to: string | null;
  trackId: string | null;
  albumId: string | null;
  artistId: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function readFilters(params: URLSearchParams): HistoryFilters {
  const date = (name: string) => {
    const value = params.get(name);
    return value && DATE.test(value) ? value : null;
  };
  return { from: date('from'), to: date('to'), trackId: params.get('track'), albumId: params.get('album'), artistId: params.get('artist') };
}

/** The connection's arguments: local dates become the instants their days start at in the zone. */
export function filterVariables(filters: HistoryFilters, timeZone: string) {
  return {
    from: filters.from ? startOfLocalDate(filters.from, timeZone).toISOString() : null,
    to: filters.to ? startOfLocalDate(nextDate(filters.to), timeZone).toISOString() : null,
    trackId: filters.trackId,
    albumId: filters.albumId,
    artistId: filters.artistId,
  };
}

/** The page's address with one filter changed (null removes it). */
export function withFilter(params: URLSearchParams, name: 'from' | 'to' | 'track' | 'album' | 'artist', value: string | null): string {
  const next = new URLSearchParams(params);
  if (value === null) next.delete(name);
  else next.set(name, value);
  const text = next.toString();
  return text ? `?${text}` : '?';
}
