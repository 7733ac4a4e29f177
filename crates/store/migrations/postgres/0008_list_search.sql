-- Full-text search of list archives: a stored, generated tsvector over each
-- message's subject (weight A), writer (B) and text (C), with a GIN index.
-- Subject and text use the 'english' configuration, so "venues" finds
-- "venue" as SQLite's Porter stemmer does; the writer's name and address
-- use 'simple', since names are not English words to stem. Adding the
-- column computes it for the messages already stored. Keep in step with
-- ../sqlite/0008_list_search.sql.

ALTER TABLE list_messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', subject), 'A')
    || setweight(to_tsvector('simple', from_name || ' ' || from_email), 'B')
    || setweight(to_tsvector('english', body_text), 'C')
) STORED;

CREATE INDEX ix_list_messages_search ON list_messages USING GIN (search_vector);

-- The newest messages of a list (the archive's front page, its feed) in
-- index order, instead of sorting every message of the list.
CREATE INDEX ix_list_messages_recent ON list_messages (list_id, state, sent_at);
