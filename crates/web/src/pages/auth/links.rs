//! Emailed links: confirming an address and signing in without a password.

use super::{ConfirmLink, EmailOnly, EmailSent};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{ClientIp, CsrfForm, NoFields, Visitor};
use crate::pages::{FormErrors, PageCtx, render, signed_in_redirect};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::accounts::{self, LinkPurpose};
use serde::Deserialize;

/// What a link's confirmation page says.
struct Confirm {
    purpose: LinkPurpose,
    title: &'static str,
    intro: &'static str,
    button: &'static str,
}

async fn confirm_page(
    state: &AppState,
    visitor: &Visitor,
    token: &str,
    action: String,
    page: Confirm,
) -> Result<Response, PageError> {
    accounts::link_is_usable(&state.svc, token, page.purpose).await?;
    let ctx = PageCtx::new(state, visitor, page.title);
    Ok(render(
        StatusCode::OK,
        &ConfirmLink {
            ctx,
            intro: page.intro,
            action,
            button: page.button,
        },
    ))
}

/// `GET /verify/{token}`.
pub async fn verify_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let action = format!("/verify/{token}");
    let page = Confirm {
        purpose: LinkPurpose::VerifyEmail,
        title: "Confirm your address",
        intro: "Confirm that this email address is yours to finish creating your account.",
        button: "Confirm my address",
    };
    confirm_page(&state, &visitor, &token, action, page).await
}

/// `POST /verify/{token}`.
pub async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let session = accounts::verify_email(&state.svc, &token).await?;
    Ok(signed_in_redirect(
        &state,
        &session,
        "/account?done=verified",
    ))
}

fn magic_page(state: &AppState, visitor: &Visitor, email: String, errors: FormErrors) -> EmailOnly {
    EmailOnly {
        ctx: PageCtx::new(state, visitor, "Sign in with an emailed link"),
        intro: "Enter your address and we will email you a link that signs you in once, within 15 minutes. No password needed.",
        action: "/signin/link",
        button: "Email me a sign-in link",
        email,
        errors,
    }
}

/// `GET /signin/link`.
pub async fn magic_form(State(state): State<AppState>, visitor: Visitor) -> Response {
    render(
        StatusCode::OK,
        &magic_page(&state, &visitor, String::new(), FormErrors::default()),
    )
}

/// A form with one address.
#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    pub email: String,
}

/// `POST /signin/link`.
pub async fn magic_request(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, PageError> {
    match accounts::request_magic_link(&state.svc, &form.email, &ip).await {
        Ok(()) => Ok(render(
            StatusCode::OK,
            &EmailSent {
                ctx: PageCtx::new(&state, &visitor, "Check your email"),
                message: "If that address has an account here, a sign-in link is on its way. It works once, within 15 minutes.",
            },
        )),
        Err(e) => {
            let Some((status, errors)) = FormErrors::from_app(&e, &["email"]) else {
                return Err(e.into());
            };
            let mut response = render(status, &magic_page(&state, &visitor, form.email, errors));
            crate::error::retry_after(&e, &mut response);
            Ok(response)
        }
    }
}

/// `GET /signin/link/{token}`.
pub async fn magic_confirm_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let action = format!("/signin/link/{token}");
    let page = Confirm {
        purpose: LinkPurpose::MagicLink,
        title: "Sign in",
        intro: "Press the button to sign in with this link.",
        button: "Sign in",
    };
    confirm_page(&state, &visitor, &token, action, page).await
}

/// `POST /signin/link/{token}`.
pub async fn magic_confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let session = accounts::sign_in_with_link(&state.svc, &token).await?;
    Ok(signed_in_redirect(
        &state,
        &session,
        "/account?done=signed-in",
    ))
}
