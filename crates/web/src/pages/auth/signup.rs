//! Creating an account.

use super::EmailSent;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{ClientIp, CsrfForm, Visitor};
use crate::pages::{FormErrors, PageCtx, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::accounts::{self, SignUp};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "auth/signup.html")]
struct SignUpPage {
    ctx: PageCtx,
    display_name: String,
    email: String,
    open: bool,
    errors: FormErrors,
}

/// `GET /signup`.
pub async fn signup_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let open = accounts::signup_open(&state.svc).await?;
    let ctx = PageCtx::new(&state, &visitor, "Create an account");
    Ok(render(
        StatusCode::OK,
        &SignUpPage {
            ctx,
            display_name: String::new(),
            email: String::new(),
            open,
            errors: FormErrors::default(),
        },
    ))
}

/// The sign-up form.
#[derive(Debug, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /signup`.
pub async fn signup(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<SignUpForm>,
) -> Result<Response, PageError> {
    let input = SignUp {
        email: &form.email,
        display_name: &form.display_name,
        password: &form.password,
    };
    match accounts::sign_up(&state.svc, &input, &ip).await {
        Ok(()) => {
            let ctx = PageCtx::new(&state, &visitor, "Check your email");
            Ok(render(
                StatusCode::OK,
                &EmailSent {
                    ctx,
                    message: "We have sent a confirmation link to the address you gave. Open it to finish creating your account; it works for 48 hours.",
                },
            ))
        }
        Err(e) => {
            let Some((status, errors)) =
                FormErrors::from_app(&e, &["display_name", "email", "password"])
            else {
                return Err(e.into());
            };
            let open = accounts::signup_open(&state.svc).await?;
            let ctx = PageCtx::new(&state, &visitor, "Create an account");
            let mut response = render(
                status,
                &SignUpPage {
                    ctx,
                    display_name: form.display_name,
                    email: form.email,
                    open,
                    errors,
                },
            );
            crate::error::retry_after(&e, &mut response);
            Ok(response)
        }
    }
}
