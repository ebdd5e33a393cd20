import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { revokeSession } from '../../shared/db/repositories/sessions.repository.js';
import { loadUser } from '../account/load-user.js';
import type { ApiContext } from '../graphql/context.js';
import { LoginStart } from './login-start.type.js';
import { Session } from './session.type.js';

@Resolver()
export class AuthResolver {
  @Mutation(() => LoginStart, { description: 'Starts a Spotify login (authorization code + PKCE). Needs no session.' })
  startSpotifyLogin(@Ctx() ctx: ApiContext): Promise<LoginStart> {
    return ctx.services.login.start('graphql');
  }

  @Mutation(() => Session, {
    description:
      'Completes a login started with startSpotifyLogin, with what Spotify’s redirect carried: code and state, or error and state. ' +
      'Needs no session. Fails with LOGIN_STATE_INVALID, SPOTIFY_LOGIN_DENIED, SPOTIFY_LOGIN_FAILED or SPOTIFY_UNAVAILABLE, storing nothing.',
  })
  async completeSpotifyLogin(
    @Arg('state', () => String) state: string,
    @Arg('code', () => String, { nullable: true, description: 'The code parameter of Spotify’s redirect.' }) code: string | null,
    @Arg('error', () => String, { nullable: true, description: 'The error parameter of Spotify’s redirect, when there was one instead of a code.' })
    error: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<Session> {
    const session = await ctx.services.login.complete('graphql', { state, code, error });
    return { token: session.token, expiresAt: session.expiresAt, user: await loadUser(ctx, session.userId) };
  }

  @Mutation(() => Boolean, { description: 'Revokes the current session (and clears the session cookie).' })
  async logout(@Ctx() ctx: ApiContext): Promise<boolean> {
    const session = await ctx.session();
    await revokeSession(ctx.em, session.sessionId);
    ctx.services.sessionCookie.clear(ctx.res);
    ctx.logger.info({ userId: session.userId }, 'session revoked (logout)');
    return true;
  }
}
