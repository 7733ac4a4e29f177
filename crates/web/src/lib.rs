//! convene's web adapter: server-rendered pages that work without
//! JavaScript, the JSON API under `/api/v1`, health and metrics endpoints.
//!
//! [`router`] builds the whole application from an [`AppState`]; the binary
//! serves it and tests drive it in-process.

pub mod api;
pub mod cache;
pub mod error;
pub mod extract;
pub mod federation;
pub mod feed_links;
pub mod headers;
pub mod health;
pub mod layout;
pub mod markdown;
pub mod metrics;
pub mod middleware;
pub mod packed;
pub mod pages;
pub mod serve;
pub mod spill;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use convene_app::Services;
use convene_app::mail::OutboxMailer;
use std::sync::Arc;

/// Settings of the web adapter.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Trust `X-Forwarded-For` for the client's address (behind a proxy).
    pub trust_proxy: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Let outside calendar feeds point to private and loopback addresses.
    pub fetch_allow_private: bool,
    /// Where bodies too large to keep in memory are written (see
    /// [`spill`]).
    pub spill_dir: std::path::PathBuf,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            trust_proxy: false,
            max_body_bytes: 64 * 1024,
            fetch_allow_private: false,
            spill_dir: std::env::temp_dir().join("convene-spill"),
        }
    }
}

/// Everything handlers share.
#[derive(Clone)]
pub struct AppState {
    /// Use-case services.
    pub svc: Services,
    /// The outbox, when mail is written to files instead of sent.
    pub outbox: Option<OutboxMailer>,
    /// Request and job metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// Whole-roster pages, until the roster changes.
    pub roster_cache: Arc<cache::RosterCache>,
    /// Calendar feeds, pages and widget data, until any calendar changes.
    pub calendar_cache: Arc<cache::RosterCache>,
    /// Checks outside feed addresses before they are subscribed.
    pub fetcher: Arc<convene_app::net::Fetcher>,
    /// Adapter settings.
    pub config: Arc<WebConfig>,
    /// The site's name, tagline, logo and accent, as coordinators set them.
    pub identity: Arc<layout::IdentityCache>,
}

impl AppState {
    /// State over `svc`.
    pub fn new(svc: Services, outbox: Option<OutboxMailer>, config: WebConfig) -> Self {
        Self {
            svc,
            outbox,
            metrics: Arc::new(metrics::Metrics::default()),
            roster_cache: Arc::new(cache::RosterCache::default()),
            calendar_cache: Arc::new(cache::RosterCache::default()),
            fetcher: Arc::new(convene_app::net::Fetcher::new(
                convene_app::net::FetchPolicy {
                    allow_private: config.fetch_allow_private,
                    ..Default::default()
                },
            )),
            config: Arc::new(config),
            identity: Arc::new(layout::IdentityCache::default()),
        }
    }
}

/// The whole site.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    Router::new()
        .merge(pages::routes())
        .merge(layout::routes())
        .nest("/api/v1", api::routes())
        .merge(health::routes())
        .merge(federation::routes())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            federation::negotiate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::csrf_cookie,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            layout::request_scope,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        // Every body is read through an extractor, so this one limit covers
        // all routes; the roster import route raises it for itself.
        .layer(DefaultBodyLimit::max(limit))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
