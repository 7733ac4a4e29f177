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
    waiting: Vec<Waiting>,
    nothing_waits: bool,
}

/// One kind of waiting work on the dashboard.
struct Waiting {
    count: i64,
    what: &'static str,
    href: String,
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
    let (counts, held_lists) = admin::waiting(&state.svc).await?;
    let held_href = match held_lists.as_slice() {
        [(name, _)] => format!("/lists/{name}/moderation"),
        _ => "/lists".to_owned(),
    };
    let waiting = vec![
        Waiting {
            count: counts.posts_in_review,
            what: "Posts in review",
            href: "/blog/desk".to_owned(),
        },
        Waiting {
            count: counts.groups_proposed,
            what: "Groups proposed",
            href: "/admin/groups".to_owned(),
        },
        Waiting {
            count: counts.held_messages,
            what: "Held list messages",
            href: held_href,
        },
        Waiting {
            count: counts.held_comments,
            what: "Comments to moderate",
            href: "/blog/moderation".to_owned(),
        },
        Waiting {
            count: counts.failing_links,
            what: "Failing links",
            href: "/admin/groups".to_owned(),
        },
        Waiting {
            count: counts.dead_jobs,
            what: "Dead jobs",
            href: "/admin/jobs?state=dead".to_owned(),
        },
    ];
    let ctx = PageCtx::new(&state, &visitor, "Run the site").with_notice(done.done.as_deref());
    Ok(render(
        StatusCode::OK,
        &AdminPage {
            ctx,
            signup_open,
            job_counts,
            outbox: state.outbox.is_some(),
            users,
            nothing_waits: waiting.iter().all(|w| w.count == 0),
            waiting,
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
