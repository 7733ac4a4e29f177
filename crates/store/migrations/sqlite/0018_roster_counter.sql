-- The roster's change counter, raised by every write to groups, so that
-- pages built from the whole roster know their version without a query.
INSERT INTO counters (name, value) VALUES ('groups', 1);

CREATE TRIGGER groups_counted_insert AFTER INSERT ON groups
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'groups';
END;

CREATE TRIGGER groups_counted_update AFTER UPDATE ON groups
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'groups';
END;

CREATE TRIGGER groups_counted_delete AFTER DELETE ON groups
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'groups';
END;
