"""Independent expansion of an iCalendar feed, for convene's tests.

Reads the feed with the `icalendar` package and expands every series with
`recurring-ical-events` (which uses dateutil's rrule and the system's zone
data, not convene's code), then prints one JSON line per occurrence in the
window: UID, start and end (UTC for instants, a date for all-day events) and
status.

    python3 expand.py FEED.ics FROM TO     (FROM and TO as 2026-11-01T00:00:00Z)

With --skip-bad-series after TO, series the packages cannot read (RFC 7529
RSCALE, for one) are left out instead of failing the whole file.
"""

import datetime as dt
import json
import sys

import icalendar
import recurring_ical_events


def moment(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%dT%H:%M:%S")
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%d")


def main():
    path, start, end = sys.argv[1:4]
    skip_bad_series = "--skip-bad-series" in sys.argv[4:]
    with open(path, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    parse = lambda s: dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    for event in recurring_ical_events.of(calendar, skip_bad_series=skip_bad_series).between(parse(start), parse(end)):
        begin = event.decoded("DTSTART")
        finish = event.decoded("DTEND") if "DTEND" in event else begin
        print(json.dumps({
            "uid": str(event["UID"]),
            "start": moment(begin),
            "end": moment(finish),
            "status": str(event.get("STATUS", "CONFIRMED")).upper(),
        }))


if __name__ == "__main__":
    main()
