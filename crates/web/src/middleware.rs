//! Cross-cutting layers: security headers, the CSRF cookie and a same-origin
//! check on every state-changing request outside the API.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// A cookie whose name gains the `__Host-` prefix on https sites, which
/// stops a sibling subdomain from planting it.
#[derive(Debug, Clone, Copy)]
pub struct CookieName(&'static str, &'static str);

impl CookieName {
    /// The name to use.
    pub fn name(self, https: bool) -> &'static str {
        if https { self.1 } else { self.0 }
    }
}

/// The session cookie.
pub const SESSION_COOKIE: CookieName = CookieName("convene_session", "__Host-convene_session");
/// The CSRF cookie (double-submit: its value must come back in each form).
pub const CSRF_COOKIE: CookieName = CookieName("convene_csrf", "__Host-convene_csrf");

/// The visitor's CSRF token, and whether it was made for this request
/// (in which case no form can carry it yet).
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String, pub bool);

/// The value of cookie `name`, if sent.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value with convene's cookie policy: `HttpOnly`,
/// `SameSite=Lax`, `Path=/`, and `Secure` on https sites.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    let v =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn is_token(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Gives every visitor a CSRF cookie, and refuses cross-origin
/// state-changing requests to pages (the API uses bearer tokens instead).
pub async fn csrf_cookie(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let https = state.svc.site.is_https();
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // One-click unsubscribe (RFC 8058) is posted by mail providers, not by our pages.
    let exempt = ["/api/", "/unsubscribe/"]
        .iter()
        .any(|p| req.uri().path().starts_with(p));
    if unsafe_method && !exempt && !same_origin(req.headers()) {
        return crate::pages::error_page(
            StatusCode::FORBIDDEN,
            "This form was sent from another site. Open the page on this site and try again.",
        );
    }
    let path = req.uri().path();
    if [
        "/api/",
        "/static/",
        "/embed/",
        "/my-events/",
        "/unsubscribe/",
        "/healthz",
        "/livez",
        "/metrics",
    ]
    .iter()
    .any(|p| path.starts_with(p))
    {
        return next.run(req).await;
    }
    let name = CSRF_COOKIE.name(https);
    let existing = cookie_value(req.headers(), name).filter(|v| is_token(v));
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (state.svc.tokens.new_token().expose().to_owned(), true),
    };
    req.extensions_mut().insert(CsrfToken(token.clone(), fresh));
    let mut response = next.run(req).await;
    if fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(name, &token, 60 * 60 * 24 * 365, https),
        );
    }
    response
}

/// True unless the browser says the request came from another origin.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
}

/// Security headers on every answer, unless a route set its own (the embed
/// routes of later features allow framing).
pub async fn security_headers(req: Request, next: Next) -> Response {
    // Embed routes are made to be framed and fetched by other sites.
    let embed = req.uri().path().starts_with("/embed/");
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    if embed {
        let embed_defaults: [(&str, &str); 4] = [
            (
                "content-security-policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors *",
            ),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("cross-origin-resource-policy", "cross-origin"),
        ];
        for (name, value) in embed_defaults {
            if !h.contains_key(name) {
                h.insert(name, HeaderValue::from_static(value));
            }
        }
        return response;
    }
    let defaults: [(&str, &str); 6] = [
        (
            "content-security-policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        (
            "permissions-policy",
            "geolocation=(), camera=(), microphone=()",
        ),
        ("cross-origin-opener-policy", "same-origin"),
    ];
    for (name, value) in defaults {
        if !h.contains_key(name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}
