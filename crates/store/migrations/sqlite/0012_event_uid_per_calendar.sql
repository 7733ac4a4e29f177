-- A UID is unique per calendar, not per site: the same conference may be
-- imported into a regional calendar and into a group's. An event may also
-- be one changed occurrence of a series the calendar does not hold (an
-- invitation to one instance): it keeps the series' UID and its own
-- RECURRENCE-ID, in compact form ('' for a whole event or series).

ALTER TABLE events ADD COLUMN recurrence_id TEXT NOT NULL DEFAULT '';

DROP INDEX ux_events_source_uid;
CREATE UNIQUE INDEX ux_events_source_uid ON events (source_id, uid, recurrence_id);
CREATE UNIQUE INDEX ux_events_group_uid ON events (group_id, uid, recurrence_id)
    WHERE source_id IS NULL AND group_id IS NOT NULL;
CREATE UNIQUE INDEX ux_events_calendar_uid ON events (calendar_id, uid, recurrence_id)
    WHERE source_id IS NULL AND calendar_id IS NOT NULL;
CREATE UNIQUE INDEX ux_events_site_uid ON events (uid, recurrence_id)
    WHERE source_id IS NULL AND group_id IS NULL AND calendar_id IS NULL;
