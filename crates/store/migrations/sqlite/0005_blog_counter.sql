-- The blog's feeds are revalidated against a change counter that every
-- write to a post raises in its own transaction (as the calendars' counter
-- does), so a 304 costs one primary-key lookup.
-- Keep in step with ../postgres/0005_blog_counter.sql.

INSERT INTO counters (name, value) VALUES ('posts', 1);
