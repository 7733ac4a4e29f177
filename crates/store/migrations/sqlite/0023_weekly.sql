-- "What's on near you", weekly: subscriptions to a regional calendar or to
-- the area within a distance of a place. Keep in step with
-- ../postgres/0023_weekly.sql.

-- A member's subscription has its user_id; a visitor's has none and is
-- held back (confirmed_at NULL) until the link mailed to the address is
-- followed. calendar_id names a regional calendar; otherwise place,
-- latitude, longitude and radius_km name the area.
CREATE TABLE weekly_subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    calendar_id INTEGER REFERENCES calendars (id) ON DELETE CASCADE,
    place TEXT NOT NULL,
    latitude REAL,
    longitude REAL,
    radius_km REAL,
    time_zone TEXT NOT NULL,
    token TEXT NOT NULL,
    confirm_hash TEXT,
    confirm_expires_at TEXT,
    confirmed_at TEXT,
    created_at TEXT NOT NULL,
    last_sent_at TEXT,
    last_week TEXT
);
CREATE UNIQUE INDEX ux_weekly_subscriptions_token ON weekly_subscriptions (token);
CREATE UNIQUE INDEX ux_weekly_subscriptions_confirm ON weekly_subscriptions (confirm_hash);
CREATE INDEX ix_weekly_subscriptions_email ON weekly_subscriptions (email);
