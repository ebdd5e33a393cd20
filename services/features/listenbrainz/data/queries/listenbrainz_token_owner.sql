-- listenbrainz_token_owner (services/features/listenbrainz/data/api-tokens.repository.ts)
--
-- Whose API token this is, by its hash (the unique index), with the listener’s name and status and
-- when the token was last used: every ListenBrainz request starts with it, so it is one round trip and
-- no entity is built.

select t.id as token_id, t.last_used_at, u.id as user_id, u.spotify_user_id, u.status
  from api_tokens t join users u on u.id = t.user_id
 where t.token_hash = ?
