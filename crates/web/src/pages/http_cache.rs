//! Validators for cacheable answers: `ETag`, `Last-Modified` and 304s.

use crate::packed::Packed;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

pub fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|list| list.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

pub fn not_modified(etag: &str) -> Response {
    (
        StatusCode::NOT_MODIFIED,
        [
            (header::ETAG, etag.to_owned()),
            (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
            (header::VARY, "accept-encoding".to_owned()),
        ],
    )
        .into_response()
}

/// A small stable hash of a key, for validators.
pub fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Answers 304 when the client's validators match, else the body with
/// them, in the compressed form the client prefers (see [`Packed`]).
pub fn conditional(
    headers: &HeaderMap,
    etag: &str,
    modified: DateTime<Utc>,
    content_type: &'static str,
    body: &Packed,
) -> Response {
    if fresh(headers, etag, modified) {
        return not_modified(etag);
    }
    validated(packed_response(headers, content_type, body), etag, modified)
}

/// [`conditional`] for a body that may have been spilled to disk.
pub async fn conditional_built(
    headers: &HeaderMap,
    etag: &str,
    modified: DateTime<Utc>,
    content_type: &'static str,
    body: &crate::spill::Built,
) -> Response {
    if fresh(headers, etag, modified) {
        return not_modified(etag);
    }
    validated(body.respond(headers, content_type).await, etag, modified)
}

/// Whether the client's copy is current: its `If-None-Match` names
/// `etag`, or (without one) its `If-Modified-Since` is not before
/// `modified`.
fn fresh(headers: &HeaderMap, etag: &str, modified: DateTime<Utc>) -> bool {
    if headers.contains_key(header::IF_NONE_MATCH) {
        etag_matches(headers, etag)
    } else {
        headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(&v.replace("GMT", "+0000")).ok())
            .is_some_and(|since| modified.timestamp() <= since.timestamp())
    }
}

/// `response` with its validators and how long it may be kept.
fn validated(mut response: Response, etag: &str, modified: DateTime<Utc>) -> Response {
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        h.insert(header::LAST_MODIFIED, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// A 200 with `body` in the coding the request prefers, its
/// `Content-Type`, and `Vary: Accept-Encoding`.
pub fn packed_response(headers: &HeaderMap, content_type: &'static str, body: &Packed) -> Response {
    let (coding, bytes) = body.respond(headers);
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(coding) = coding {
        h.insert(header::CONTENT_ENCODING, coding);
    }
    response
}
