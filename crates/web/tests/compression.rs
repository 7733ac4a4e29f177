//! Compressed answers: pages go through the compression layer, and cached
//! bodies (feeds, exports, the events API) carry gzip and brotli forms
//! made once per version. Every compressed body is read back with
//! decoders other than the ones convene compresses with.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;

fn get(path: &str, accept: Option<&str>, etag: Option<&str>) -> Request<Body> {
    let mut r = Request::get(path);
    if let Some(a) = accept {
        r = r.header(header::ACCEPT_ENCODING, a);
    }
    if let Some(e) = etag {
        r = r.header(header::IF_NONE_MATCH, e);
    }
    r.body(Body::empty()).unwrap()
}

fn coding(r: &Resp) -> Option<&str> {
    r.headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap())
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli_decompressor::BrotliDecompress(&mut &data[..], &mut out).expect("valid brotli");
    out
}

/// Reads a gzip member (RFC 1952): its header, the deflate stream, and
/// the CRC-32 and length that end it.
fn ungzip(data: &[u8]) -> Vec<u8> {
    assert_eq!(&data[..3], &[0x1f, 0x8b, 8], "gzip magic and deflate");
    let flags = data[3];
    assert_eq!(flags & !0x01, 0, "no extra, name or comment fields");
    let body = &data[10..data.len() - 8];
    let out = miniz_oxide::inflate::decompress_to_vec(body).expect("valid deflate");
    let trailer = &data[data.len() - 8..];
    assert_eq!(
        u32::from_le_bytes(trailer[..4].try_into().unwrap()),
        crc32fast::hash(&out)
    );
    assert_eq!(
        u32::from_le_bytes(trailer[4..].try_into().unwrap()) as usize,
        out.len()
    );
    out
}

async fn roster(app: &TestApp) {
    for n in 0..40 {
        insert_group(
            app,
            &format!("python-user-group-{n}"),
            &format!("Python User Group {n}"),
            "Berlin",
            "DE",
        )
        .await;
    }
}

#[tokio::test]
async fn an_export_is_sent_in_the_coding_the_client_prefers_and_reads_back_whole() {
    let app = TestApp::new().await;
    roster(&app).await;
    let plain = app.send(get("/groups.csv", None, None)).await;
    plain.assert_status(StatusCode::OK);
    assert_eq!(coding(&plain), None, "no Accept-Encoding: as it is");
    assert_eq!(plain.headers[header::VARY], "accept-encoding");
    assert!(plain.bytes.len() > 2048, "{} bytes", plain.bytes.len());

    let br = app
        .send(get("/groups.csv", Some("gzip, deflate, br, zstd"), None))
        .await;
    assert_eq!(coding(&br), Some("br"));
    assert_eq!(br.headers[header::VARY], "accept-encoding");
    assert_eq!(br.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(
        br.bytes.len() * 4 < plain.bytes.len(),
        "{} bytes",
        br.bytes.len()
    );
    assert_eq!(unbrotli(&br.bytes), plain.bytes);

    let gz = app.send(get("/groups.csv", Some("gzip"), None)).await;
    assert_eq!(coding(&gz), Some("gzip"));
    assert_eq!(ungzip(&gz.bytes), plain.bytes);

    // Weights are honoured: gzip preferred, brotli refused, or neither.
    let weighed = app
        .send(get("/groups.csv", Some("br;q=0.5, gzip;q=0.9"), None))
        .await;
    assert_eq!(coding(&weighed), Some("gzip"));
    let refused = app
        .send(get("/groups.csv", Some("br;q=0, gzip;q=0"), None))
        .await;
    assert_eq!(coding(&refused), None);
    assert_eq!(refused.bytes, plain.bytes);
}

#[tokio::test]
async fn a_feed_and_its_304_vary_by_coding_and_bad_accept_headers_change_nothing() {
    let app = TestApp::new().await;
    roster(&app).await;
    let before = app.fingerprint().await;
    let first = app.send(get("/calendar.ics", Some("br"), None)).await;
    first.assert_status(StatusCode::OK);
    let etag = first.headers[header::ETAG].to_str().unwrap().to_owned();
    let again = app
        .send(get("/calendar.ics", Some("br"), Some(&etag)))
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers[header::VARY], "accept-encoding");

    // A thousand entries, malformed weights, unknown codings: the body as
    // it is; a client that refuses every coding, the body as it is too,
    // gets 406 Not Acceptable. Nothing stored moves either way.
    let thousand = (0..1000)
        .map(|i| format!("x-coding-{i};q=0.{}", i % 10))
        .collect::<Vec<_>>()
        .join(", ");
    for (accept, status) in [
        (thousand.as_str(), StatusCode::OK),
        ("gzip;q=abc, br;q=7", StatusCode::OK),
        (";;;,,,=", StatusCode::OK),
        ("*;q=0", StatusCode::NOT_ACCEPTABLE),
        ("identity;q=0, *;q=0", StatusCode::NOT_ACCEPTABLE),
    ] {
        let r = app.send(get("/groups.csv", Some(accept), None)).await;
        let shown = &accept[..accept.len().min(40)];
        assert_eq!(r.status, status, "{shown}");
        assert_eq!(coding(&r), None, "{shown}");
        if status == StatusCode::OK {
            assert!(r.body.contains("Python User Group 39"), "{shown}");
        }
    }
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn pages_are_compressed_on_the_way_out_too() {
    let app = TestApp::new().await;
    roster(&app).await;
    let plain = app.send(get("/groups", None, None)).await;
    plain.assert_status(StatusCode::OK);
    let br = app.send(get("/groups", Some("br"), None)).await;
    assert_eq!(coding(&br), Some("br"));
    let page = String::from_utf8(unbrotli(&br.bytes)).unwrap();
    assert!(
        page.trim_end().ends_with("</html>"),
        "{}",
        &page[page.len() - 200..]
    );
    assert_eq!(page.len(), plain.body.len());
}

/// The folders of bodies written to disk.
fn spilled(app: &TestApp) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(&app.state.config.spill_dir) {
        Ok(dir) => dir.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn a_feed_too_large_to_keep_in_memory_is_sent_from_disk_alike_in_every_coding() {
    let app = TestApp::new().await;
    convene_app::groups::seed_groups(app.svc(), 1)
        .await
        .unwrap();
    convene_app::calendars::seed_events(app.svc(), 1, 4000)
        .await
        .unwrap();
    let cal = convene_app::calendars::calendar(app.svc(), "bench-0")
        .await
        .unwrap();
    // The same feed built whole in memory, as the event pages' downloads are.
    let whole = convene_app::calendars::calendar_feed(app.svc(), &cal)
        .await
        .unwrap();
    assert!(
        whole.len() > convene_web::spill::KEEP_AT_MOST,
        "{} bytes",
        whole.len()
    );
    assert_eq!(spilled(&app), Vec::<std::path::PathBuf>::new());

    let plain = app
        .send(get("/groups/bench-0/events.ics", None, None))
        .await;
    plain.assert_status(StatusCode::OK);
    assert_eq!(coding(&plain), None);
    assert_eq!(
        plain.headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    assert_eq!(
        plain.headers[header::CONTENT_LENGTH].to_str().unwrap(),
        whole.len().to_string()
    );
    assert!(
        plain.body == whole,
        "the spilled feed differs from the one built whole"
    );
    assert_eq!(
        plain.body.matches("BEGIN:VEVENT").count(),
        4000 + whole.matches("RECURRENCE-ID").count()
    );
    assert_eq!(spilled(&app).len(), 1, "written once, to one folder");

    let br = app
        .send(get("/groups/bench-0/events.ics", Some("gzip, br"), None))
        .await;
    assert_eq!(coding(&br), Some("br"));
    assert_eq!(br.headers[header::VARY], "accept-encoding");
    assert!(br.bytes.len() * 4 < whole.len(), "{} bytes", br.bytes.len());
    assert_eq!(unbrotli(&br.bytes), whole.as_bytes());
    let gz = app
        .send(get("/groups/bench-0/events.ics", Some("gzip"), None))
        .await;
    assert_eq!(coding(&gz), Some("gzip"));
    assert_eq!(ungzip(&gz.bytes), whole.as_bytes());

    // Validators work as for a body in memory.
    let etag = br.headers[header::ETAG].to_str().unwrap().to_owned();
    let again = app
        .send(get("/groups/bench-0/events.ics", Some("br"), Some(&etag)))
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(spilled(&app).len(), 1, "nothing built again for a 304");

    // A change builds the next version; the previous one's files go as
    // soon as the cache lets it go.
    let first = spilled(&app);
    convene_app::calendars::seed_events(app.svc(), 1, 1)
        .await
        .unwrap();
    let changed = app
        .send(get("/groups/bench-0/events.ics", Some("br"), Some(&etag)))
        .await;
    changed.assert_status(StatusCode::OK);
    assert_ne!(changed.headers[header::ETAG].to_str().unwrap(), etag);
    assert_eq!(
        unbrotli(&changed.bytes)
            .windows(12)
            .filter(|w| w == b"BEGIN:VEVENT")
            .count(),
        whole.matches("BEGIN:VEVENT").count() + 1
    );
    let now = spilled(&app);
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now, first);
}
