-- A regional calendar follows fediverse accounts (a Mobilizon group or
-- instance, a Gancio instance): each follow is one of the calendar's
-- outside sources, of kind 'activitypub', whose events arrive by Create,
-- Update and Delete instead of being fetched. Keep in step with
-- ../sqlite/0025_fediverse_following.sql.
ALTER TABLE calendar_sources ADD COLUMN kind TEXT NOT NULL DEFAULT 'ics';

CREATE TABLE ap_following (
    source_id BIGINT PRIMARY KEY REFERENCES calendar_sources (id) ON DELETE CASCADE,
    remote_actor TEXT NOT NULL,
    follow_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_ap_following_follow ON ap_following (follow_id);
CREATE INDEX ix_ap_following_actor ON ap_following (remote_actor);
