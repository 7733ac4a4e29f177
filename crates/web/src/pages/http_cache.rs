//! Validators for cacheable answers: `ETag`, `Last-Modified` and 304s.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
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

/// Answers 304 when the client's validators match, else the body with them.
pub fn conditional(
    headers: &HeaderMap,
    etag: &str,
    modified: DateTime<Utc>,
    content_type: &'static str,
    body: Bytes,
) -> Response {
    let fresh = if headers.contains_key(header::IF_NONE_MATCH) {
        etag_matches(headers, etag)
    } else {
        headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(&v.replace("GMT", "+0000")).ok())
            .is_some_and(|since| modified.timestamp() <= since.timestamp())
    };
    if fresh {
        return not_modified(etag);
    }
    (
        StatusCode::OK,
        [
            (header::ETAG, etag.to_owned()),
            (
                header::LAST_MODIFIED,
                modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            ),
            (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
        ],
        [(header::CONTENT_TYPE, content_type)],
        body,
    )
        .into_response()
}
