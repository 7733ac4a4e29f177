-- Search inside words, and the roster import's review list.
-- Keep in step with ../sqlite/0017_roster_places_and_review.sql.
--
-- pg_trgm (a trusted extension: the database owner may create it) indexes
-- the groups' text by trigrams, so that "Pune" finds "PythonPune"; the
-- tsvector (search_vector) still ranks whole words first. The extension
-- lives in the public schema, whatever schema convene's tables are in.
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE INDEX ix_groups_search_trigram ON groups USING GIN (
    (lower(name || ' ' || city || ' ' || region || ' ' || short_description || ' ' || description)) public.gin_trgm_ops
);

-- Roster entries an import could not tell for a group (a conference, a
-- link to a site, a bullet of links only), held for a coordinator to accept
-- as a group or dismiss. An entry is found again by its name and country,
-- so importing the same file twice holds it once.
CREATE TABLE roster_reviews (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    line BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    country TEXT NOT NULL,
    region TEXT NOT NULL,
    description TEXT NOT NULL,
    links TEXT NOT NULL,
    status TEXT NOT NULL,
    group_id BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    decided_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    decided_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_roster_reviews_entry ON roster_reviews (name, country);
CREATE INDEX ix_roster_reviews_status ON roster_reviews (status, id);
