-- Full-text search of list archives: an FTS5 index over each message's
-- subject, writer and text, with the Porter stemmer so "venues" finds
-- "venue". It holds no copy of the text (external content: it reads
-- list_messages), is kept in step by triggers, and is filled from the
-- messages already stored. Keep in step with ../postgres/0008_list_search.sql.

CREATE VIRTUAL TABLE list_messages_fts USING fts5(
    subject,
    from_name,
    from_email,
    body_text,
    content = 'list_messages',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER list_messages_fts_insert AFTER INSERT ON list_messages BEGIN
    INSERT INTO list_messages_fts (rowid, subject, from_name, from_email, body_text)
    VALUES (new.id, new.subject, new.from_name, new.from_email, new.body_text);
END;

CREATE TRIGGER list_messages_fts_delete AFTER DELETE ON list_messages BEGIN
    INSERT INTO list_messages_fts (list_messages_fts, rowid, subject, from_name, from_email, body_text)
    VALUES ('delete', old.id, old.subject, old.from_name, old.from_email, old.body_text);
END;

CREATE TRIGGER list_messages_fts_update AFTER UPDATE OF subject, from_name, from_email, body_text ON list_messages BEGIN
    INSERT INTO list_messages_fts (list_messages_fts, rowid, subject, from_name, from_email, body_text)
    VALUES ('delete', old.id, old.subject, old.from_name, old.from_email, old.body_text);
    INSERT INTO list_messages_fts (rowid, subject, from_name, from_email, body_text)
    VALUES (new.id, new.subject, new.from_name, new.from_email, new.body_text);
END;

INSERT INTO list_messages_fts (list_messages_fts) VALUES ('rebuild');

-- The newest messages of a list (the archive's front page, its feed) in
-- index order, instead of sorting every message of the list.
CREATE INDEX ix_list_messages_recent ON list_messages (list_id, state, sent_at);
