"""Reads every RRULE of an iCalendar file with dateutil, as clients do.

For each VEVENT with an RRULE, the rule is handed to dateutil's `rrulestr`
with the event's DTSTART as `icalendar` decodes it (a DATE as midnight), and
its first occurrences are taken. Prints one line per rule that dateutil
refuses and exits 1 if there is any; prints the number of rules read
otherwise.

    python3 rrules.py FEED.ics
"""

import datetime as dt
import itertools
import sys

import icalendar
from dateutil import rrule


def main():
    with open(sys.argv[1], "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    refused = []
    read = 0
    for event in calendar.walk("VEVENT"):
        if "RRULE" not in event:
            continue
        start = event.decoded("DTSTART")
        if not isinstance(start, dt.datetime):
            start = dt.datetime.combine(start, dt.time())
        text = event["RRULE"].to_ical().decode()
        try:
            list(itertools.islice(rrule.rrulestr(text, dtstart=start), 3))
            read += 1
        except Exception as error:  # dateutil raises ValueError and others
            refused.append(f"{event['UID']}: RRULE:{text} with DTSTART {start!r}: {error}")
    for line in refused:
        print(line)
    if refused:
        sys.exit(1)
    print(read)


if __name__ == "__main__":
    main()
