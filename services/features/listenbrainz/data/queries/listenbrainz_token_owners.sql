-- listenbrainz_token_owners (services/features/listenbrainz/data/api-tokens.repository.ts)
--
-- Whose API tokens these are, by their hashes (the unique index), with each listener’s name and status
-- and when the token was last used: every ListenBrainz request starts with it, and the API looks up
-- the tokens of the requests that arrive together at once (one round trip for them all); no entity is
-- built.

select t.token_hash, t.id as token_id, t.last_used_at, u.id as user_id, u.spotify_user_id, u.status
  from api_tokens t join users u on u.id = t.user_id
 where t.token_hash = any(?::text[])
