-- Replies from the fediverse become comments (written by a remote actor
-- instead of an account), likes and boosts of our objects are counted,
-- reports (Flag) are kept for coordinators, and coordinators block remote
-- actors or whole domains. Keep in step with
-- ../sqlite/0024_fediverse_replies.sql.

ALTER TABLE comments ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE comments ADD COLUMN remote_actor TEXT REFERENCES ap_remote_actors (id) ON DELETE CASCADE;
ALTER TABLE comments ADD COLUMN remote_id TEXT;
ALTER TABLE comments ADD CONSTRAINT comments_one_author
    CHECK ((user_id IS NULL) <> (remote_actor IS NULL));
CREATE UNIQUE INDEX ux_comments_remote ON comments (remote_id);

CREATE TABLE ap_reactions (
    object TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('Like', 'Announce')),
    actor TEXT NOT NULL REFERENCES ap_remote_actors (id) ON DELETE CASCADE,
    activity_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (object, kind, actor)
);

CREATE TABLE ap_flags (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor TEXT NOT NULL,
    objects TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE ap_blocks (
    target TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('actor', 'domain')),
    reason TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
