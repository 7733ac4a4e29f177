-- The comments' change counter, raised by every write to a comment and by
-- every change of the name a comment is shown under, so that a post's
-- comments are kept in memory until one of them changes. Keep in step with
-- ../postgres/0021_comments_counter.sql.
INSERT INTO counters (name, value) VALUES ('comments', 1);

CREATE TRIGGER comments_counted_insert AFTER INSERT ON comments
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'comments';
END;

CREATE TRIGGER comments_counted_update AFTER UPDATE ON comments
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'comments';
END;

CREATE TRIGGER comments_counted_delete AFTER DELETE ON comments
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'comments';
END;

CREATE TRIGGER comments_counted_author AFTER UPDATE OF display_name ON users
WHEN OLD.display_name <> NEW.display_name
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'comments';
END;
