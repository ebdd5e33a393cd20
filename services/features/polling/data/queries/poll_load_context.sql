-- poll_load_context (services/features/polling/data/poll-state.repository.ts)
--
-- The start of every poll (one per user per interval, measured by the poll-cycle benchmark): the
-- user’s status, encrypted tokens, cursor and last success in one prepared select, where three reads
-- by the same id would cost two more round trips.

select u.status, sc.user_id is not null as has_credentials,
       sc.access_token_encrypted, sc.refresh_token_encrypted, sc.access_token_expires_at, sc.scopes, sc.authorized_at,
       ps.after_cursor_ms, ps.last_success_at
  from users u
  left join spotify_credentials sc on sc.user_id = u.id
  left join poll_state ps on ps.user_id = u.id
 where u.id = ?
