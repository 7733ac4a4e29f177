//! `/groups/{slug}/contact`: write to the organizers without seeing their addresses.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{ClientIp, CsrfForm, Visitor};
use crate::headers::see_other;
use crate::pages::{FormErrors, PageCtx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::groups::{self, ContactMessage};

#[derive(Template)]
#[template(path = "groups/contact.html")]
struct ContactPage {
    ctx: PageCtx,
    slug: String,
    group: String,
    msg: ContactMessage,
    errors: FormErrors,
}

/// `GET /groups/{slug}/contact`.
pub async fn contact_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let page = groups::group_page(&state.svc, None, &slug).await?;
    let msg = ContactMessage {
        name: visitor
            .signed_in
            .as_ref()
            .map(|s| s.user.display_name.clone())
            .unwrap_or_default(),
        email: visitor
            .signed_in
            .as_ref()
            .map(|s| s.user.email.clone())
            .unwrap_or_default(),
        message: String::new(),
    };
    let ctx = PageCtx::new(&state, &visitor, format!("Write to {}", page.group.name));
    Ok(render(
        StatusCode::OK,
        &ContactPage {
            ctx,
            slug,
            group: page.group.name,
            msg,
            errors: FormErrors::default(),
        },
    ))
}

/// The form, with a field people never see: bots fill it in.
#[derive(Debug, serde::Deserialize)]
pub struct ContactForm {
    #[serde(flatten)]
    msg: ContactMessage,
    #[serde(default)]
    website: String,
}

/// `POST /groups/{slug}/contact`.
pub async fn contact(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Result<Response, PageError> {
    if !form.website.is_empty() {
        // A bot: answer as if sent, send nothing.
        return Ok(see_other(&format!("/groups/{slug}?done=message-sent")));
    }
    match groups::contact_organizers(&state.svc, &slug, &form.msg, &ip).await {
        Ok(_) => Ok(see_other(&format!("/groups/{slug}?done=message-sent"))),
        Err(e) => {
            let Some((status, errors)) = FormErrors::from_app(&e, &["name", "email", "message"])
            else {
                return Err(e.into());
            };
            let page = groups::group_page(&state.svc, None, &slug).await?;
            let ctx = PageCtx::new(&state, &visitor, format!("Write to {}", page.group.name));
            let mut response = render(
                status,
                &ContactPage {
                    ctx,
                    slug,
                    group: page.group.name,
                    msg: form.msg,
                    errors,
                },
            );
            crate::error::retry_after(&e, &mut response);
            Ok(response)
        }
    }
}
