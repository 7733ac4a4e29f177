//! Signing in with a password, and signing out.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{ClientIp, CsrfForm, NoFields, Visitor};
use crate::headers::see_other;
use crate::middleware::{DEVICE_COOKIE, SESSION_COOKIE, cookie_value, set_cookie};
use crate::pages::{FormErrors, PageCtx, render, safe_next, signed_in_redirect};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use convene_app::accounts;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "auth/signin.html")]
struct SignInPage {
    ctx: PageCtx,
    email: String,
    next: String,
    errors: FormErrors,
}

/// Where to go after signing in, and a notice to show.
#[derive(Debug, Default, Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    done: Option<String>,
}

/// `GET /signin`.
pub async fn signin_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<SignInQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &visitor, "Sign in").with_notice(q.done.as_deref());
    let next = safe_next(q.next.as_deref()).to_owned();
    render(
        StatusCode::OK,
        &SignInPage {
            ctx,
            email: String::new(),
            next,
            errors: FormErrors::default(),
        },
    )
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /signin`.
pub async fn signin(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<Response, PageError> {
    let next = safe_next(form.next.as_deref()).to_owned();
    let https = state.svc.site.is_https();
    let device = cookie_value(&headers, DEVICE_COOKIE.name(https));
    match accounts::sign_in_with_password(
        &state.svc,
        &form.email,
        &form.password,
        &ip,
        device.as_deref(),
    )
    .await
    {
        Ok(signed_in) => {
            let to = format!(
                "{next}{}done=signed-in",
                if next.contains('?') { '&' } else { '?' }
            );
            let mut response = signed_in_redirect(&state, &signed_in.session, &to);
            // Browsers keep a cookie at most 400 days.
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    DEVICE_COOKIE.name(https),
                    &signed_in.device,
                    400 * 24 * 3600,
                    https,
                ),
            );
            Ok(response)
        }
        Err(e) => {
            let Some((status, errors)) = FormErrors::from_app(&e, &["email", "password"]) else {
                return Err(e.into());
            };
            let ctx = PageCtx::new(&state, &visitor, "Sign in");
            let mut response = render(
                status,
                &SignInPage {
                    ctx,
                    email: form.email,
                    next,
                    errors,
                },
            );
            crate::error::retry_after(&e, &mut response);
            Ok(response)
        }
    }
}

/// `POST /signout`: ends the session on the server and clears the cookie.
pub async fn signout(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    if let Some(token) = &visitor.session_token {
        accounts::sign_out(&state.svc, token).await?;
    }
    let https = state.svc.site.is_https();
    let mut response = see_other("/signin?done=signed-out");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE.name(https), "", 0, https),
    );
    Ok(response)
}
