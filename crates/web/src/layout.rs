//! What every page's layout needs beyond the page itself: the site's
//! identity (name, tagline, logo, accent) as coordinators last set it, the
//! address of the page being answered (for "sign in and come back"), and
//! the stylesheet, theme, logo and icon those pages link to.

use crate::AppState;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use convene_app::site::{Accent, SiteIdentity};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The stylesheet, compiled in.
pub const STYLESHEET: &str = include_str!("../static/style.css");
/// The site icon.
const FAVICON: &str = include_str!("../static/favicon.svg");

/// FNV-1a, evaluated at compile time, so the stylesheet's address changes
/// exactly when its content does.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The stylesheet's content hash.
const STYLESHEET_HASH: u64 = fnv1a(STYLESHEET.as_bytes());

/// The stylesheet's content-hashed address (cached for a year).
pub fn stylesheet_href() -> String {
    format!("/static/style.{STYLESHEET_HASH:016x}.css")
}

/// A year, for addresses whose content never changes.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// How long one node may show an identity another node has changed.
const IDENTITY_TTL: Duration = Duration::from_secs(5);

/// The site's identity, read from the database at most every few seconds.
#[derive(Debug, Default)]
pub struct IdentityCache {
    current: RwLock<Option<(Instant, Arc<SiteIdentity>)>>,
}

impl IdentityCache {
    fn fresh(&self) -> Option<Arc<SiteIdentity>> {
        let guard = self.current.read().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .filter(|(at, _)| at.elapsed() < IDENTITY_TTL)
            .map(|(_, id)| id.clone())
    }

    fn last(&self) -> Option<Arc<SiteIdentity>> {
        let guard = self.current.read().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map(|(_, id)| id.clone())
    }

    /// Replaces the identity (after a coordinator saved a new one).
    pub fn set(&self, identity: SiteIdentity) {
        let mut guard = self.current.write().unwrap_or_else(|e| e.into_inner());
        *guard = Some((Instant::now(), Arc::new(identity)));
    }

    /// The current identity, reloading it when it is older than a few seconds.
    pub async fn get(&self, state: &AppState) -> Arc<SiteIdentity> {
        if let Some(id) = self.fresh() {
            return id;
        }
        match convene_app::site::identity(&state.svc).await {
            Ok(id) => {
                self.set(id);
                self.last().unwrap_or_else(|| Arc::new(fallback(state)))
            }
            Err(e) => {
                tracing::error!(error = %e, "could not read the site's identity");
                self.last().unwrap_or_else(|| Arc::new(fallback(state)))
            }
        }
    }
}

fn fallback(state: &AppState) -> SiteIdentity {
    SiteIdentity {
        name: state.svc.site.name.clone(),
        tagline: String::new(),
        accent: None,
        logo: None,
    }
}

/// What the layout knows about the request being answered.
#[derive(Debug, Clone)]
pub struct RequestScope {
    /// The site's identity.
    pub identity: Arc<SiteIdentity>,
    /// The page's path and query, for a GET (empty otherwise).
    pub here: String,
}

tokio::task_local! {
    static SCOPE: RequestScope;
}

/// The current request's scope, when answering one.
pub fn scope() -> Option<RequestScope> {
    SCOPE.try_with(Clone::clone).ok()
}

/// Middleware: makes the identity and the page's address known to every
/// page rendered while answering the request, error pages included.
pub async fn request_scope(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let identity = state.identity.get(&state).await;
    let here = if req.method() == Method::GET {
        req.uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default()
    } else {
        String::new()
    };
    SCOPE
        .scope(RequestScope { identity, here }, next.run(req))
        .await
}

/// The stylesheet, theme, logo and icon.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/style.css", get(stylesheet))
        .route("/static/{file}", get(hashed_stylesheet))
        .route("/site/theme/{file}", get(theme))
        .route("/site/logo/{file}", get(logo))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
}

fn css(body: String, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

/// `GET /static/style.css`: the old address, for pages cached before the
/// hashed one existed; revalidated hourly.
async fn stylesheet() -> Response {
    css(STYLESHEET.to_owned(), "public, max-age=3600")
}

/// `GET /static/style.{hash}.css`: cached for a year; any other hash is
/// not found, so a stale page never pins a wrong stylesheet.
async fn hashed_stylesheet(Path(file): Path<String>) -> Response {
    if format!("/static/{file}") == stylesheet_href() {
        css(STYLESHEET.to_owned(), IMMUTABLE)
    } else {
        crate::pages::error_page(
            StatusCode::NOT_FOUND,
            "There is nothing at this address. Check the link, or start again from the home page.",
        )
    }
}

/// The address of the theme for `accent`.
pub fn theme_href(accent: &Accent) -> String {
    format!("/site/theme/{}.css", accent.hex().trim_start_matches('#'))
}

/// `GET /site/theme/{rrggbb}.css`: the accent colour's shades; the address
/// names the colour, so it never changes.
async fn theme(Path(file): Path<String>) -> Response {
    let accent = file
        .strip_suffix(".css")
        .and_then(|hex| Accent::parse(&format!("#{hex}")));
    match accent {
        Some(a) => css(a.theme().css(), IMMUTABLE),
        None => crate::pages::error_page(StatusCode::NOT_FOUND, "There is no such theme."),
    }
}

/// `GET /site/logo/{hash}.{ext}`: the stored logo, cached for a year (a new
/// logo gets a new address).
async fn logo(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    match convene_app::site::logo(&state.svc, &file).await {
        Ok(Some(logo)) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(logo.content_type),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            ],
            logo.bytes,
        )
            .into_response(),
        Ok(None) => crate::pages::error_page(StatusCode::NOT_FOUND, "There is no such logo."),
        Err(e) => crate::error::PageError(e).into_response(),
    }
}

/// `GET /favicon.svg` (and `/favicon.ico`, which browsers ask for unprompted).
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
        .into_response()
}
