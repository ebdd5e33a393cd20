/**
 * Times shown in the listener's chosen time zone (me.timeZone), whatever the browser's own zone is:
 * the API stores and answers UTC instants, people read local days and hours.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(undefined, { timeZone, ...options });
    formatters.set(key, found);
  }
  return found;
}

/** The local calendar date of an instant, as YYYY-MM-DD. */
export function localDate(instant: Date | string, timeZone: string): string {
  const parts = partsOf(new Date(instant), timeZone);
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)}`;
}

/** 14:05, in the zone. */
export function localTime(instant: Date | string, timeZone: string): string {
  return formatter(timeZone, { hour: '2-digit', minute: '2-digit' }).format(new Date(instant));
}

/** Saturday 5 December 2026, for a YYYY-MM-DD date. */
export function longDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return formatter('UTC', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(Date.UTC(year, month - 1, day)));
}

/** Sat 5 Dec, for a YYYY-MM-DD date. */
export function shortDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return formatter('UTC', { weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(Date.UTC(year, month - 1, day)));
}

/** 5 Dec 2026, 14:05, in the zone. */
export function dateTime(instant: Date | string, timeZone: string): string {
  return formatter(timeZone, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(instant));
}

/** The instant a local date starts at in the zone (its midnight, or the first moment after a skipped one). */
export function startOfLocalDate(date: string, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wallClock = Date.UTC(year, month - 1, day);
  // The zone's offset at a guess, then at the instant that gives: the two differ only across a change of
  // offset. The earlier that falls on the date is its start; when neither does, midnight was skipped and
  // the day starts where the change put its clocks forward, the later one.
  const first = wallClock - offsetMs(new Date(wallClock), timeZone);
  const second = wallClock - offsetMs(new Date(first), timeZone);
  const [earlier, later] = first <= second ? [first, second] : [second, first];
  return new Date(localDate(new Date(earlier), timeZone) === date ? earlier : later);
}

/** The date after a YYYY-MM-DD date. */
export function nextDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

/** The local year of an instant in the zone. */
export function localYear(instant: Date | string, timeZone: string): number {
  return partsOf(new Date(instant), timeZone).year;
}

/** The browser's own zone, the default a new listener is given. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every zone the browser knows, UTC first. */
export function knownTimeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...zones.filter((zone) => zone !== 'UTC')];
}

function offsetMs(instant: Date, timeZone: string): number {
  const parts = partsOf(instant, timeZone);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

function partsOf(instant: Date, timeZone: string) {
  const values: Record<string, number> = {};
  const parts = formatter(timeZone, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }).formatToParts(instant);
  for (const part of parts) if (part.type !== 'literal') values[part.type] = Number(part.value);
  return { year: values.year!, month: values.month!, day: values.day!, hour: values.hour! % 24, minute: values.minute!, second: values.second! };
}

const pad = (value: number) => String(value).padStart(2, '0');
