"""Seeds a served convene site through its API, so that schemathesis finds
real groups, events, posts and subscriptions behind the ids it tries.

Usage: seed.py BASE_URL TOKEN

The token is a coordinator's (`convene admin token EMAIL`). Exits non-zero,
printing the answer, if any call does not succeed.
"""

import json
import sys
import urllib.request


def call(base, token, method, path, body=None, expect=(200, 201, 202, 204)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base.rstrip("/") + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    if status not in expect:
        sys.exit(f"{method} {path} answered {status}: {text}")
    return json.loads(text) if text else None


def main() -> None:
    base, token = sys.argv[1], sys.argv[2]
    call(base, token, "POST", "/api/v1/groups", {
        "name": "Cambridge Python",
        "slug": "cambridge-python",
        "city": "Cambridge",
        "region": "Massachusetts",
        "country": "US",
        "languages": ["en"],
        "status": "active",
        "links": [{"kind": "website", "url": "https://cambridgepython.example/"}],
    })
    event = call(base, token, "POST", "/api/v1/events", {
        "calendar": "cambridge-python",
        "title": "Project night",
        "start": "2026-12-08T19:00",
        "end": "2026-12-08T21:00",
        "tz": "America/New_York",
        "rrule": "FREQ=MONTHLY;BYDAY=2TU",
        "venue_name": "Microsoft NERD",
        "capacity": 40,
    })
    post = call(base, token, "POST", "/api/v1/posts", {
        "title": "March: packaging and Polars",
        "kind": "meeting_report",
        "group": "cambridge-python",
        "tags": ["packaging", "polars"],
        "body": "Twenty-five people came to our March meeting.\n\n"
        "## Talks\n\n"
        "* **Packaging without tears**: Priya Raman walked through pyproject.toml "
        "and publishing wheels.\n"
        "* **Pandas to Polars**: Sam Ortiz showed a 40-minute report job "
        "dropping to 3 minutes, and where lazy frames surprised him.\n\n"
        "Questions ran long: most were about migrating old setup.py projects.",
    })
    call(base, token, "POST", f"/api/v1/posts/{post['slug']}/publish")
    call(base, token, "POST", "/api/v1/me/lists", {"list": "organizers"})
    call(base, token, "POST", "/api/v1/invitations", {
        "email": "grace@example.org",
        "role": "organizer",
        "scope": "group:cambridge-python",
    })
    print(f"seeded: group cambridge-python, event {event['id']}, post {post['slug']}")


if __name__ == "__main__":
    main()
