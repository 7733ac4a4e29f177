-- The comments' change counter, raised by every write to a comment and by
-- every change of the name a comment is shown under, so that a post's
-- comments are kept in memory until one of them changes. Keep in step with
-- ../sqlite/0021_comments_counter.sql.
INSERT INTO counters (name, value) VALUES ('comments', 1);

CREATE FUNCTION convene_count_comments() RETURNS trigger AS $$
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'comments';
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER comments_counted AFTER INSERT OR UPDATE OR DELETE ON comments
    FOR EACH STATEMENT EXECUTE FUNCTION convene_count_comments();

CREATE TRIGGER comments_counted_author AFTER UPDATE OF display_name ON users
    FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
    EXECUTE FUNCTION convene_count_comments();
