//! `/admin/groups`: proposals to review, stale entries, broken links, and importing a roster.

use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::middleware::CsrfToken;
use crate::pages::{PageCtx, error_page, render};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::groups::{self, Care, ImportReport, RosterFormat};

#[derive(Template)]
#[template(path = "admin/groups.html")]
struct GroupsAdminPage {
    ctx: PageCtx,
    care: Care,
    report: Option<ImportReport>,
}

/// `GET /admin/groups`.
pub async fn groups_admin(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let care = groups::care(&state.svc, &me.actor).await?;
    let ctx = PageCtx::new(&state, &visitor, "The roster");
    Ok(render(
        StatusCode::OK,
        &GroupsAdminPage {
            ctx,
            care,
            report: None,
        },
    ))
}

/// `POST /admin/groups/import`: a roster file, as multipart/form-data with
/// fields `csrf`, `file` and optionally `strict`.
pub async fn import(
    State(state): State<AppState>,
    visitor: Visitor,
    axum::Extension(CsrfToken(expected, fresh)): axum::Extension<CsrfToken>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (mut sent_csrf, mut file, mut name, mut strict) =
        (String::new(), Vec::new(), String::new(), false);
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Ok(error_page(
                    e.status(),
                    "The upload could not be read. Try again, or check the file's size (at most 8 MB).",
                ));
            }
        };
        match field.name().unwrap_or_default() {
            "csrf" => sent_csrf = field.text().await.unwrap_or_default(),
            "strict" => strict = true,
            "file" => {
                name = field.file_name().unwrap_or_default().to_owned();
                match field.bytes().await {
                    Ok(b) => file = b.to_vec(),
                    Err(e) => {
                        return Ok(error_page(
                            e.status(),
                            "The upload could not be read. Try again, or check the file's size (at most 8 MB).",
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if fresh || sent_csrf.is_empty() || sent_csrf != expected {
        return Ok(error_page(
            StatusCode::FORBIDDEN,
            "This form has expired or was not sent from this site's own page. Go back, reload the page and try again.",
        ));
    }
    if file.is_empty() {
        return Ok(error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a file to import: the wiki page saved as Markdown (.md) or a CSV file.",
        ));
    }
    let format = RosterFormat::guess(&name, &file);
    let report = groups::import_roster(&state.svc, Some(&me.actor), format, &file, strict).await?;
    let care = groups::care(&state.svc, &me.actor).await?;
    let ctx = PageCtx::new(&state, &visitor, "The roster");
    let status = if report.rolled_back {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &GroupsAdminPage {
            ctx,
            care,
            report: Some(report),
        },
    ))
}
