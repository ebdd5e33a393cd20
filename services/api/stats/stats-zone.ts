import { timeZoneOfUser } from '../../features/accounts/data/users.repository.js';
import { checkTimeZone } from '../account/time-zone.js';
import { unauthenticated } from '../app-error.js';
import type { ApiContext } from '../graphql/context.js';

/** The caller and the time zone a statistics query counts in: the one asked for, checked, else their own. */
export async function statsZoneOf(ctx: ApiContext, timeZone: string | null | undefined): Promise<{ userId: string; zone: string }> {
  const session = await ctx.session();
  const zone = timeZone === null || timeZone === undefined ? await timeZoneOfUser(ctx.em, session.userId) : await checkTimeZone(ctx.em, timeZone, 'timeZone');
  if (zone === null) throw unauthenticated(true);
  return { userId: session.userId, zone };
}
