//! The events API: a series made through `POST /api/v1/events` keeps its
//! wall-clock time across daylight-saving changes, and refused calls store
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

/// How many events are stored.
async fn stored_events(app: &TestApp) -> i64 {
    use convene_store::{run, sqlx};
    let mut conn = app.svc().db.conn().await.unwrap();
    run!(conn.ex(), |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM events"
    )
    .fetch_one(c)
    .await)
    .unwrap()
}

/// A site with the group boston-python, organized by olu@example.org, and a
/// member mo@example.org; returns the coordinator's, organizer's and member's
/// bearer headers.
async fn site_with_group(app: &TestApp) -> (String, String, String) {
    let mut coord = coordinator(app).await;
    let coord_auth = bearer(app, "coord@example.org").await;
    app.send(call(
        "POST",
        "/api/v1/groups",
        Some(&coord_auth),
        Some(&json!({"name": "Boston Python", "slug": "boston-python", "country": "US", "city": "Boston"})),
    ))
    .await
    .assert_status(StatusCode::CREATED);
    organizer(app, &mut coord, "olu@example.org", "boston-python").await;
    member(app, "mo@example.org").await;
    let org_auth = bearer(app, "olu@example.org").await;
    let member_auth = bearer(app, "mo@example.org").await;
    (coord_auth, org_auth, member_auth)
}

fn project_night() -> Value {
    json!({
        "calendar": "boston-python",
        "title": "Project night",
        "description": "Bring a **laptop**.",
        "start": "2027-02-09T19:00",
        "end": "2027-02-09T21:00",
        "tz": "America/New_York",
        "rrule": "FREQ=MONTHLY;BYDAY=2TU",
        "venue_name": "Microsoft NERD",
        "venue_address": "1 Memorial Drive, Cambridge",
        "latitude": 42.3618,
        "longitude": -71.0812,
        "capacity": 40
    })
}

#[tokio::test]
async fn a_monthly_series_keeps_its_local_time_across_the_march_dst_change() {
    let app = TestApp::new().await;
    let (_, org, _) = site_with_group(&app).await;

    let r = app
        .send(call(
            "POST",
            "/api/v1/events",
            Some(&org),
            Some(&project_night()),
        ))
        .await;
    r.assert_status(StatusCode::CREATED);
    let ev = r.json();
    let id = ev["id"].as_i64().unwrap();
    assert!(
        ev["uid"].as_str().unwrap().ends_with("@convene.test"),
        "{ev}"
    );
    assert_eq!(ev["calendar"], "boston-python");
    assert_eq!(ev["group"], "boston-python");
    assert_eq!(ev["tzid"], "America/New_York");
    assert_eq!(ev["all_day"], false);
    assert_eq!(ev["start"], "2027-02-09T19:00:00");
    assert_eq!(ev["end"], "2027-02-09T21:00:00");
    assert_eq!(ev["rrule"], "FREQ=MONTHLY;BYDAY=2TU");
    assert_eq!(ev["venue"]["name"], "Microsoft NERD");
    assert_eq!(ev["venue"]["latitude"], 42.3618);
    assert_eq!(ev["capacity"], 40);
    assert_eq!(ev["status"], "confirmed");
    assert_eq!(ev["sequence"], 0);
    assert_eq!(ev["imported"], false);
    assert_eq!(ev["url"], format!("http://convene.test/events/{id}"));
    assert_eq!(ev["ics"], format!("http://convene.test/events/{id}.ics"));
    assert_eq!(
        app.send(call("GET", &format!("/api/v1/events/{id}"), None, None))
            .await
            .json(),
        ev
    );

    // US daylight saving time starts on 14 March 2027: the second Tuesday
    // (9 March) is still EST, 13 April is EDT, both at 19:00 local.
    let occs = app
        .send(call(
            "GET",
            &format!("/api/v1/events/{id}/occurrences?from=2027-02-01&to=2027-05-01"),
            None,
            None,
        ))
        .await
        .json();
    let starts: Vec<(&str, &str, &str)> = occs
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["key"].as_str().unwrap(),
                o["start"].as_str().unwrap(),
                o["end"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        starts,
        [
            (
                "20270209T190000",
                "2027-02-09T19:00:00-05:00",
                "2027-02-09T21:00:00-05:00"
            ),
            (
                "20270309T190000",
                "2027-03-09T19:00:00-05:00",
                "2027-03-09T21:00:00-05:00"
            ),
            (
                "20270413T190000",
                "2027-04-13T19:00:00-04:00",
                "2027-04-13T21:00:00-04:00"
            ),
        ]
    );
    let april = &occs[2];
    assert_eq!(april["tzid"], "America/New_York");
    assert_eq!(april["all_day"], false);
    assert_eq!(april["status"], "confirmed");
    assert_eq!(april["title"], "Project night");
    assert_eq!(
        april["url"],
        format!("http://convene.test/events/{id}?at=20270413T190000")
    );

    // The same instant written with an offset (and an unescaped `+`).
    let one = app
        .send(call(
            "GET",
            &format!(
                "/api/v1/events/{id}/occurrences?from=2027-04-13T19:30:00+02:00&to=2027-04-14T00:00:00Z"
            ),
            None,
            None,
        ))
        .await;
    one.assert_status(StatusCode::OK);
    assert_eq!(one.json()[0]["key"], "20270413T190000");

    // Listings: by group, by calendar slug, site-wide with the default
    // window (the next 90 days from 26 November 2026), and an empty window.
    for path in [
        "/api/v1/events?group=boston-python&from=2027-03-01&to=2027-04-01",
        "/api/v1/events?calendar=boston-python&from=2027-03-01T00:00:00Z&to=2027-04-01",
        "/api/v1/events",
    ] {
        let list = app.send(call("GET", path, None, None)).await.json();
        assert_eq!(list.as_array().unwrap().len(), 1, "{path}: {list}");
        assert_eq!(list[0]["id"], id, "{path}");
    }
    let none = app
        .send(call(
            "GET",
            "/api/v1/events?from=2026-01-01&to=2026-06-01",
            None,
            None,
        ))
        .await
        .json();
    assert_eq!(none, json!([]));

    // A change replaces the series: leave March out, rename it.
    let mut change = project_night();
    change["title"] = json!("Project night (hack)");
    change["exdates"] = json!(["2027-03-09T19:00"]);
    let r = app
        .send(call(
            "PUT",
            &format!("/api/v1/events/{id}"),
            Some(&org),
            Some(&change),
        ))
        .await;
    r.assert_status(StatusCode::OK);
    let changed = r.json();
    assert_eq!(changed["sequence"], 1);
    assert_eq!(changed["exdates"], json!(["2027-03-09T19:00:00"]));
    assert_eq!(changed["uid"], ev["uid"], "the UID stays");
    let keys: Vec<String> = app
        .send(call(
            "GET",
            &format!("/api/v1/events/{id}/occurrences?from=2027-02-01&to=2027-05-01"),
            None,
            None,
        ))
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, ["20270209T190000", "20270413T190000"]);

    let r = app
        .send(call(
            "POST",
            &format!("/api/v1/events/{id}/cancel"),
            Some(&org),
            None,
        ))
        .await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.json()["status"], "cancelled");
    let occs = app
        .send(call(
            "GET",
            &format!("/api/v1/events/{id}/occurrences?from=2027-04-01&to=2027-05-01"),
            None,
            None,
        ))
        .await
        .json();
    assert_eq!(occs[0]["status"], "cancelled", "{occs}");
}

#[tokio::test]
async fn all_day_events_use_dates_with_an_exclusive_end() {
    let app = TestApp::new().await;
    let (_, org, _) = site_with_group(&app).await;
    let body = json!({
        "calendar": "boston-python",
        "title": "Sprint weekend",
        "all_day": true,
        "start": "2027-01-09",
        "end": "2027-01-11"
    });
    let r = app
        .send(call("POST", "/api/v1/events", Some(&org), Some(&body)))
        .await;
    r.assert_status(StatusCode::CREATED);
    let ev = r.json();
    assert_eq!(
        (&ev["start"], &ev["end"], &ev["tzid"]),
        (&json!("2027-01-09"), &json!("2027-01-11"), &Value::Null)
    );
    let occs = app
        .send(call(
            "GET",
            &format!(
                "/api/v1/events/{}/occurrences?from=2027-01-01&to=2027-02-01",
                ev["id"]
            ),
            None,
            None,
        ))
        .await
        .json();
    assert_eq!(
        occs,
        json!([{
            "key": "20270109",
            "start": "2027-01-09",
            "end": "2027-01-11",
            "tzid": null,
            "all_day": true,
            "status": "confirmed",
            "title": "Sprint weekend",
            "venue_name": "",
            "changed": false,
            "url": format!("http://convene.test/events/{}", ev["id"]),
        }])
    );

    // Sending the GET answer's shape back keeps the dates.
    let r = app
        .send(call(
            "PUT",
            &format!("/api/v1/events/{}", ev["id"]),
            Some(&org),
            Some(&json!({"title": "Sprint weekend", "all_day": true, "start": ev["start"], "end": ev["end"]})),
        ))
        .await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.json()["end"], "2027-01-11");

    let mut same_day = body.clone();
    same_day["end"] = json!("2027-01-09");
    let r = app
        .send(call("POST", "/api/v1/events", Some(&org), Some(&same_day)))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "end");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("day after")
    );
}

#[tokio::test]
async fn refused_calls_get_clear_errors_and_store_nothing() {
    let app = TestApp::new().await;
    let (_, org, member_auth) = site_with_group(&app).await;
    let before = (app.fingerprint().await, stored_events(&app).await);
    assert_eq!(before.1, 0);

    let post = |auth: Option<&str>, body: &Value| call("POST", "/api/v1/events", auth, Some(body));
    let r = app.send(post(Some(&member_auth), &project_night())).await;
    r.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "forbidden");
    app.send(post(None, &project_night()))
        .await
        .assert_status(StatusCode::UNAUTHORIZED);

    let mut no_freq = project_night();
    no_freq["rrule"] = json!("BYDAY=2TU");
    let r = app.send(post(Some(&org), &no_freq)).await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let err = &r.json()["error"];
    assert_eq!(err["code"], "invalid");
    assert_eq!(err["field"], "rrule");
    assert!(err["message"].as_str().unwrap().contains("FREQ"), "{err}");

    let mut bad_zone = project_night();
    bad_zone["tz"] = json!("America/Springfield");
    let r = app.send(post(Some(&org), &bad_zone)).await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let err = &r.json()["error"];
    assert_eq!(err["field"], "tz");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("\"America/Springfield\" is not a time zone"),
        "{err}"
    );

    let mut half_pin = project_night();
    half_pin["longitude"] = Value::Null;
    let r = app.send(post(Some(&org), &half_pin)).await;
    assert_eq!(r.json()["error"]["field"], "longitude");

    let mut elsewhere = project_night();
    elsewhere["calendar"] = json!("no-such-group");
    app.send(post(Some(&org), &elsewhere))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let mut site_wide = project_night();
    site_wide["calendar"] = json!("");
    app.send(post(Some(&org), &site_wide))
        .await
        .assert_status(StatusCode::FORBIDDEN);

    let r = app
        .send(call(
            "GET",
            "/api/v1/events?from=2027-01-01&to=2029-01-02",
            None,
            None,
        ))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "to");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most two years")
    );
    app.send(call(
        "GET",
        "/api/v1/events?from=2027-01-01&to=2029-01-01",
        None,
        None,
    ))
    .await
    .assert_status(StatusCode::OK);
    for (path, field) in [
        ("/api/v1/events?from=next+week", "from"),
        ("/api/v1/events?from=2027-02-01&to=2027-01-01", "to"),
        (
            "/api/v1/events?calendar=boston-python&group=boston-python",
            "group",
        ),
    ] {
        let r = app.send(call("GET", path, None, None)).await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["field"], field, "{path}");
    }
    // Values that cannot be read as their documented type are a 400 in the
    // same error shape, naming the parameter.
    for (path, field) in [
        ("/api/v1/events?limit=many", "query"),
        ("/api/v1/events/abc/occurrences", "id"),
        ("/api/v1/events/99999999999999999999", "id"),
    ] {
        let r = app.send(call("GET", path, None, None)).await;
        r.assert_status(StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["error"]["code"], "invalid", "{path}");
        assert_eq!(r.json()["error"]["field"], field, "{path}");
    }
    let r = app
        .send(call("GET", "/api/v1/events/999", None, None))
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"]["code"], "not_found");
    assert_eq!((app.fingerprint().await, stored_events(&app).await), before);

    // A member may not change or cancel an organizer's event either.
    let id = app.send(post(Some(&org), &project_night())).await.json()["id"]
        .as_i64()
        .unwrap();
    let event = app
        .send(call("GET", &format!("/api/v1/events/{id}"), None, None))
        .await
        .body;
    let mut change = project_night();
    change["title"] = json!("Taken over");
    app.send(call(
        "PUT",
        &format!("/api/v1/events/{id}"),
        Some(&member_auth),
        Some(&change),
    ))
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.send(call(
        "POST",
        &format!("/api/v1/events/{id}/cancel"),
        Some(&member_auth),
        None,
    ))
    .await
    .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        app.send(call("GET", &format!("/api/v1/events/{id}"), None, None))
            .await
            .body,
        event
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_events_api() {
    let app = TestApp::new().await;
    let doc = app
        .send(call("GET", "/api/v1/openapi.json", None, None))
        .await
        .json();
    for path in [
        "/api/v1/events",
        "/api/v1/events/{id}",
        "/api/v1/events/{id}/occurrences",
        "/api/v1/events/{id}/cancel",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["paths"]["/api/v1/events"]["post"]["security"].is_array());
    let params = doc["paths"]["/api/v1/events"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let from = params.iter().find(|p| p["name"] == "from").unwrap();
    assert_eq!(
        (&from["in"], &from["required"]),
        (&json!("query"), &json!(false))
    );
    for schema in [
        "EventOut",
        "EventIn",
        "NewEventIn",
        "OccurrenceOut",
        "VenueOut",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}

#[tokio::test]
async fn a_listing_is_revalidated_by_its_etag_and_changes_with_the_first_write() {
    let app = TestApp::new().await;
    let (_, org, _) = site_with_group(&app).await;
    app.send(call(
        "POST",
        "/api/v1/events",
        Some(&org),
        Some(&project_night()),
    ))
    .await
    .assert_status(StatusCode::CREATED);
    let path = "/api/v1/events?group=boston-python&from=2027-01-01&to=2027-12-01";
    let first = app.send(call("GET", path, None, None)).await;
    first.assert_status(StatusCode::OK);
    assert_eq!(first.json().as_array().unwrap().len(), 1);
    let etag = first.headers[axum::http::header::ETAG]
        .to_str()
        .unwrap()
        .to_owned();
    let revalidate = || {
        let mut r = call("GET", path, None, None);
        r.headers_mut()
            .insert(axum::http::header::IF_NONE_MATCH, etag.parse().unwrap());
        r
    };
    let again = app.send(revalidate()).await;
    again.assert_status(StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());

    // A new event shows in the very next answer, under a new validator.
    let mut second = project_night();
    second["title"] = json!("Workshop");
    second["rrule"] = serde_json::Value::Null;
    second["start"] = json!("2027-03-01T18:00");
    second["end"] = json!("2027-03-01T20:00");
    app.send(call("POST", "/api/v1/events", Some(&org), Some(&second)))
        .await
        .assert_status(StatusCode::CREATED);
    let changed = app.send(revalidate()).await;
    changed.assert_status(StatusCode::OK);
    let titles: Vec<String> = changed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(titles, ["Project night", "Workshop"]);
    assert_ne!(
        changed.headers[axum::http::header::ETAG].to_str().unwrap(),
        etag
    );
}
