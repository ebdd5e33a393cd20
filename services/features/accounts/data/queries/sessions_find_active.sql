-- sessions_find_active (services/features/accounts/data/sessions.repository.ts)
--
-- The session a token hash opens, with its user’s status, when neither expired nor revoked. Every
-- authenticated request runs it (the history benchmark measures it with each page), so it is one
-- prepared, indexed select.

select s.id, s.user_id, u.status, s.expires_at
  from sessions s join users u on u.id = s.user_id
 where s.token_hash = ? and s.revoked_at is null and s.expires_at > now()
