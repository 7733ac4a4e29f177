//! Forgotten passwords: asking for a reset link, and choosing a new password.

use super::links::EmailForm;
use super::{EmailOnly, EmailSent};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{ClientIp, CsrfForm, Visitor};
use crate::pages::{FormErrors, PageCtx, render, signed_in_redirect};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::accounts::{self, LinkPurpose};
use serde::Deserialize;

fn forgot_page(
    state: &AppState,
    visitor: &Visitor,
    email: String,
    errors: FormErrors,
) -> EmailOnly {
    EmailOnly {
        ctx: PageCtx::new(state, visitor, "Forgot your password?"),
        intro: "Enter your address and we will email you a link to choose a new password. It works once, within an hour.",
        action: "/password/forgot",
        button: "Email me a reset link",
        email,
        errors,
    }
}

/// `GET /password/forgot`.
pub async fn forgot_form(State(state): State<AppState>, visitor: Visitor) -> Response {
    render(
        StatusCode::OK,
        &forgot_page(&state, &visitor, String::new(), FormErrors::default()),
    )
}

/// `POST /password/forgot`.
pub async fn forgot(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, PageError> {
    match accounts::request_password_reset(&state.svc, &form.email, &ip).await {
        Ok(()) => Ok(render(
            StatusCode::OK,
            &EmailSent {
                ctx: PageCtx::new(&state, &visitor, "Check your email"),
                message: "If that address has an account here, a link to choose a new password is on its way. It works once, within an hour.",
            },
        )),
        Err(e) => {
            let Some((status, errors)) = FormErrors::from_app(&e, &["email"]) else {
                return Err(e.into());
            };
            let mut response = render(status, &forgot_page(&state, &visitor, form.email, errors));
            crate::error::retry_after(&e, &mut response);
            Ok(response)
        }
    }
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    ctx: PageCtx,
    action: String,
    errors: FormErrors,
}

/// `GET /password/reset/{token}`: checks the link before showing the form.
pub async fn reset_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    accounts::link_is_usable(&state.svc, &token, LinkPurpose::PasswordReset).await?;
    let ctx = PageCtx::new(&state, &visitor, "Choose a password");
    Ok(render(
        StatusCode::OK,
        &ResetPage {
            ctx,
            action: format!("/password/reset/{token}"),
            errors: FormErrors::default(),
        },
    ))
}

/// The new-password form.
#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// `POST /password/reset/{token}`.
pub async fn reset(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<Response, PageError> {
    match accounts::reset_password(&state.svc, &token, &form.password).await {
        Ok(session) => Ok(signed_in_redirect(
            &state,
            &session,
            "/account?done=password-set",
        )),
        Err(e) => {
            let Some((status, errors)) = FormErrors::from_app(&e, &["password"]) else {
                return Err(e.into());
            };
            let ctx = PageCtx::new(&state, &visitor, "Choose a password");
            Ok(render(
                status,
                &ResetPage {
                    ctx,
                    action: format!("/password/reset/{token}"),
                    errors,
                },
            ))
        }
    }
}
