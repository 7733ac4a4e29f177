//! Health and metrics endpoints for load balancers and monitoring.

use crate::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

/// `/healthz`, `/livez` and `/metrics`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/livez", get(livez))
        .route("/metrics", get(metrics))
}

/// 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.svc.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok: database answers\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable: database does not answer\n",
            )
        }
    }
}

/// 200 as long as the process serves requests; touches nothing else. Also
/// the benchmark's baseline for what the server can do at all.
async fn livez() -> &'static str {
    "ok\n"
}

/// Prometheus text format.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let jobs = convene_app::admin::job_counts(&state.svc)
        .await
        .unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&jobs),
    )
}
