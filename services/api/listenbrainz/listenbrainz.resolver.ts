import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { apiTokensOf, createApiToken, revokeApiToken, TooManyApiTokensError } from '../../features/listenbrainz/data/api-tokens.repository.js';
import type { ApiToken as ApiTokenRow } from '../../features/listenbrainz/data/api-token.entity.js';
import { AppError, badUserInput } from '../app-error.js';
import type { ApiContext } from '../graphql/context.js';
import { ApiToken, CreateApiTokenInput, CreateApiTokenPayload, NowPlaying, RevokeApiTokenInput, RevokeApiTokenPayload } from './api-token.type.js';

const MAX_NAME_LENGTH = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toApiToken = (row: ApiTokenRow): ApiToken => ({ id: row.id, name: row.name, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt });

/** The caller's API tokens for their players, and what those players say is playing now (docs/listenbrainz.md). */
@Resolver()
export class ListenBrainzResolver {
  @Query(() => [ApiToken], { description: 'The caller’s API tokens, newest first (never the tokens themselves).' })
  async apiTokens(@Ctx() ctx: ApiContext): Promise<ApiToken[]> {
    const session = await ctx.session();
    return (await apiTokensOf(ctx.em, session.userId)).map(toApiToken);
  }

  @Query(() => NowPlaying, { nullable: true, description: 'What one of the caller’s players says is playing now; null when none does.' })
  async nowPlaying(@Ctx() ctx: ApiContext): Promise<NowPlaying | null> {
    const session = await ctx.session();
    const playing = await ctx.services.nowPlaying.get(session.userId);
    return playing && { ...playing, startedAt: new Date(playing.startedAt), endsAt: new Date(playing.endsAt) };
  }

  @Mutation(() => CreateApiTokenPayload, {
    description: 'Makes an API token for one of the caller’s music players (ListenBrainz API). The token is in this answer only: Playlog keeps its hash. At most 25 per listener.',
  })
  async createApiToken(@Arg('input', () => CreateApiTokenInput, { description: 'The token’s name.' }) input: CreateApiTokenInput, @Ctx() ctx: ApiContext): Promise<CreateApiTokenPayload> {
    const session = await ctx.session();
    const name = input.name.trim();
    if (name.length === 0 || name.length > MAX_NAME_LENGTH || /\p{Cc}/u.test(name)) {
      throw badUserInput(`name must be 1 to ${MAX_NAME_LENGTH} characters, without control characters.`, 'name');
    }
    try {
      const { token, row } = await createApiToken(ctx.em, session.userId, name);
      ctx.logger.info({ userId: session.userId, apiTokenId: row.id }, 'API token created');
      return { clientMutationId: input.clientMutationId ?? null, token, apiToken: toApiToken(row) };
    } catch (error) {
      if (error instanceof TooManyApiTokensError) throw new AppError('BAD_USER_INPUT', error.message);
      throw error;
    }
  }

  @Mutation(() => RevokeApiTokenPayload, { description: 'Revokes one of the caller’s API tokens: players using it are refused from the next request on. Revoking it again changes nothing.' })
  async revokeApiToken(@Arg('input', () => RevokeApiTokenInput, { description: 'Which token.' }) input: RevokeApiTokenInput, @Ctx() ctx: ApiContext): Promise<RevokeApiTokenPayload> {
    const session = await ctx.session();
    if (!UUID.test(input.id)) throw badUserInput('id is not the id of an API token.', 'id');
    const revoked = await revokeApiToken(ctx.em, session.userId, input.id);
    if (revoked) ctx.logger.info({ userId: session.userId, apiTokenId: input.id }, 'API token revoked');
    return { clientMutationId: input.clientMutationId ?? null, revokedApiTokenId: revoked ? input.id : null };
  }
}
