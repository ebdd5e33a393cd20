-- A name as search compares it: without accents, in lower case (docs/search.md). unaccent with its dictionary
-- named is immutable in effect, which the trigram indexes on names need; the extension lives in schema public.
create or replace function "playlog_search_key"("name" text) returns text
  language sql immutable parallel safe strict as $$
    select lower(public.unaccent('public.unaccent'::regdictionary, "name"))
  $$;
