-- Daily digests: each digest of a list, the messages it gathers (a message
-- is in one digest at most), and one delivery row per digest and member,
-- written before anything is sent, so a run that stops half way resumes
-- with the members still queued. A member's digest starts with the
-- messages that came after they chose digests (digest_since).
-- Keep in step with ../postgres/0009_list_digests.sql.

ALTER TABLE list_members ADD COLUMN digest_since TEXT;

CREATE TABLE list_digests (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    volume INTEGER NOT NULL,
    issue INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_list_digests_day ON list_digests (list_id, day);
CREATE UNIQUE INDEX ux_list_digests_issue ON list_digests (list_id, volume, issue);

CREATE TABLE list_digest_messages (
    digest_id INTEGER NOT NULL REFERENCES list_digests (id) ON DELETE CASCADE,
    message_id INTEGER NOT NULL REFERENCES list_messages (id) ON DELETE CASCADE,
    PRIMARY KEY (digest_id, message_id)
);
CREATE UNIQUE INDEX ux_list_digest_messages_message ON list_digest_messages (message_id);

CREATE TABLE list_digest_deliveries (
    digest_id INTEGER NOT NULL REFERENCES list_digests (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES list_members (id) ON DELETE CASCADE,
    since TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'skipped')),
    attempts INTEGER NOT NULL,
    last_error TEXT,
    sent_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (digest_id, member_id)
);
CREATE INDEX ix_list_digest_deliveries_member ON list_digest_deliveries (member_id, state);
