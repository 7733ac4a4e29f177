//! The site's identity at `/admin/settings` (name, tagline, logo, accent),
//! and the small things every page carries: a content-hashed stylesheet
//! cached for a year, compression, an icon, a meta description, error
//! pages in the layout, and sign-in that returns to the page that asked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;

const BOUNDARY: &str = "----conveneSettingsBoundary";

/// A multipart body with `fields` and, when given, a `logo` file.
fn multipart(fields: &[(&str, &str)], logo: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((filename, bytes)) = logo {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn save(c: &mut Client<'_>, fields: &[(&str, &str)], logo: Option<(&str, &[u8])>) -> Resp {
    let csrf = c.csrf().await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    c.post_raw(
        "/admin/settings",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        multipart(&all, logo),
    )
    .await
}

/// A form's text fields, its logo, and the message it must get.
type Case<'a> = (
    Vec<(&'a str, &'a str)>,
    Option<(&'a str, &'a [u8])>,
    &'a str,
);

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(4, 4, image::Rgb([200, 30, 60]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The `href` of the first `<link rel="stylesheet">`.
fn stylesheet_href(html: &str) -> String {
    let at = html.find("<link rel=\"stylesheet\" href=\"").unwrap() + 29;
    html[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn bad_identity_input_is_refused_with_a_clear_message_and_changes_nothing() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    coord
        .get("/admin/settings")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("value=\"Python Groups\"");
    let before = app.fingerprint().await;
    let long = "P".repeat(10_000);
    let text = b"GIF89a? no, just words pretending to be a logo".to_vec();
    let forged = {
        let mut b = png();
        b.truncate(20);
        b
    };
    let cases: Vec<Case> = vec![
        (
            vec![("name", long.as_str())],
            None,
            "The site name may be at most 80 characters long; it has 10000.",
        ),
        (
            vec![("name", "<script>alert(1)</script> Groups")],
            None,
            "The site name is shown as plain text in pages and emails; write it without &#60; or &#62; and on one line.",
        ),
        (
            vec![("name", "Python Groups"), ("tagline", "<b>bold</b>")],
            None,
            "The tagline is shown as plain text",
        ),
        (
            vec![("name", "Python Groups"), ("accent", "red")],
            None,
            "Give the accent colour as # and six hexadecimal digits, like #1d4ed8.",
        ),
        (
            vec![("name", "Python Groups"), ("accent", "#12345")],
            None,
            "Give the accent colour as # and six hexadecimal digits",
        ),
        (
            vec![("name", "Python Groups")],
            Some(("logo.png", text.as_slice())),
            "The logo must be a PNG, JPEG or WebP image of at most 512 KB.",
        ),
        (
            vec![("name", "Python Groups")],
            Some(("logo.png", forged.as_slice())),
            "The logo must be a PNG, JPEG or WebP image",
        ),
        (vec![("name", "   ")], None, "Give the site a name"),
    ];
    for (fields, logo, message) in cases {
        let r = save(&mut coord, &fields, logo).await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(message)
            .assert_contains("Please fix this");
        assert!(
            !r.body.contains("<script>alert"),
            "markup is never echoed raw"
        );
        assert_eq!(app.fingerprint().await, before, "{message}");
    }
    // The page still shows the old identity.
    let home = coord.get("/").await;
    home.assert_contains("<title>Python Groups</title>");
    assert!(!home.body.contains("/site/theme/"));

    // Only coordinators may change it.
    let mut mo = member(&app, "mo@example.org").await;
    mo.get("/admin/settings")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let before = app.fingerprint().await;
    save(&mut mo, &[("name", "Mo's site")], None)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_coordinator_sets_name_tagline_logo_and_accent_and_every_page_shows_them_at_once() {
    let app = TestApp::new().await;
    let mut coord = coordinator(&app).await;
    let logo = png();
    let r = save(
        &mut coord,
        &[
            ("name", "PyGroups Worldwide"),
            ("tagline", "Python user groups, everywhere"),
            ("accent", "#FFAA00"),
        ],
        Some(("logo.png", &logo)),
    )
    .await;
    r.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/admin/settings?done=settings-saved");
    coord
        .get("/admin/settings?done=settings-saved")
        .await
        .assert_contains("The site&#39;s identity is saved")
        .assert_contains("value=\"#ffaa00\"");

    let mut visitor = app.client();
    let home = visitor.get("/").await;
    home.assert_status(StatusCode::OK)
        .assert_contains("<title>PyGroups Worldwide</title>")
        .assert_contains("Python user groups, everywhere")
        .assert_contains("<link rel=\"stylesheet\" href=\"/site/theme/ffaa00.css\">");
    let groups = visitor.get("/groups").await;
    groups.assert_contains("PyGroups Worldwide");
    let logo_at = {
        let at = home.body.find("src=\"/site/logo/").unwrap() + 5;
        home.body[at..].split('"').next().unwrap().to_owned()
    };
    assert!(logo_at.ends_with(".png"), "{logo_at}");
    let served = visitor.get(&logo_at).await;
    served.assert_status(StatusCode::OK);
    assert_eq!(served.bytes, logo);
    assert_eq!(served.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        served.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    visitor
        .get("/site/logo/0000000000000000.png")
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // A bright accent is darkened on the light background and kept on the
    // dark one, so text in it stays readable.
    let theme = visitor.get("/site/theme/ffaa00.css").await;
    theme.assert_status(StatusCode::OK);
    assert!(theme.body.starts_with(":root{--accent:#"), "{}", theme.body);
    assert!(
        !theme.body.starts_with(":root{--accent:#ffaa00"),
        "{}",
        theme.body
    );
    assert!(theme.body.contains("prefers-color-scheme: dark"));
    assert_eq!(
        theme.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    visitor
        .get("/site/theme/red.css")
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // Removing the logo and the accent.
    save(
        &mut coord,
        &[
            ("name", "PyGroups Worldwide"),
            ("accent", ""),
            ("remove_logo", "yes"),
        ],
        None,
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let home = visitor.get("/").await;
    assert!(!home.body.contains("/site/logo/"));
    assert!(!home.body.contains("/site/theme/"));
    visitor
        .get(&logo_at)
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_stylesheet_has_a_hashed_address_cached_for_a_year_and_the_old_one_still_works() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let home = c.get("/").await;
    let href = stylesheet_href(&home.body);
    assert!(
        href.starts_with("/static/style.") && href.ends_with(".css") && href.len() == 34,
        "{href}"
    );
    let hashed = c.get(&href).await;
    hashed.assert_status(StatusCode::OK);
    assert_eq!(
        hashed.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        hashed.headers[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    let old = c.get("/static/style.css").await;
    old.assert_status(StatusCode::OK);
    assert_eq!(old.bytes, hashed.bytes);
    assert_eq!(old.headers[header::CACHE_CONTROL], "public, max-age=3600");
    c.get("/static/style.0123456789abcdef.css")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // The icon is linked and served.
    home.assert_contains("<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">");
    for path in ["/favicon.svg", "/favicon.ico"] {
        let icon = c.get(path).await;
        icon.assert_status(StatusCode::OK).assert_contains("<svg");
        assert_eq!(icon.headers[header::CONTENT_TYPE], "image/svg+xml");
    }
}

#[tokio::test]
async fn pages_and_stylesheets_are_compressed_for_browsers_that_ask() {
    let app = TestApp::new().await;
    for (encoding, path) in [
        ("gzip", "/"),
        ("br", "/static/style.css"),
        ("gzip", "/groups"),
    ] {
        let req = Request::get(path)
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.headers[header::CONTENT_ENCODING], encoding, "{path}");
        let plain = app.client().get(path).await;
        assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
        assert!(r.bytes.len() < plain.bytes.len(), "{path}");
    }
    let req = Request::get("/")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    let text = String::from_utf8(gunzip(&r.bytes)).unwrap();
    assert!(text.contains("<title>Python Groups</title>"));
}

/// The deflate stream inside a gzip member with a plain 10-byte header.
fn gunzip(gz: &[u8]) -> Vec<u8> {
    assert_eq!(&gz[..3], &[0x1f, 0x8b, 8], "a gzip member");
    miniz_oxide::inflate::decompress_to_vec(&gz[10..gz.len() - 8]).unwrap()
}

#[tokio::test]
async fn every_page_has_a_meta_description_and_errors_show_the_site_in_its_layout() {
    let app = TestApp::new().await;
    let mut c = app.client();
    for path in ["/", "/groups", "/calendar", "/blog", "/lists", "/signin"] {
        let r = c.get(path).await;
        r.assert_status(StatusCode::OK)
            .assert_contains("<meta name=\"description\" content=\"");
        let at = r
            .body
            .find("<meta name=\"description\" content=\"")
            .unwrap()
            + 34;
        let description = r.body[at..].split('"').next().unwrap();
        assert!(description.len() > 40, "{path}: {description}");
    }
    let missing = c.get("/no/such/page").await;
    missing
        .assert_status(StatusCode::NOT_FOUND)
        .assert_contains("<title>Page not found · Python Groups</title>")
        .assert_contains("Error 404 on Python Groups")
        .assert_contains("<nav aria-label=\"Main\">")
        .assert_contains("/static/style.");
    // A page that needs an account offers sign-in that comes back to it.
    c.get("/admin/settings")
        .await
        .assert_status(StatusCode::UNAUTHORIZED)
        .assert_contains(
            "<a class=\"button\" href=\"/signin?next=%2Fadmin%2Fsettings\">Sign in to continue</a>",
        );
    // And the header's sign-in link on any page does too.
    c.get("/blog")
        .await
        .assert_contains("<a href=\"/signin?next=%2Fblog\">Sign in</a>");
}

#[tokio::test]
async fn sign_in_returns_to_the_page_that_asked_and_never_to_another_site() {
    let app = TestApp::new().await;
    drop(coordinator(&app).await);
    let cases = [
        ("/blog?page=2", "/blog?page=2&done=signed-in"),
        ("/admin/settings", "/admin/settings?done=signed-in"),
        ("//evil.example/steal", "/account?done=signed-in"),
        ("https://evil.example/", "/account?done=signed-in"),
        ("/\\evil.example", "/account?done=signed-in"),
        ("", "/account?done=signed-in"),
    ];
    for (next, expected) in cases {
        let mut c = app.client();
        let form = c
            .get(&format!(
                "/signin?{}",
                serde_urlencoded::to_string([("next", next)]).unwrap()
            ))
            .await;
        form.assert_status(StatusCode::OK);
        let r = c
            .submit(
                "/signin",
                &[
                    ("email", "coord@example.org"),
                    ("password", "violet kettle harbour"),
                    ("next", next),
                ],
            )
            .await;
        r.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(r.location(), expected, "next={next}");
    }
}
