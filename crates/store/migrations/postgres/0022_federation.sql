-- ActivityPub: each local actor's key pair, the remote actors we have
-- read, who follows our actors, and what the inboxes refused. Keep in
-- step with ../sqlite/0022_federation.sql.

-- A local actor is named by its path: /actor (the site), /groups/{slug},
-- /calendars/{slug}.
CREATE TABLE ap_keys (
    actor TEXT PRIMARY KEY,
    private_pem TEXT NOT NULL,
    public_pem TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE ap_remote_actors (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    handle TEXT NOT NULL,
    name TEXT NOT NULL,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    key_id TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_ap_remote_actors_key ON ap_remote_actors (key_id);

CREATE TABLE ap_followers (
    actor TEXT NOT NULL,
    follower TEXT NOT NULL REFERENCES ap_remote_actors (id) ON DELETE CASCADE,
    follow_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (actor, follower)
);

CREATE TABLE ap_refusals (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    remote TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX ix_ap_refusals_at ON ap_refusals (at);
