-- Search inside words, and the roster import's review list.
-- Keep in step with ../postgres/0017_roster_places_and_review.sql.
--
-- A second FTS5 index over the groups with the trigram tokenizer, so that
-- "Pune" finds "PythonPune"; the word index (groups_fts) still ranks whole
-- words first. External content, kept in step by triggers, filled from the
-- groups already stored.
CREATE VIRTUAL TABLE groups_fts_trigram USING fts5 (
    name, city, region, description,
    content = 'groups', content_rowid = 'id', tokenize = 'trigram remove_diacritics 1'
);
CREATE TRIGGER groups_fts_trigram_insert AFTER INSERT ON groups BEGIN
    INSERT INTO groups_fts_trigram (rowid, name, city, region, description)
    VALUES (new.id, new.name, new.city, new.region, new.short_description || ' ' || new.description);
END;
CREATE TRIGGER groups_fts_trigram_delete AFTER DELETE ON groups BEGIN
    INSERT INTO groups_fts_trigram (groups_fts_trigram, rowid, name, city, region, description)
    VALUES ('delete', old.id, old.name, old.city, old.region, old.short_description || ' ' || old.description);
END;
CREATE TRIGGER groups_fts_trigram_update AFTER UPDATE ON groups BEGIN
    INSERT INTO groups_fts_trigram (groups_fts_trigram, rowid, name, city, region, description)
    VALUES ('delete', old.id, old.name, old.city, old.region, old.short_description || ' ' || old.description);
    INSERT INTO groups_fts_trigram (rowid, name, city, region, description)
    VALUES (new.id, new.name, new.city, new.region, new.short_description || ' ' || new.description);
END;
INSERT INTO groups_fts_trigram (groups_fts_trigram) VALUES ('rebuild');

-- Roster entries an import could not tell for a group (a conference, a
-- link to a site, a bullet of links only), held for a coordinator to accept
-- as a group or dismiss. An entry is found again by its name and country,
-- so importing the same file twice holds it once.
CREATE TABLE roster_reviews (
    id INTEGER PRIMARY KEY,
    line INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    country TEXT NOT NULL,
    region TEXT NOT NULL,
    description TEXT NOT NULL,
    links TEXT NOT NULL,
    status TEXT NOT NULL,
    group_id INTEGER REFERENCES groups (id) ON DELETE SET NULL,
    decided_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decided_at TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_roster_reviews_entry ON roster_reviews (name, country);
CREATE INDEX ix_roster_reviews_status ON roster_reviews (status, id);
