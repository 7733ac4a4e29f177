-- Mailing lists: the lists, their members, every message accepted, and
-- one delivery row per message and recipient so that a fan-out resumes
-- where it stopped. Keep in step with ../sqlite/0007_lists.sql.

CREATE TABLE lists (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL,
    group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    policy TEXT NOT NULL CHECK (policy IN ('open', 'moderated', 'announce')),
    posters TEXT NOT NULL CHECK (posters IN ('members', 'anyone', 'moderators')),
    archive TEXT NOT NULL CHECK (archive IN ('public', 'members', 'private')),
    subject_prefix TEXT NOT NULL,
    footer TEXT NOT NULL,
    reply_to TEXT NOT NULL CHECK (reply_to IN ('poster', 'list')),
    max_bytes BIGINT NOT NULL,
    rewrite_from BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_lists_name ON lists (name);

CREATE TABLE list_members (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    list_id BIGINT NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'left')),
    delivery TEXT NOT NULL CHECK (delivery IN ('each', 'digest', 'paused')),
    moderated BOOLEAN NOT NULL,
    confirm_hash TEXT,
    confirm_expires_at TIMESTAMPTZ,
    token TEXT NOT NULL,
    bounce_score BIGINT NOT NULL,
    bounce_paused_at TIMESTAMPTZ,
    last_bounce_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    confirmed_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_list_members_address ON list_members (list_id, email);
CREATE UNIQUE INDEX ux_list_members_token ON list_members (token);
CREATE UNIQUE INDEX ux_list_members_confirm ON list_members (confirm_hash);
CREATE INDEX ix_list_members_user ON list_members (user_id);

CREATE TABLE list_messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    list_id BIGINT NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    in_reply_to TEXT,
    refs TEXT NOT NULL,
    thread_id BIGINT,
    subject TEXT NOT NULL,
    from_name TEXT NOT NULL,
    from_email TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    month TEXT NOT NULL,
    body_text TEXT NOT NULL,
    raw BYTEA NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('held', 'accepted', 'rejected', 'discarded')),
    hold_reason TEXT
);
CREATE UNIQUE INDEX ux_list_messages_message_id ON list_messages (list_id, message_id);
CREATE INDEX ix_list_messages_month ON list_messages (list_id, state, month, sent_at);
CREATE INDEX ix_list_messages_thread ON list_messages (thread_id, sent_at);

CREATE TABLE list_deliveries (
    message_id BIGINT NOT NULL REFERENCES list_messages (id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES list_members (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    attempts BIGINT NOT NULL,
    last_error TEXT,
    sent_at TIMESTAMPTZ,
    PRIMARY KEY (message_id, member_id)
);
CREATE INDEX ix_list_deliveries_state ON list_deliveries (message_id, state);

-- The organizers' list exists from the first start.
INSERT INTO lists (name, display_name, description, group_id, policy, posters, archive, subject_prefix, footer, reply_to, max_bytes, rewrite_from, created_at, updated_at)
VALUES ('organizers', 'Organizers', 'Experienced and new organizers share tips: getting the word out, finding a place to meet, finding speakers.', NULL, 'open', 'members', 'members', '[organizers] ', '', 'list', 2097152, FALSE, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
