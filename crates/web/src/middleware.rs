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
/// The known-device mark, set at each password sign-in: with it, the
/// account's correct password gets through even while strangers' guesses
/// have used up the sign-in limits.
pub const DEVICE_COOKIE: CookieName = CookieName("convene_device", "__Host-convene_device");
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

/// True for an ActivityPub inbox: the shared one, or an actor's.
fn is_inbox(path: &str) -> bool {
    path == "/inbox"
        || (path.ends_with("/inbox")
            && ["/actor/", "/groups/", "/calendars/"]
                .iter()
                .any(|p| path.starts_with(p)))
}

/// Gives every visitor a CSRF cookie, and refuses cross-origin
/// state-changing requests to pages (the API uses bearer tokens instead).
pub async fn csrf_cookie(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let https = state.svc.site.is_https();
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // One-click unsubscribe (RFC 8058) is posted by mail providers, not by
    // our pages; other servers post to inboxes, signed (HTTP Signatures).
    let exempt = ["/api/", "/unsubscribe/"]
        .iter()
        .any(|p| req.uri().path().starts_with(p))
        || is_inbox(req.uri().path());
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
        "/.well-known/",
        "/nodeinfo/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
        || is_inbox(path)
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

/// Pages that show one person's data or carry a secret in their address,
/// whoever asks for them: never kept by a browser or a shared cache.
fn is_private_path(path: &str) -> bool {
    const PREFIXES: [&str; 10] = [
        "/account",
        "/admin",
        "/invite",
        "/invitations/",
        "/setup/",
        "/verify/",
        "/reset",
        "/signin",
        "/signup",
        "/blog/desk",
    ];
    PREFIXES.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || p.ends_with('/'))
    }) || path.contains("/moderation")
        || path.ends_with("/attendees")
        || path == "/api/v1/me"
        || path.starts_with("/api/v1/me/")
}

/// Security headers on every answer, unless a route set its own (the embed
/// routes of later features allow framing). On an https site every answer
/// carries HSTS; an answer to someone signed in (a session cookie or an API
/// token) and every private page is `Cache-Control: no-store` unless the
/// route chose its own caching (public feeds and files).
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let https = state.svc.site.is_https();
    let path = req.uri().path();
    // Embed routes are made to be framed and fetched by other sites.
    let embed = path.starts_with("/embed/");
    let personal = is_private_path(path)
        || req.headers().contains_key(header::AUTHORIZATION)
        || cookie_value(req.headers(), SESSION_COOKIE.name(https)).is_some();
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000"),
        );
    }
    // A sign-in answer sets the session cookie itself: keep it out of caches too.
    let starts_session = h
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with(SESSION_COOKIE.name(https)));
    if (personal || starts_session) && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
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
