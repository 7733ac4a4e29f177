//! `/admin/groups`: proposals to review, roster entries held by an import,
//! stale entries, broken links, and importing a roster.

use crate::AppState;
use crate::error::PageError;
use crate::extract::CsrfForm;
use crate::extract::Visitor;
use crate::headers::see_other;
use crate::middleware::CsrfToken;
use crate::pages::{Done, PageCtx, error_page, render};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::groups::{self, Care, ImportReport, RosterFormat};
use convene_store::roster_reviews::ReviewRow;

#[derive(Template)]
#[template(path = "admin/groups.html")]
struct GroupsAdminPage {
    ctx: PageCtx,
    care: Care,
    report: Option<ImportReport>,
    held: Vec<HeldItem>,
}

/// One held roster entry as the review list shows it.
struct HeldItem {
    id: i64,
    line: i64,
    name: String,
    reason: String,
    place: String,
    description: String,
    links: Vec<String>,
}

impl HeldItem {
    fn from_row(r: ReviewRow) -> Self {
        let place = [
            r.region.as_str(),
            &crate::pages::groups::country_name(&r.country),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
        HeldItem {
            id: r.id,
            line: r.line,
            links: r
                .links
                .lines()
                .filter_map(|l| l.split_once(' ').map(|(_, url)| url.to_owned()))
                .collect(),
            name: r.name,
            reason: r.reason,
            place,
            description: r.description,
        }
    }
}

async fn held(state: &AppState, me: &convene_domain::Actor) -> Result<Vec<HeldItem>, PageError> {
    Ok(groups::held_entries(&state.svc, me)
        .await?
        .into_iter()
        .map(HeldItem::from_row)
        .collect())
}

/// The accept form: the group's name (the held name when empty).
#[derive(serde::Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    name: String,
}

/// `POST /admin/groups/held/{id}/accept`.
pub async fn accept_held(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let slug = groups::accept_held(&state.svc, &me.actor, id, &form.name).await?;
    Ok(see_other(&format!("/groups/{slug}?done=held-accepted")))
}

/// `POST /admin/groups/held/{id}/dismiss`.
pub async fn dismiss_held(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::extract::NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    groups::dismiss_held(&state.svc, &me.actor, id).await?;
    Ok(see_other("/admin/groups?done=held-dismissed#held"))
}

/// `GET /admin/groups`.
pub async fn groups_admin(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let care = groups::care(&state.svc, &me.actor).await?;
    let held = held(&state, &me.actor).await?;
    let ctx = PageCtx::new(&state, &visitor, "The roster").with_notice(done.done.as_deref());
    Ok(render(
        StatusCode::OK,
        &GroupsAdminPage {
            ctx,
            care,
            report: None,
            held,
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
    let held = held(&state, &me.actor).await?;
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
            held,
        },
    ))
}
