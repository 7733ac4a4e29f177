-- Calendars and events: regional calendars (a group's own calendar is the
-- group itself), events with their recurrence and per-occurrence overrides,
-- RSVPs, outside feeds synced into a calendar, private feed tokens, and a
-- change counter that versions every calendar feed.
-- Keep in step with ../sqlite/0003_calendars.sql.

CREATE TABLE calendars (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    continent TEXT NOT NULL,
    country TEXT NOT NULL,
    region TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_calendars_slug ON calendars (slug);

CREATE TABLE calendar_groups (
    calendar_id BIGINT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    included BOOLEAN NOT NULL,
    PRIMARY KEY (calendar_id, group_id)
);

CREATE TABLE calendar_sources (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    calendar_id BIGINT REFERENCES calendars (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TIMESTAMPTZ,
    last_checked_at TIMESTAMPTZ,
    last_synced_at TIMESTAMPTZ,
    last_error TEXT,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_calendar_sources_owner ON calendar_sources (calendar_id, group_id);

CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uid TEXT NOT NULL,
    group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    calendar_id BIGINT REFERENCES calendars (id) ON DELETE CASCADE,
    source_id BIGINT REFERENCES calendar_sources (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    timing TEXT NOT NULL,
    tz TEXT NOT NULL,
    start_local TEXT NOT NULL,
    end_local TEXT NOT NULL,
    rrule TEXT,
    rdates TEXT NOT NULL,
    exdates TEXT NOT NULL,
    first_start TIMESTAMPTZ NOT NULL,
    last_end TIMESTAMPTZ,
    venue_name TEXT NOT NULL,
    venue_address TEXT NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    online_url TEXT NOT NULL,
    capacity BIGINT,
    rsvp_opens_at TIMESTAMPTZ,
    rsvp_closes_at TIMESTAMPTZ,
    status TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_events_source_uid ON events (source_id, uid);
CREATE INDEX ix_events_uid ON events (uid);
CREATE INDEX ix_events_group_span ON events (group_id, first_start);
CREATE INDEX ix_events_calendar_span ON events (calendar_id, first_start);
CREATE INDEX ix_events_source ON events (source_id);
CREATE INDEX ix_events_span ON events (first_start, last_end);

CREATE TABLE event_overrides (
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    recurrence_id TEXT NOT NULL,
    cancelled BOOLEAN NOT NULL,
    title TEXT,
    description TEXT,
    start_local TEXT,
    end_local TEXT,
    start_at TIMESTAMPTZ,
    venue_name TEXT,
    venue_address TEXT,
    online_url TEXT,
    status TEXT,
    sequence BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (event_id, recurrence_id)
);
CREATE INDEX ix_event_overrides_start ON event_overrides (start_at);

CREATE TABLE rsvps (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answer TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    queued_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX ux_rsvps_event_occurrence_user ON rsvps (event_id, occurrence, user_id);
CREATE INDEX ix_rsvps_user ON rsvps (user_id);

CREATE TABLE feed_tokens (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_feed_tokens_hash ON feed_tokens (token_hash);

-- The zone a member sees times in (empty: each event's own).
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('calendars', 1);
