-- Photos on posts, events and groups, and what oEmbed said about video and
-- photo links. Keep in step with ../postgres/0006_media.sql.

CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('post', 'event', 'group')),
    owner_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    alt_text TEXT NOT NULL,
    caption TEXT NOT NULL,
    format TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
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
    fetched_at TEXT,
    created_at TEXT NOT NULL
);
