//! `/admin/settings`: the site's name, tagline, logo and accent colour.

use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::headers::see_other;
use crate::middleware::CsrfToken;
use crate::pages::{Done, FormErrors, PageCtx, error_page, render};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::site::{IdentityInput, LogoUpload, MAX_LOGO_BYTES, save_identity};
use convene_domain::{Action, authorize};

/// The form's fields, in the order errors are summarised.
const FIELDS: [&str; 4] = ["name", "tagline", "accent", "logo"];

/// The largest form accepted: the logo plus the text fields.
pub const SETTINGS_FORM_BYTES: usize = MAX_LOGO_BYTES + 64 * 1024;

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    input: IdentityInput,
    logo: Option<String>,
    errors: FormErrors,
}

fn page(
    state: &AppState,
    visitor: &Visitor,
    input: IdentityInput,
    errors: FormErrors,
    done: Option<&str>,
) -> Response {
    let ctx = PageCtx::new(state, visitor, "Site identity").with_notice(done);
    let logo = ctx.logo.clone();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &SettingsPage {
            ctx,
            input,
            logo,
            errors,
        },
    )
}

/// `GET /admin/settings`.
pub async fn settings_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    authorize(Some(&me.actor), &Action::AdministerSite)?;
    let identity = convene_app::site::identity(&state.svc).await?;
    let input = IdentityInput {
        name: identity.name,
        tagline: identity.tagline,
        accent: identity.accent.map(|a| a.hex()).unwrap_or_default(),
        remove_logo: false,
    };
    Ok(page(
        &state,
        &visitor,
        input,
        FormErrors::default(),
        done.done.as_deref(),
    ))
}

/// `POST /admin/settings` (multipart, for the logo).
pub async fn save_settings(
    State(state): State<AppState>,
    visitor: Visitor,
    axum::Extension(CsrfToken(expected, fresh)): axum::Extension<CsrfToken>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    authorize(Some(&me.actor), &Action::AdministerSite)?;
    let too_big = || {
        error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "The form could not be received: a logo may be at most {} KB.",
                MAX_LOGO_BYTES / 1024
            ),
        )
    };
    let mut input = IdentityInput::default();
    let mut logo: Option<LogoUpload> = None;
    let mut sent_csrf = String::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Ok(too_big()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "logo" {
            let bytes = field.bytes().await.map_err(|_| ());
            match bytes {
                Ok(b) if !b.is_empty() => logo = Some(LogoUpload { bytes: b.to_vec() }),
                Ok(_) => {}
                Err(()) => return Ok(too_big()),
            }
            continue;
        }
        let Ok(text) = field.text().await else {
            return Ok(too_big());
        };
        match name.as_str() {
            "csrf" => sent_csrf = text,
            "name" => input.name = text,
            "tagline" => input.tagline = text,
            "accent" => input.accent = text,
            "remove_logo" => input.remove_logo = text == "yes",
            _ => {}
        }
    }
    if fresh || sent_csrf.is_empty() || sent_csrf != expected {
        return Ok(error_page(
            StatusCode::FORBIDDEN,
            "This form has expired or was not sent from this site's own page. Go back, reload the page and try again.",
        ));
    }
    match save_identity(&state.svc, &me.actor, &input, logo.as_ref()).await {
        Ok(()) => {
            // This node shows the change at once; others within seconds.
            let identity = convene_app::site::identity(&state.svc).await?;
            state.identity.set(identity);
            Ok(see_other("/admin/settings?done=settings-saved"))
        }
        Err(e) => match FormErrors::from_app(&e, &FIELDS) {
            Some((_, errors)) => Ok(page(&state, &visitor, input, errors, None)),
            None => Err(e.into()),
        },
    }
}
