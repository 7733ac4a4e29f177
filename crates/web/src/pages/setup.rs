//! `/setup/{token}`: the first coordinator creates their account from the
//! link the server printed at start-up.

use super::{FormErrors, PageCtx, render, signed_in_redirect};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::accounts::{self, FirstCoordinator, LinkPurpose};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    ctx: PageCtx,
    action: String,
    email: String,
    display_name: String,
    errors: FormErrors,
}

/// `GET /setup/{token}`.
pub async fn setup_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    accounts::link_is_usable(&state.svc, &token, LinkPurpose::FirstCoordinator).await?;
    let ctx = PageCtx::new(&state, &visitor, "Set up this site");
    Ok(render(
        StatusCode::OK,
        &SetupPage {
            ctx,
            action: format!("/setup/{token}"),
            email: String::new(),
            display_name: String::new(),
            errors: FormErrors::default(),
        },
    ))
}

/// The set-up form.
#[derive(Debug, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

/// `POST /setup/{token}`.
pub async fn setup(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> Result<Response, PageError> {
    let input = FirstCoordinator {
        email: &form.email,
        display_name: &form.display_name,
        password: &form.password,
    };
    match accounts::set_up_first_coordinator(&state.svc, &token, &input).await {
        Ok(session) => Ok(signed_in_redirect(&state, &session, "/admin?done=welcome")),
        Err(e) => {
            let Some((status, errors)) =
                FormErrors::from_app(&e, &["email", "display_name", "password"])
            else {
                return Err(e.into());
            };
            let ctx = PageCtx::new(&state, &visitor, "Set up this site");
            Ok(render(
                status,
                &SetupPage {
                    ctx,
                    action: format!("/setup/{token}"),
                    email: form.email,
                    display_name: form.display_name,
                    errors,
                },
            ))
        }
    }
}
