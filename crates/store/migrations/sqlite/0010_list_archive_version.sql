-- A number on each list that changes whenever its archive does (a message
-- accepted, approved, taken back or removed), so pages built from the
-- whole archive (the months and their counts) are kept until it changes.
-- Triggers keep it, so every way a message is stored counts. Keep in step
-- with ../postgres/0010_list_archive_version.sql.

ALTER TABLE lists ADD COLUMN archive_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER tr_list_archive_insert AFTER INSERT ON list_messages
WHEN NEW.state = 'accepted'
BEGIN
    UPDATE lists SET archive_version = archive_version + 1 WHERE id = NEW.list_id;
END;

CREATE TRIGGER tr_list_archive_state AFTER UPDATE OF state ON list_messages
WHEN OLD.state <> NEW.state AND (OLD.state = 'accepted' OR NEW.state = 'accepted')
BEGIN
    UPDATE lists SET archive_version = archive_version + 1 WHERE id = NEW.list_id;
END;

CREATE TRIGGER tr_list_archive_delete AFTER DELETE ON list_messages
WHEN OLD.state = 'accepted'
BEGIN
    UPDATE lists SET archive_version = archive_version + 1 WHERE id = OLD.list_id;
END;
