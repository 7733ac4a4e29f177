"""Reads a feed from standard input for convene's feed tests: Atom and RSS
with the strict ElementTree parser and then feedparser, printing what
feedparser found as JSON; JSON Feed with Python's json module only."""

import calendar
import json
import sys
import xml.etree.ElementTree as ElementTree

import feedparser

kind = sys.argv[1]
data = sys.stdin.buffer.read()

if kind == "json":
    # feedparser 6.0 reads no JSON Feed; check the JSON and stop.
    document = json.loads(data)
    print(json.dumps({"version": document["version"], "items": len(document["items"])}))
    sys.exit(0)

# Raises on anything that is not well-formed XML 1.0.
ElementTree.fromstring(data)

parsed = feedparser.parse(data)


def timestamp(value):
    return calendar.timegm(value) if value else None


def content(entry):
    if entry.get("content"):
        return entry.content[0].value
    return None


print(
    json.dumps(
        {
            "bozo": int(bool(parsed.bozo)),
            "bozo_exception": repr(parsed.get("bozo_exception")),
            "version": parsed.version,
            "title": parsed.feed.get("title"),
            "link": parsed.feed.get("link"),
            "links": [link.get("href") for link in parsed.feed.get("links", [])],
            "updated": timestamp(parsed.feed.get("updated_parsed")),
            "entries": [
                {
                    "id": entry.get("id"),
                    "title": entry.get("title"),
                    "link": entry.get("link"),
                    "published": timestamp(entry.get("published_parsed")),
                    "updated": timestamp(entry.get("updated_parsed")),
                    "authors": [a.get("name") for a in entry.get("authors", [])],
                    "tags": [t.get("term") for t in entry.get("tags", [])],
                    "summary": entry.get("summary"),
                    "content": content(entry),
                }
                for entry in parsed.entries
            ],
        },
        ensure_ascii=False,
    )
)
