//! A member's private feed of the events they answered.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, Visitor};
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use convene_app::calendars::{self};

#[derive(Template)]
#[template(path = "events/my_feed.html")]
struct MyFeedPage {
    ctx: PageCtx,
    https_url: String,
    webcal_url: String,
}

/// `POST /account/calendar-feed`: makes (or replaces) the member's private feed address.
pub async fn new_member_feed(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let token = calendars::member_feed_token(&state.svc, me.user.id).await?;
    let https_url = state.svc.site.link(&format!("/my-events/{token}.ics"));
    let webcal_url =
        https_url
            .replacen("https://", "webcal://", 1)
            .replacen("http://", "webcal://", 1);
    Ok(render(
        StatusCode::OK,
        &MyFeedPage {
            ctx: PageCtx::new(&state, &visitor, "Your private calendar feed"),
            https_url,
            webcal_url,
        },
    ))
}

/// `GET /my-events/{token}.ics`: the member's answers as a feed.
pub async fn member_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let (body, version) = calendars::member_feed(&state.svc, token).await?;
    let etag = format!("\"m{version}\"");
    let mut response = crate::pages::http_cache::conditional(
        &headers,
        &etag,
        state.svc.clock.now(),
        "text/calendar; charset=utf-8",
        &crate::packed::Packed::new(body),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, max-age=300"),
    );
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}
