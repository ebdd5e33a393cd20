-- poll_record_success (services/features/polling/data/poll-state.repository.ts)
--
-- A poll that ended with an empty last page (otherwise the ingest statement records it): its time, and
-- the failure streak ends; the last error stays for inspection. Most polls of a steady state end so
-- (poll-cycle benchmark), hence one prepared upsert that writes nothing for a user deleted meanwhile.

insert into poll_state (user_id, last_polled_at, last_success_at, consecutive_failures)
select ?::uuid, ?::timestamptz, ?::timestamptz, 0 where exists (select 1 from users where id = ?::uuid)
on conflict (user_id) do update set last_polled_at = excluded.last_polled_at, last_success_at = excluded.last_success_at, consecutive_failures = 0
