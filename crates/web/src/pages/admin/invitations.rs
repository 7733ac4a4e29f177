//! `/invite`: send invitations and manage pending ones (coordinators for
//! every role, organizers for their own groups).

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, Visitor};
use crate::headers::see_other;
use crate::pages::{Done, FormErrors, PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::invitations::ScopeName;
use convene_app::invitations::{self, PendingInvitation};
use convene_app::{AppError, accounts::SignedIn};
use convene_domain::{InvalidInput, Role};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin/invitations.html")]
struct InvitePage {
    ctx: PageCtx,
    pending: Vec<PendingInvitation>,
    email: String,
    role: String,
    scope: String,
    /// Group and calendar names, for the picker.
    names: Vec<String>,
    is_coordinator: bool,
    errors: FormErrors,
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    me: &SignedIn,
    form: InviteForm,
    errors: FormErrors,
    status: StatusCode,
    done: Option<&str>,
) -> Result<Response, PageError> {
    let pending = invitations::pending_invitations(&state.svc, &me.actor).await?;
    let mut names = convene_app::groups::group_names(&state.svc).await?;
    names.extend(convene_app::calendars::calendar_names(&state.svc).await?);
    let ctx = PageCtx::new(state, visitor, "Invitations").with_notice(done);
    Ok(render(
        status,
        &InvitePage {
            ctx,
            pending,
            email: form.email,
            role: form.role,
            scope: form.scope,
            names,
            is_coordinator: me.actor.is_coordinator(),
            errors,
        },
    ))
}

/// `GET /invite`.
pub async fn manage(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let form = InviteForm {
        email: String::new(),
        role: "organizer".into(),
        scope: String::new(),
    };
    page(
        &state,
        &visitor,
        me,
        form,
        FormErrors::default(),
        StatusCode::OK,
        done.done.as_deref(),
    )
    .await
}

/// The invitation form: an address, a role, and the group or calendar slug.
#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
}

fn parse_role_scope(role: &str, scope: &str) -> Result<(Role, ScopeName), InvalidInput> {
    let role = Role::parse(role)
        .ok_or_else(|| InvalidInput::new("role", "Choose a role from the list."))?;
    let named = scope.trim().to_owned();
    let scope = match role {
        Role::Coordinator | Role::TrustedAuthor => ScopeName::Site,
        Role::Organizer | Role::CalendarEditor if named.is_empty() => {
            return Err(InvalidInput::new(
                "scope",
                "Type the name of the group or calendar and choose it from the list.",
            ));
        }
        Role::Organizer => ScopeName::Group(named),
        Role::CalendarEditor => ScopeName::Calendar(named),
    };
    Ok((role, scope))
}

/// `POST /invite`.
pub async fn invite(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let result = match parse_role_scope(&form.role, &form.scope) {
        Ok((role, scope)) => invitations::invite(&state.svc, &me.actor, &form.email, role, &scope)
            .await
            .map(|_| ()),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(see_other("/invite?done=invited")),
        Err(e) => {
            let Some((status, errors)) = FormErrors::from_app(&e, &["email", "role", "scope"])
            else {
                return Err(e.into());
            };
            page(&state, &visitor, me, form, errors, status, None).await
        }
    }
}

/// `POST /invite/{id}/resend`.
pub async fn resend(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    invitations::resend_invitation(&state.svc, &me.actor, id).await?;
    Ok(see_other("/invite?done=resent"))
}

/// `POST /invite/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    invitations::revoke_invitation(&state.svc, &me.actor, id).await?;
    Ok(see_other("/invite?done=revoked"))
}
