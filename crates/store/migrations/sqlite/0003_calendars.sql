-- Calendars and events: regional calendars (a group's own calendar is the
-- group itself), events with their recurrence and per-occurrence overrides,
-- RSVPs, outside feeds synced into a calendar, private feed tokens, and a
-- change counter that versions every calendar feed.
-- Keep in step with ../postgres/0003_calendars.sql.

CREATE TABLE calendars (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    continent TEXT NOT NULL,
    country TEXT NOT NULL,
    region TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_calendars_slug ON calendars (slug);

CREATE TABLE calendar_groups (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    included INTEGER NOT NULL,
    PRIMARY KEY (calendar_id, group_id)
);

CREATE TABLE calendar_sources (
    id INTEGER PRIMARY KEY,
    group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    calendar_id INTEGER REFERENCES calendars (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_checked_at TEXT,
    last_synced_at TEXT,
    last_error TEXT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_calendar_sources_owner ON calendar_sources (calendar_id, group_id);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL,
    group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    calendar_id INTEGER REFERENCES calendars (id) ON DELETE CASCADE,
    source_id INTEGER REFERENCES calendar_sources (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    timing TEXT NOT NULL,
    tz TEXT NOT NULL,
    start_local TEXT NOT NULL,
    end_local TEXT NOT NULL,
    rrule TEXT,
    rdates TEXT NOT NULL,
    exdates TEXT NOT NULL,
    first_start TEXT NOT NULL,
    last_end TEXT,
    venue_name TEXT NOT NULL,
    venue_address TEXT NOT NULL,
    latitude REAL,
    longitude REAL,
    online_url TEXT NOT NULL,
    capacity INTEGER,
    rsvp_opens_at TEXT,
    rsvp_closes_at TEXT,
    status TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_events_source_uid ON events (source_id, uid);
CREATE INDEX ix_events_uid ON events (uid);
CREATE INDEX ix_events_group_span ON events (group_id, first_start);
CREATE INDEX ix_events_calendar_span ON events (calendar_id, first_start);
CREATE INDEX ix_events_source ON events (source_id);
CREATE INDEX ix_events_span ON events (first_start, last_end);

CREATE TABLE event_overrides (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    recurrence_id TEXT NOT NULL,
    cancelled INTEGER NOT NULL,
    title TEXT,
    description TEXT,
    start_local TEXT,
    end_local TEXT,
    start_at TEXT,
    venue_name TEXT,
    venue_address TEXT,
    online_url TEXT,
    status TEXT,
    sequence INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (event_id, recurrence_id)
);
CREATE INDEX ix_event_overrides_start ON event_overrides (start_at);

CREATE TABLE rsvps (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answer TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    queued_at TEXT
);
CREATE UNIQUE INDEX ux_rsvps_event_occurrence_user ON rsvps (event_id, occurrence, user_id);
CREATE INDEX ix_rsvps_user ON rsvps (user_id);

CREATE TABLE feed_tokens (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_feed_tokens_hash ON feed_tokens (token_hash);

-- The zone a member sees times in (empty: each event's own).
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('calendars', 1);
