-- A number on each list that changes whenever its archive does (a message
-- accepted, approved, taken back or removed), so pages built from the
-- whole archive (the months and their counts) are kept until it changes.
-- A trigger keeps it, so every way a message is stored counts. Keep in
-- step with ../sqlite/0010_list_archive_version.sql.

ALTER TABLE lists ADD COLUMN archive_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION list_archive_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.state = 'accepted' THEN
            UPDATE lists SET archive_version = archive_version + 1 WHERE id = NEW.list_id;
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF OLD.state <> NEW.state AND (OLD.state = 'accepted' OR NEW.state = 'accepted') THEN
            UPDATE lists SET archive_version = archive_version + 1 WHERE id = NEW.list_id;
        END IF;
        RETURN NEW;
    ELSE
        IF OLD.state = 'accepted' THEN
            UPDATE lists SET archive_version = archive_version + 1 WHERE id = OLD.list_id;
        END IF;
        RETURN OLD;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tr_list_archive AFTER INSERT OR UPDATE OF state OR DELETE ON list_messages
FOR EACH ROW EXECUTE FUNCTION list_archive_changed();
