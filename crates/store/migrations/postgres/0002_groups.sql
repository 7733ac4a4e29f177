-- The roster: groups, their typed links (with the link checker's findings)
-- and every change to an entry as a revision.
-- Keep in step with ../sqlite/0002_groups.sql. Full-text search is the one
-- place the backends differ: a tsvector column here, an FTS5 table there.

CREATE TABLE groups (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    short_description TEXT NOT NULL,
    description TEXT NOT NULL,
    city TEXT NOT NULL,
    region TEXT NOT NULL,
    country TEXT NOT NULL,
    continent TEXT NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    languages TEXT NOT NULL,
    meeting_pattern TEXT NOT NULL,
    founded TEXT NOT NULL,
    status TEXT NOT NULL,
    approval TEXT NOT NULL,
    proposed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    rejection_reason TEXT,
    confirmed_at TIMESTAMPTZ,
    confirmed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    source TEXT NOT NULL,
    imported_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_groups_slug ON groups (slug);
CREATE INDEX ix_groups_place ON groups (approval, continent, country, region);
CREATE INDEX ix_groups_confirmed_at ON groups (confirmed_at);
CREATE INDEX ix_groups_name ON groups (approval, name, id);
CREATE INDEX ix_groups_country_name ON groups (approval, country, name, id);
CREATE INDEX ix_groups_updated_at ON groups (updated_at);
CREATE INDEX ix_groups_latitude ON groups (latitude);

CREATE TABLE group_links (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    label TEXT NOT NULL,
    check_status TEXT,
    check_detail TEXT,
    final_url TEXT,
    checked_at TIMESTAMPTZ
);
CREATE INDEX ix_group_links_group ON group_links (group_id, position);

CREATE TABLE group_revisions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    summary TEXT NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX ix_group_revisions_group ON group_revisions (group_id, id);

-- Search: a generated tsvector (the 'simple' configuration: roster entries
-- are in many languages) with a GIN index.
ALTER TABLE groups ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', name), 'A') ||
    setweight(to_tsvector('simple', city || ' ' || region), 'B') ||
    setweight(to_tsvector('simple', short_description || ' ' || description), 'C')
) STORED;
CREATE INDEX ix_groups_search ON groups USING GIN (search_vector);

-- When the organizers were last asked to confirm the entry.
ALTER TABLE groups ADD COLUMN confirmation_requested_at TIMESTAMPTZ;
-- What a single-use link acts on besides an account (a group's slug for
-- "confirm this entry" links).
ALTER TABLE auth_tokens ADD COLUMN subject TEXT;
