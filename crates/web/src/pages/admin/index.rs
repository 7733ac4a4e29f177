//! `/admin`: the coordinator's overview.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use crate::pages::{Done, PageCtx, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::{accounts, admin};
use convene_domain::{Action, authorize};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin/index.html")]
struct AdminPage {
    ctx: PageCtx,
    signup_open: bool,
    job_counts: Vec<(&'static str, i64)>,
    outbox: bool,
    users: i64,
}

/// `GET /admin`.
pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    authorize(Some(&me.actor), &Action::AdministerSite)?;
    let signup_open = accounts::signup_open(&state.svc).await?;
    let job_counts = admin::job_counts(&state.svc).await?;
    let users = {
        let mut conn = state
            .svc
            .db
            .conn()
            .await
            .map_err(convene_app::AppError::from)?;
        convene_store::users::count(conn.ex())
            .await
            .map_err(convene_app::AppError::from)?
    };
    let ctx = PageCtx::new(&state, &visitor, "Run the site").with_notice(done.done.as_deref());
    Ok(render(
        StatusCode::OK,
        &AdminPage {
            ctx,
            signup_open,
            job_counts,
            outbox: state.outbox.is_some(),
            users,
        },
    ))
}

/// The sign-up switch.
#[derive(Debug, Deserialize)]
pub struct SignupSwitch {
    open: String,
}

/// `POST /admin/signup`.
pub async fn set_signup(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<SignupSwitch>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let open = form.open == "true";
    accounts::set_signup_open(&state.svc, &me.actor, open).await?;
    Ok(see_other(if open {
        "/admin?done=signup-opened"
    } else {
        "/admin?done=signup-closed"
    }))
}
