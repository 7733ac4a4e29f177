-- The roster: groups, their typed links (with the link checker's findings)
-- and every change to an entry as a revision.
-- Keep in step with ../postgres/0002_groups.sql. Full-text search is the one
-- place the backends differ: an FTS5 table here, a tsvector column there.

CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    short_description TEXT NOT NULL,
    description TEXT NOT NULL,
    city TEXT NOT NULL,
    region TEXT NOT NULL,
    country TEXT NOT NULL,
    continent TEXT NOT NULL,
    latitude REAL,
    longitude REAL,
    languages TEXT NOT NULL,
    meeting_pattern TEXT NOT NULL,
    founded TEXT NOT NULL,
    status TEXT NOT NULL,
    approval TEXT NOT NULL,
    proposed_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    rejection_reason TEXT,
    confirmed_at TEXT,
    confirmed_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    source TEXT NOT NULL,
    imported_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_groups_slug ON groups (slug);
CREATE INDEX ix_groups_place ON groups (approval, continent, country, region);
CREATE INDEX ix_groups_confirmed_at ON groups (confirmed_at);
CREATE INDEX ix_groups_name ON groups (approval, name, id);
CREATE INDEX ix_groups_country_name ON groups (approval, country, name, id);
CREATE INDEX ix_groups_updated_at ON groups (updated_at);
CREATE INDEX ix_groups_latitude ON groups (latitude);

CREATE TABLE group_links (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    label TEXT NOT NULL,
    check_status TEXT,
    check_detail TEXT,
    final_url TEXT,
    checked_at TEXT
);
CREATE INDEX ix_group_links_group ON group_links (group_id, position);

CREATE TABLE group_revisions (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    summary TEXT NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX ix_group_revisions_group ON group_revisions (group_id, id);

-- Search: an external-content FTS5 index kept in step by triggers.
CREATE VIRTUAL TABLE groups_fts USING fts5 (
    name, city, region, description,
    content = 'groups', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER groups_fts_insert AFTER INSERT ON groups BEGIN
    INSERT INTO groups_fts (rowid, name, city, region, description)
    VALUES (new.id, new.name, new.city, new.region, new.short_description || ' ' || new.description);
END;
CREATE TRIGGER groups_fts_delete AFTER DELETE ON groups BEGIN
    INSERT INTO groups_fts (groups_fts, rowid, name, city, region, description)
    VALUES ('delete', old.id, old.name, old.city, old.region, old.short_description || ' ' || old.description);
END;
CREATE TRIGGER groups_fts_update AFTER UPDATE ON groups BEGIN
    INSERT INTO groups_fts (groups_fts, rowid, name, city, region, description)
    VALUES ('delete', old.id, old.name, old.city, old.region, old.short_description || ' ' || old.description);
    INSERT INTO groups_fts (rowid, name, city, region, description)
    VALUES (new.id, new.name, new.city, new.region, new.short_description || ' ' || new.description);
END;

-- When the organizers were last asked to confirm the entry.
ALTER TABLE groups ADD COLUMN confirmation_requested_at TEXT;
-- What a single-use link acts on besides an account (a group's slug for
-- "confirm this entry" links).
ALTER TABLE auth_tokens ADD COLUMN subject TEXT;
