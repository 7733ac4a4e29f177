//! Response header values built from data a request or a stored file can
//! influence. Every such value goes through here, so no byte a visitor chose
//! can end a header, start another one or add a parameter.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fmt::Write;

/// A `303 See Other` to `location`, a path on this site (or an absolute
/// URL convene built). Bytes a URI may not hold (controls, spaces, quotes,
/// anything beyond ASCII) are percent-encoded, so the redirect can never
/// fail or split the header whatever found its way into the path.
pub fn see_other(location: &str) -> Response {
    redirect(StatusCode::SEE_OTHER, location)
}

/// A `301 Moved Permanently` to `location`, encoded as [`see_other`] does.
pub fn moved_permanently(location: &str) -> Response {
    redirect(StatusCode::MOVED_PERMANENTLY, location)
}

fn redirect(status: StatusCode, location: &str) -> Response {
    let mut encoded = String::with_capacity(location.len());
    for b in location.bytes() {
        if b.is_ascii_graphic()
            && !matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            )
        {
            encoded.push(char::from(b));
        } else {
            let _ = write!(encoded, "%{b:02X}");
        }
    }
    let value = HeaderValue::from_str(&encoded).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (status, [(header::LOCATION, value)]).into_response()
}

/// A `Content-Disposition: attachment` naming the file `name` (RFC 6266):
/// a plain `filename` of safe ASCII for every client, and `filename*`
/// (RFC 8187, UTF-8, percent-encoded) when the name holds anything else.
/// A quote, backslash, semicolon or line end in `name` can therefore never
/// close the parameter or add one.
pub fn download_as(name: &str) -> HeaderValue {
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')' | '+') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let fallback = match fallback.trim() {
        "" => "download".to_owned(),
        f => f.to_owned(),
    };
    let mut value = format!("attachment; filename=\"{fallback}\"");
    if fallback != name {
        value.push_str("; filename*=UTF-8''");
        for b in name.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                value.push(char::from(b));
            } else {
                let _ = write!(value, "%{b:02X}");
            }
        }
    }
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_never_carry_line_ends_or_quotes() {
        let r = see_other("/groups/a\r\nSet-Cookie: x=1?done=\"ok\" é");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()[header::LOCATION],
            "/groups/a%0D%0ASet-Cookie:%20x=1?done=%22ok%22%20%C3%A9"
        );
        let r = see_other("/events/4?at=20261208T190000&done=rsvp-going#top");
        assert_eq!(
            r.headers()[header::LOCATION],
            "/events/4?at=20261208T190000&done=rsvp-going#top"
        );
    }

    #[test]
    fn attachment_names_cannot_add_parameters() {
        assert_eq!(
            download_as("attendees-4-20261208T190000.csv"),
            "attachment; filename=\"attendees-4-20261208T190000.csv\""
        );
        assert_eq!(
            download_as("x\"; filename*=UTF-8''evil.exe"),
            "attachment; filename=\"x__ filename__UTF-8__evil.exe\"; filename*=UTF-8''x%22%3B%20filename%2A%3DUTF-8%27%27evil.exe"
        );
        assert_eq!(download_as("a\r\nb.csv"), "attachment; filename=\"ab.csv\"");
        assert_eq!(
            download_as("Überblick.pdf"),
            "attachment; filename=\"_berblick.pdf\"; filename*=UTF-8''%C3%9Cberblick.pdf"
        );
        assert_eq!(
            download_as("\"\""),
            "attachment; filename=\"__\"; filename*=UTF-8''%22%22"
        );
    }
}
