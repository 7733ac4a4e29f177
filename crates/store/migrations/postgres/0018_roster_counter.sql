-- The roster's change counter, raised by every write to groups, so that
-- pages built from the whole roster know their version without a query.
INSERT INTO counters (name, value) VALUES ('groups', 1);

CREATE FUNCTION convene_count_groups() RETURNS trigger AS $$
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'groups';
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER groups_counted AFTER INSERT OR UPDATE OR DELETE ON groups
    FOR EACH STATEMENT EXECUTE FUNCTION convene_count_groups();

-- Every instance listening on convene_counters learns of a raised counter
-- when the transaction that raised it commits: "{schema} calendars 42" (the
-- schema, as several sites may share one database).
CREATE FUNCTION convene_announce_counter() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('convene_counters', current_schema() || ' ' || NEW.name || ' ' || NEW.value);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER counters_announced AFTER UPDATE ON counters
    FOR EACH ROW EXECUTE FUNCTION convene_announce_counter();
