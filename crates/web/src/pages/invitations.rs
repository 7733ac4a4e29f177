//! `/invitations/{token}`: the invited person accepts.

use super::{FormErrors, PageCtx, render, signed_in_redirect};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::invitations::{self, Acceptance, InvitationView};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "invitation.html")]
struct AcceptPage {
    ctx: PageCtx,
    action: String,
    invitation: InvitationView,
    display_name: String,
    errors: FormErrors,
}

/// `GET /invitations/{token}`.
pub async fn accept_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let invitation = invitations::view_invitation(&state.svc, &token).await?;
    let ctx = PageCtx::new(&state, &visitor, "Your invitation");
    Ok(render(
        StatusCode::OK,
        &AcceptPage {
            ctx,
            action: format!("/invitations/{token}"),
            invitation,
            display_name: String::new(),
            errors: FormErrors::default(),
        },
    ))
}

/// The acceptance form (name and password only for a new account).
#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// `POST /invitations/{token}`.
pub async fn accept(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<Response, PageError> {
    let how = match (&form.display_name, &form.password) {
        (Some(display_name), Some(password)) => Acceptance::NewAccount {
            display_name,
            password,
        },
        _ => Acceptance::ExistingAccount,
    };
    match invitations::accept_invitation(&state.svc, &token, visitor.signed_in.as_ref(), how).await
    {
        Ok(session) => Ok(signed_in_redirect(
            &state,
            &session,
            "/account?done=welcome",
        )),
        Err(e) => {
            let Some((status, errors)) = FormErrors::from_app(&e, &["display_name", "password"])
            else {
                return Err(e.into());
            };
            let invitation = invitations::view_invitation(&state.svc, &token).await?;
            let ctx = PageCtx::new(&state, &visitor, "Your invitation");
            Ok(render(
                status,
                &AcceptPage {
                    ctx,
                    action: format!("/invitations/{token}"),
                    invitation,
                    display_name: form.display_name.unwrap_or_default(),
                    errors,
                },
            ))
        }
    }
}
