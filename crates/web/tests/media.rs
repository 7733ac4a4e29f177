//! Photos and videos of meetings: a photo uploaded to a post is stored
//! without its location, in three sizes, and shown in the post's gallery;
//! files that are not photos, decompression bombs and uploads by strangers
//! are refused and change nothing; a video link becomes a click-to-load box
//! whose title and thumbnail come once through oEmbed and are served here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{StatusCode, header};
use common::*;
use convene_app::groups::{RosterFormat, import_roster};
use std::io::Cursor;

const ROSTER: &[u8] = include_bytes!("fixtures/calendar-roster.csv");

const REPORT: &str = "Twenty-five people came to our March meeting.\n\n\
## Talks\n\n\
* **Packaging without tears** — Priya Raman walked through `pyproject.toml`, building wheels and publishing them.\n\
* **Pandas to Polars** — Sam Ortiz showed how a 40-minute report job dropped to 3 minutes.\n\n\
Questions ran long: most were about migrating old setup.py projects.";

/// A JPEG of `w` × `h` pixels.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 4 % 256) as u8, (y * 4 % 256) as u8, 120])
    });
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    out
}

/// `jpeg` with an EXIF block (big-endian TIFF) holding an orientation
/// ("turn 90° clockwise to show") and a GPS position, as phones write them.
fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"MM\0*\0\0\0\x08".to_vec();
    let entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        let mut e = Vec::new();
        e.extend_from_slice(&tag.to_be_bytes());
        e.extend_from_slice(&kind.to_be_bytes());
        e.extend_from_slice(&count.to_be_bytes());
        e.extend_from_slice(&value);
        e
    };
    // IFD0 at 8: two entries, then the GPS IFD at 8 + 2 + 24 + 4 = 38.
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend(entry(0x0112, 3, 1, [0, 6, 0, 0]));
    tiff.extend(entry(0x8825, 4, 1, 38u32.to_be_bytes()));
    tiff.extend_from_slice(&0u32.to_be_bytes());
    // GPS IFD at 38: two entries, its rationals at 38 + 2 + 24 + 4 = 68.
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend(entry(0x0001, 2, 2, *b"N\0\0\0"));
    tiff.extend(entry(0x0002, 5, 3, 68u32.to_be_bytes()));
    tiff.extend_from_slice(&0u32.to_be_bytes());
    for (num, den) in [(42u32, 1u32), (21, 1), (3012, 100)] {
        tiff.extend_from_slice(&num.to_be_bytes());
        tiff.extend_from_slice(&den.to_be_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let plain = jpeg(w, h);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A real PNG of 20,000 × 20,000 black pixels: about 50 kB on disk, 400
/// megapixels once decoded.
fn png_bomb() -> Vec<u8> {
    let (w, h) = (20_000u32, 20_000u32);
    let row = 1 + (w as usize).div_ceil(8);
    let raw = vec![0u8; row * h as usize];
    let idat = miniz_oxide::deflate::compress_to_vec_zlib(&raw, 9);
    let chunk = |kind: &[u8], data: &[u8], out: &mut Vec<u8>| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // 1-bit greyscale
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(b"IHDR", &ihdr, &mut out);
    chunk(b"IDAT", &idat, &mut out);
    chunk(b"IEND", &[], &mut out);
    out
}

/// A multipart photo form.
fn photo_form(csrf: &str, file: &[u8], name: &str, alt: &str) -> (String, Vec<u8>) {
    let boundary = "PhotoBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (field, value) in [("csrf", csrf), ("alt", alt), ("caption", "Front row")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(client: &mut Client<'_>, path: &str, file: &[u8], name: &str, alt: &str) -> Resp {
    let csrf = client.csrf().await;
    let (ct, body) = photo_form(&csrf, file, name, alt);
    client.post_raw(path, &ct, body).await
}

/// A site with Boston Python, its organizer's draft report, and a member.
async fn site_with_draft(app: &TestApp) -> (Client<'_>, String) {
    import_roster(app.svc(), None, RosterFormat::Csv, ROSTER, false)
        .await
        .unwrap();
    let mut coord = coordinator(app).await;
    let mut olu = organizer(app, &mut coord, "olu@example.org", "boston-python").await;
    let r = olu
        .submit(
            "/blog/new",
            &[
                ("title", "March: packaging and Polars"),
                ("body", REPORT),
                ("kind", "meeting_report"),
                ("group", "boston-python"),
                ("tags", "packaging"),
            ],
        )
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let slug = r.post_slug();
    (olu, slug)
}

#[tokio::test]
async fn a_photo_is_stored_upright_without_its_location_in_three_sizes() {
    let app = TestApp::new().await;
    let (mut olu, slug) = site_with_draft(&app).await;
    let original = jpeg_with_gps(600, 400);
    // The original really carries a position (so the check below can fail).
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(&original))
        .unwrap();
    assert!(
        exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );

    let r = upload(
        &mut olu,
        &format!("/blog/{slug}/photos"),
        &original,
        "meetup.jpg",
        "Priya presenting <script>alert(1)</script> packaging",
    )
    .await;
    r.assert_status(StatusCode::SEE_OTHER);
    assert!(
        r.location().contains("done=photo-added"),
        "{}",
        r.location()
    );

    let page = olu.get(&format!("/blog/{slug}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("class=\"gallery\"")
        .assert_contains("alt=\"Priya presenting &")
        .assert_contains("<figcaption>Front row</figcaption>");
    assert!(!page.body.contains("<script>alert(1)"));
    let files = app.media_files();
    assert_eq!(files.len(), 3, "{files:?}");
    for variant in ["large", "medium", "small"] {
        let file = files
            .iter()
            .find(|f| f.ends_with(&format!("/{variant}.jpg")))
            .unwrap();
        let served = olu.get(&format!("/media/{file}")).await;
        served.assert_status(StatusCode::OK);
        assert_eq!(served.headers[header::CONTENT_TYPE], "image/jpeg");
        assert!(
            served.headers[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        // No EXIF at all in what is served, and so no position.
        assert!(
            exif::Reader::new()
                .read_from_container(&mut Cursor::new(&served.bytes))
                .is_err(),
            "{variant} still has EXIF"
        );
        assert!(!served.bytes.windows(6).any(|w| w == b"Exif\0\0"));
        // Turned upright: 600 × 400 shown turned by 90° is 400 × 600.
        let img = image::load_from_memory(&served.bytes).unwrap();
        assert!(img.height() > img.width(), "{variant} was not turned");
    }
    // Keys cannot reach outside the media folder.
    olu.get("/media/../convene.db")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    olu.get("/media/photos/nothing/small.jpg")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_photos_and_strangers_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    let (mut olu, slug) = site_with_draft(&app).await;
    let path = format!("/blog/{slug}/photos");
    let mut mo = member(&app, "mo@example.org").await;
    let before = app.fingerprint().await;

    // A text file named .jpg.
    let r = upload(
        &mut olu,
        &path,
        b"<html><body>not a photo</body></html>",
        "photo.jpg",
        "A photo",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.assert_contains("not a JPEG, PNG or WebP image");
    assert_eq!(app.fingerprint().await, before);

    // A decompression bomb: refused from its header, before decoding.
    let bomb = png_bomb();
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let r = upload(&mut olu, &path, &bomb, "bomb.png", "A photo").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.assert_contains("20000 × 20000 pixels");
    assert_eq!(app.fingerprint().await, before);

    // A JPEG whose header claims 9,000 × 6,000 pixels (54 megapixels).
    let mut claiming = jpeg(64, 48);
    let sof = claiming
        .windows(2)
        .position(|m| m[0] == 0xFF && m[1] == 0xC0)
        .unwrap();
    claiming[sof + 5..sof + 7].copy_from_slice(&6_000u16.to_be_bytes());
    claiming[sof + 7..sof + 9].copy_from_slice(&9_000u16.to_be_bytes());
    let r = upload(&mut olu, &path, &claiming, "big.jpg", "A photo").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.assert_contains("9000 × 6000 pixels");
    r.assert_contains("at most 50 megapixels");
    assert_eq!(app.fingerprint().await, before);

    // A real photo without alt text.
    let r = upload(&mut olu, &path, &jpeg(64, 48), "ok.jpg", "  ").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.assert_contains("Describe the photo");
    assert_eq!(app.fingerprint().await, before);

    // A file over the size limit never reaches the decoder.
    let huge = vec![0xFFu8; convene_domain::media::MAX_PHOTO_BYTES + 100_000];
    let r = upload(&mut olu, &path, &huge, "huge.jpg", "A photo").await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    r.assert_contains("at most 15 MB");
    assert_eq!(app.fingerprint().await, before);

    // A member who is not an author.
    let r = upload(&mut mo, &path, &jpeg(64, 48), "ok.jpg", "A photo").await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "a draft is invisible to others"
    );
    assert_eq!(app.fingerprint().await, before);
    let r = upload(
        &mut mo,
        "/groups/boston-python/photos",
        &jpeg(64, 48),
        "ok.jpg",
        "A photo",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(app.fingerprint().await, before);

    // A form from elsewhere (no CSRF token).
    let (ct, body) = photo_form("forged", &jpeg(64, 48), "ok.jpg", "A photo");
    let r = olu.post_raw(&path, &ct, body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(app.fingerprint().await, before);

    // And the organizer's real photo goes in, then out again.
    upload(&mut olu, &path, &jpeg(64, 48), "ok.jpg", "The room")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.media_files().len(), 3);
    let page = olu.get(&format!("/blog/{slug}")).await;
    let id: String = page
        .body
        .split("action=\"/photos/")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let remove = format!("/photos/{id}/delete");
    mo.submit(&remove, &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.media_files().len(), 3);
    olu.submit(&remove, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_video_link_becomes_a_click_to_load_box_with_a_local_thumbnail() {
    use axum::Router;
    use axum::extract::Query;
    use axum::routing::get;
    use std::collections::HashMap;

    // A PeerTube instance on loopback, with its oEmbed endpoint.
    let thumb = jpeg(320, 180);
    let asked: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let seen = asked.clone();
    let peertube = Router::new()
        .route(
            "/services/oembed",
            get(
                move |Query(q): Query<HashMap<String, String>>, headers: axum::http::HeaderMap| {
                    let seen = seen.clone();
                    async move {
                        let host = headers[header::HOST].to_str().unwrap().to_owned();
                        seen.lock().unwrap().push(q["url"].clone());
                        axum::Json(serde_json::json!({
                            "type": "video",
                            "version": "1.0",
                            "title": "Packaging without tears <b>(live)</b>\n",
                            "author_name": "Boston Python",
                            "thumbnail_url": format!("http://{host}/static/thumb.jpg"),
                        }))
                    }
                },
            ),
        )
        .route(
            "/static/thumb.jpg",
            get(move || {
                let thumb = thumb.clone();
                async move { ([(header::CONTENT_TYPE, "image/jpeg")], thumb) }
            }),
        );
    let addr = TestApp::serve(peertube).await;
    let video = format!("http://{addr}/w/kkGMgK9ZtnKfYAgnEtQxbv");

    let app = TestApp::new().await;
    let (mut olu, slug) = site_with_draft(&app).await;
    let body = format!("{REPORT}\n\nThe recording:\n\n{video}\n");
    olu.submit(
        &format!("/blog/{slug}/edit"),
        &[
            ("title", "March: packaging and Polars"),
            ("body", &body),
            ("kind", "meeting_report"),
            ("group", "boston-python"),
            ("tags", "packaging"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);

    // Before the job: a plain box with a link and nothing from the other site.
    let page = olu.get(&format!("/blog/{slug}")).await;
    page.assert_contains("data-embed=\"peertube\"")
        .assert_contains("Video on PeerTube")
        .assert_contains("<script src=\"/static/embeds.js\" defer></script>");
    assert!(!page.body.contains("<iframe"));
    assert!(!page.body.contains(&format!("src=\"http://{addr}")));

    app.drain_jobs().await;
    assert_eq!(
        asked.lock().unwrap().as_slice(),
        std::slice::from_ref(&video)
    );
    let page = olu.get(&format!("/blog/{slug}")).await;
    page.assert_contains("Packaging without tears &lt;b&gt;(live)&lt;/b&gt;")
        .assert_contains("by Boston Python")
        .assert_contains(&format!(
            "data-player=\"http://{addr}/videos/embed/kkGMgK9ZtnKfYAgnEtQxbv?autoplay=1\""
        ));
    // The thumbnail is served from here, and nothing on the page loads from
    // the video's site until the visitor asks.
    assert!(!page.body.contains("<iframe"));
    assert!(!page.body.contains(&format!("src=\"http://{addr}")));
    let thumb_path: String = page
        .body
        .split("<img src=\"")
        .find(|s| s.starts_with("/media/embeds/"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let served = olu.get(&thumb_path).await;
    served.assert_status(StatusCode::OK);
    assert!(image::load_from_memory(&served.bytes).is_ok());
    // Only this page may frame the player, and only from its own site.
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains(&format!("frame-src http://{addr}")), "{csp}");
    let other = olu.get("/blog").await;
    assert!(
        !other.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-src")
    );
    // A second post with the same link does not ask again.
    olu.submit(
        "/blog/new",
        &[
            ("title", "The recording again"),
            ("body", &body),
            ("kind", "meeting_report"),
            ("group", "boston-python"),
            ("tags", ""),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    app.drain_jobs().await;
    assert_eq!(asked.lock().unwrap().len(), 1);
}
