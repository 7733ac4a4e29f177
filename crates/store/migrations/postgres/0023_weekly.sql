-- "What's on near you", weekly: subscriptions to a regional calendar or to
-- the area within a distance of a place. Keep in step with
-- ../sqlite/0023_weekly.sql.

-- A member's subscription has its user_id; a visitor's has none and is
-- held back (confirmed_at NULL) until the link mailed to the address is
-- followed. calendar_id names a regional calendar; otherwise place,
-- latitude, longitude and radius_km name the area.
CREATE TABLE weekly_subscriptions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    calendar_id BIGINT REFERENCES calendars (id) ON DELETE CASCADE,
    place TEXT NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    radius_km DOUBLE PRECISION,
    time_zone TEXT NOT NULL,
    token TEXT NOT NULL,
    confirm_hash TEXT,
    confirm_expires_at TIMESTAMPTZ,
    confirmed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    last_sent_at TIMESTAMPTZ,
    last_week TEXT
);
CREATE UNIQUE INDEX ux_weekly_subscriptions_token ON weekly_subscriptions (token);
CREATE UNIQUE INDEX ux_weekly_subscriptions_confirm ON weekly_subscriptions (confirm_hash);
CREATE INDEX ix_weekly_subscriptions_email ON weekly_subscriptions (email);
