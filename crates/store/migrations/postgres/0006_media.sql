-- Photos on posts, events and groups, and what oEmbed said about video and
-- photo links. Keep in step with ../sqlite/0006_media.sql.

CREATE TABLE photos (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('post', 'event', 'group')),
    owner_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    alt_text TEXT NOT NULL,
    caption TEXT NOT NULL,
    format TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_photos_owner ON photos (owner_kind, owner_id, position);

CREATE TABLE embeds (
    url TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'failed')),
    title TEXT,
    author_name TEXT,
    thumbnail_key TEXT,
    detail TEXT,
    fetched_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
