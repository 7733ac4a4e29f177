//! The JSON API under `/api/v1`.
pub fn routes() -> axum::Router<crate::AppState> { axum::Router::new() }
