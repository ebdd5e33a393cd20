import type { EntityManager } from '@mikro-orm/postgresql';
import { isKnownTimeZone } from '../../features/accounts/data/users.repository.js';
import { badUserInput } from '../app-error.js';

/** What an IANA name can look like: letters, digits, and `/ _ + -` (Europe/Paris, America/Argentina/Buenos_Aires, Etc/GMT+5). */
const SHAPE = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/**
 * A time zone a client names, checked: an IANA name that both JavaScript's and Postgres' time zone
 * databases know exactly (statistics are bucketed by Postgres, shown by clients), else BAD_USER_INPUT
 * quoting the value. Offsets such as "+05:30" are not zones: they know no daylight saving time.
 */
export async function checkTimeZone(em: EntityManager, value: string, argument: string): Promise<string> {
  const refuse = () => badUserInput(`${argument} "${value}" is not an IANA time zone name (such as Europe/Paris, America/New_York or UTC)`, argument);
  if (!SHAPE.test(value)) throw refuse();
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    throw refuse();
  }
  if (!(await isKnownTimeZone(em, value))) throw refuse();
  return value;
}
