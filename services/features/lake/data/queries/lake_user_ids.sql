-- lake_user_ids (services/features/lake/data/lake.repository.ts)
--
-- Every user id, for the pseudonyms the lake writes in their place (keyed hashes are computed in Node,
-- where the key is).

select "id"::text as "id" from "users" order by "id"
