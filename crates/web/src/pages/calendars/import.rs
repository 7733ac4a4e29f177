//! A one-off .ics upload into a calendar.

use super::*;
use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::middleware::CsrfToken;
use crate::pages::{FormErrors, error_page};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use convene_app::calendars::{self};

/// `POST /calendars/{slug}/import`: a one-off .ics upload (multipart, fields `csrf` and `file`).
pub async fn import(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    axum::Extension(CsrfToken(expected, fresh)): axum::Extension<CsrfToken>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (mut sent_csrf, mut file) = (String::new(), Vec::new());
    let too_big = || {
        error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The file could not be read: an .ics file (or a zip of them) may be at most 2 MB.",
        )
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Ok(too_big()),
        };
        match field.name().unwrap_or_default() {
            "csrf" => sent_csrf = field.text().await.unwrap_or_default(),
            "file" => match field.bytes().await {
                Ok(b) => file = b.to_vec(),
                Err(_) => return Ok(too_big()),
            },
            _ => {}
        }
    }
    if fresh || sent_csrf.is_empty() || sent_csrf != expected {
        return Ok(error_page(
            StatusCode::FORBIDDEN,
            "This form has expired or was not sent from this site's own page. Go back, reload the page and try again.",
        ));
    }
    let cal = calendars::calendar(&state.svc, &slug).await?;
    match calendars::import_ics(&state.svc, Some(&me.actor), &cal, &file).await {
        Ok(report) => {
            calendar_page(
                &state,
                &visitor,
                &headers,
                cal,
                &CalendarQuery::default(),
                Some(report),
                FormErrors::default(),
            )
            .await
        }
        Err(e) => form_failure(&state, &visitor, &headers, &slug, e, &["file"]).await,
    }
}

/// `GET /calendars/{slug}/import`: reloading the page an upload answered
/// leads back to the calendar (the report was shown once, the file is not
/// sent again).
pub async fn import_reloaded(axum::extract::Path(slug): axum::extract::Path<String>) -> Response {
    crate::headers::see_other(&format!("/calendars/{slug}"))
}
