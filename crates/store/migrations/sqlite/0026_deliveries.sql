-- One ledger of who got what, for every bulk send: a row per copy, keyed
-- by the batch it belongs to and its recipient. The kinds of batch:
--   'list'   a list message's copies    (batch: list_messages.id, recipient: list_members.id)
--   'digest' a list digest's copies     (batch: list_digests.id,  recipient: list_members.id)
--   'post'   a blog post's mail         (batch: posts.id,         recipient: users.id)
--   'weekly' one sending of the weekly email (batch: the sending moment in
--            Unix seconds, recipient: weekly_subscriptions.id)
-- `since` is where a digest member's copy starts (digests only).
--
-- The ledger is read and written by (kind, batch, recipient), the primary
-- key, as list_deliveries was by (message, member): no index leads with
-- (batch, state) (see 0019: SQLite's planner would pick it for "these
-- recipients of this batch, if still queued" and walk every queued row of
-- the batch for each batch of answers). The recipient index serves a
-- member's own history (their last digest) and the clean-up below.
--
-- Replaces list_deliveries and list_digest_deliveries (their rows move
-- here). Their ON DELETE CASCADE is kept by triggers, since a batch or
-- recipient here may live in one of several tables.
-- Keep in step with ../postgres/0026_deliveries.sql.

CREATE TABLE deliveries (
    batch_kind TEXT NOT NULL,
    batch_id INTEGER NOT NULL,
    recipient_id INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'skipped')),
    attempts INTEGER NOT NULL,
    last_error TEXT,
    sent_at TEXT,
    updated_at TEXT,
    since TEXT,
    PRIMARY KEY (batch_kind, batch_id, recipient_id)
);
CREATE INDEX ix_deliveries_recipient ON deliveries (batch_kind, recipient_id, state);

INSERT INTO deliveries (batch_kind, batch_id, recipient_id, state, attempts, last_error, sent_at, updated_at, since)
SELECT 'list', message_id, member_id, state, attempts, last_error, sent_at, sent_at, NULL FROM list_deliveries;
INSERT INTO deliveries (batch_kind, batch_id, recipient_id, state, attempts, last_error, sent_at, updated_at, since)
SELECT 'digest', digest_id, member_id, state, attempts, last_error, sent_at, updated_at, since FROM list_digest_deliveries;

DROP TABLE list_deliveries;
DROP TABLE list_digest_deliveries;

CREATE TRIGGER tr_list_messages_deliveries AFTER DELETE ON list_messages BEGIN
    DELETE FROM deliveries WHERE batch_kind = 'list' AND batch_id = OLD.id;
END;
CREATE TRIGGER tr_list_digests_deliveries AFTER DELETE ON list_digests BEGIN
    DELETE FROM deliveries WHERE batch_kind = 'digest' AND batch_id = OLD.id;
END;
CREATE TRIGGER tr_posts_deliveries AFTER DELETE ON posts BEGIN
    DELETE FROM deliveries WHERE batch_kind = 'post' AND batch_id = OLD.id;
END;
CREATE TRIGGER tr_list_members_deliveries AFTER DELETE ON list_members BEGIN
    DELETE FROM deliveries WHERE batch_kind IN ('list', 'digest') AND recipient_id = OLD.id;
END;
CREATE TRIGGER tr_users_deliveries AFTER DELETE ON users BEGIN
    DELETE FROM deliveries WHERE batch_kind = 'post' AND recipient_id = OLD.id;
END;
CREATE TRIGGER tr_weekly_subscriptions_deliveries AFTER DELETE ON weekly_subscriptions BEGIN
    DELETE FROM deliveries WHERE batch_kind = 'weekly' AND recipient_id = OLD.id;
END;
