import { badUserInput } from '../app-error.js';

/** Earliest and latest instants a filter may name: what both Postgres and JavaScript dates represent. */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** A client's instant bound (from/to), within years 1 to 9999, else BAD_USER_INPUT naming the argument. */
export function checkInstant(value: Date | null | undefined, argument: string): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const ms = value.getTime();
  if (Number.isNaN(ms) || ms < EARLIEST || ms > LATEST) throw badUserInput(`${argument} must be a date-time between years 1 and 9999`, argument);
  return value;
}

/** A range's bounds, checked: `from` inclusive before `to` exclusive. */
export function checkRange(range: { from?: Date | null; to?: Date | null }, names = { from: 'from', to: 'to' }): { from?: Date; to?: Date } {
  const from = checkInstant(range.from, names.from);
  const to = checkInstant(range.to, names.to);
  if (from && to && from.getTime() >= to.getTime()) throw badUserInput(`${names.from} must be before ${names.to} (from is inclusive, to exclusive)`, names.from);
  return { from, to };
}
