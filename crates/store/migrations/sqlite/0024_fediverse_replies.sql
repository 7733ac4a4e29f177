-- Replies from the fediverse become comments (written by a remote actor
-- instead of an account), likes and boosts of our objects are counted,
-- reports (Flag) are kept for coordinators, and coordinators block remote
-- actors or whole domains. Keep in step with
-- ../postgres/0024_fediverse_replies.sql.

-- SQLite cannot drop NOT NULL in place: the comments table is rebuilt
-- (nothing refers to it), with its indexes and change-counter triggers.
CREATE TABLE comments_with_remote (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    reports INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    moderated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    moderated_at TEXT,
    body_html TEXT,
    remote_actor TEXT REFERENCES ap_remote_actors (id) ON DELETE CASCADE,
    remote_id TEXT,
    CHECK ((user_id IS NULL) <> (remote_actor IS NULL))
);
INSERT INTO comments_with_remote
    (id, post_id, user_id, body, state, reports, created_at, moderated_by, moderated_at, body_html)
    SELECT id, post_id, user_id, body, state, reports, created_at, moderated_by, moderated_at, body_html
    FROM comments;
DROP TABLE comments;
ALTER TABLE comments_with_remote RENAME TO comments;
CREATE INDEX ix_comments_post ON comments (post_id, state, id);
CREATE INDEX ix_comments_state ON comments (state, id);
CREATE INDEX ix_comments_user ON comments (user_id, state);
CREATE UNIQUE INDEX ux_comments_remote ON comments (remote_id);

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

UPDATE counters SET value = value + 1 WHERE name = 'comments';

CREATE TABLE ap_reactions (
    object TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('Like', 'Announce')),
    actor TEXT NOT NULL REFERENCES ap_remote_actors (id) ON DELETE CASCADE,
    activity_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (object, kind, actor)
);

CREATE TABLE ap_flags (
    id INTEGER PRIMARY KEY,
    actor TEXT NOT NULL,
    objects TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE ap_blocks (
    target TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('actor', 'domain')),
    reason TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
