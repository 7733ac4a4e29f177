//! "What's on near you", weekly: `/weekly` (subscribe near a place or to a
//! regional calendar, and a member's own subscriptions), the visitor's
//! confirmation link `/weekly/confirm/{token}`, one-click unsubscribing at
//! `/unsubscribe/weekly/{token}`, and the same digest as an Atom feed at
//! `/weekly.atom?near={place}&km={km}` or `/weekly.atom?calendar={slug}`
//! (optionally `&tz={zone}`): public, since everything in it is.

use super::calendar_views::zone_choices;
use super::{Done, FormErrors, PageCtx, render};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{ClientIp, CsrfForm, NoFields, Visitor};
use crate::headers::see_other;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use chrono_tz::Tz;
use convene_app::mail::templates::escape_html;
use convene_app::weekly::{self, Subscribed, WeeklyInput};
use serde::Deserialize;

/// The fields of the subscribe forms, in the order their errors are shown.
const FIELDS: [&str; 5] = ["email", "calendar", "place", "km", "time_zone"];

/// The subscribe form as sent (and as shown again after a mistake).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WeeklyForm {
    #[serde(default)]
    calendar: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    km: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    email: String,
}

/// A subscription on the member's list.
struct MineView {
    what: String,
    token: String,
    confirmed: bool,
    last_sent: Option<String>,
}

#[derive(Template)]
#[template(path = "weekly/index.html")]
struct WeeklyPage {
    ctx: PageCtx,
    form: WeeklyForm,
    errors: FormErrors,
    calendars: Vec<(String, String)>,
    mine: Vec<MineView>,
    zones: Vec<&'static str>,
    signed_in: bool,
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    form: WeeklyForm,
    errors: FormErrors,
    status: StatusCode,
    done: Option<&str>,
) -> Result<Response, PageError> {
    let svc = &state.svc;
    let calendars = convene_app::calendars::regional_calendars(svc)
        .await?
        .into_iter()
        .map(|c| (c.slug, c.name))
        .collect();
    let mine = match &visitor.signed_in {
        Some(me) => weekly::subscriptions_of(svc, me.user.id)
            .await?
            .into_iter()
            .map(|(row, what)| MineView {
                what,
                token: row.token,
                confirmed: row.confirmed_at.is_some(),
                last_sent: row
                    .last_sent_at
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(render(
        status,
        &WeeklyPage {
            ctx: PageCtx::new(state, visitor, "What's on near you, weekly").with_notice(done),
            form,
            errors,
            calendars,
            mine,
            zones: zone_choices(),
            signed_in: visitor.signed_in.is_some(),
        },
    ))
}

/// `GET /weekly`.
pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let form = WeeklyForm {
        km: "50".to_owned(),
        time_zone: visitor
            .signed_in
            .as_ref()
            .map(|s| s.user.time_zone.clone())
            .unwrap_or_default(),
        ..WeeklyForm::default()
    };
    page(
        &state,
        &visitor,
        form,
        FormErrors::default(),
        StatusCode::OK,
        q.done.as_deref(),
    )
    .await
}

/// `POST /weekly`: subscribes near a place or to a regional calendar.
pub async fn subscribe(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    CsrfForm(f): CsrfForm<WeeklyForm>,
) -> Result<Response, PageError> {
    let input = WeeklyInput {
        calendar: &f.calendar,
        place: &f.place,
        km: &f.km,
        time_zone: &f.time_zone,
        email: &f.email,
    };
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    match weekly::subscribe(&state.svc, actor, &input, &ip).await {
        Ok(Subscribed::Running) => Ok(see_other("/weekly?done=weekly-subscribed")),
        Ok(Subscribed::AwaitingConfirmation) => Ok(see_other("/weekly?done=weekly-check-inbox")),
        Err(e) => match FormErrors::from_app(&e, &FIELDS) {
            Some((status, errors)) => page(&state, &visitor, f, errors, status, None).await,
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "weekly/confirm.html")]
struct ConfirmPage {
    ctx: PageCtx,
    token: String,
}

/// `GET /weekly/confirm/{token}`: asks before confirming (a link scanner
/// must not subscribe anyone by fetching it).
pub async fn confirm_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Response {
    render(
        StatusCode::OK,
        &ConfirmPage {
            ctx: PageCtx::new(&state, &visitor, "Confirm the weekly email"),
            token,
        },
    )
}

/// `POST /weekly/confirm/{token}`.
pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    weekly::confirm(&state.svc, &token).await?;
    Ok(see_other("/weekly?done=weekly-confirmed"))
}

#[derive(Template)]
#[template(path = "weekly/unsubscribe.html")]
struct UnsubscribePage {
    ctx: PageCtx,
    token: String,
    what: String,
    email: String,
    done: bool,
}

/// `GET /unsubscribe/weekly/{token}`: asks first.
pub async fn unsubscribe_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (row, area) = weekly::by_token(&state.svc, &token).await?;
    Ok(render(
        StatusCode::OK,
        &UnsubscribePage {
            ctx: PageCtx::new(&state, &visitor, "Stop the weekly email"),
            token,
            what: area.map(|a| a.long()).unwrap_or_default(),
            email: row.email,
            done: false,
        },
    ))
}

/// `POST /unsubscribe/weekly/{token}`: one click, from the page or straight
/// from a mail program (`List-Unsubscribe=One-Click`, RFC 8058).
pub async fn unsubscribe(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let what = weekly::unsubscribe(&state.svc, &token).await?;
    Ok(render(
        StatusCode::OK,
        &UnsubscribePage {
            ctx: PageCtx::new(&state, &visitor, "Unsubscribed"),
            token: String::new(),
            what,
            email: String::new(),
            done: true,
        },
    ))
}

/// What the feed's address names.
#[derive(Debug, Default, Deserialize)]
pub struct FeedQuery {
    #[serde(default)]
    calendar: String,
    #[serde(default)]
    near: String,
    #[serde(default)]
    km: String,
    #[serde(default)]
    tz: String,
}

/// `GET /weekly.atom`: the coming two weeks' meetings and the last two
/// weeks' posts of a calendar or an area.
pub async fn feed(
    State(state): State<AppState>,
    Query(q): Query<FeedQuery>,
) -> Result<Response, PageError> {
    let svc = &state.svc;
    let km = if q.km.trim().is_empty() { "50" } else { &q.km };
    let area = weekly::parse_area(svc, &q.calendar, &q.near, km).await?;
    let tz: Tz = if q.tz.trim().is_empty() {
        Tz::UTC
    } else {
        convene_domain::events::parse_zone("tz", &q.tz)?
    };
    let now = svc.clock.now();
    let digest = weekly::compose_for_area(
        svc,
        area,
        tz,
        now,
        now - Duration::days(weekly::window_days()),
    )
    .await?;
    let query = serde_urlencoded::to_string([
        ("calendar", q.calendar.trim()),
        ("near", q.near.trim()),
        ("km", km.trim()),
        ("tz", q.tz.trim()),
    ])
    .unwrap_or_default();
    let self_url = svc.site.link(&format!("/weekly.atom?{query}"));
    let mut entries: Vec<convene_feeds::Entry> = digest
        .events
        .iter()
        .map(|e| {
            let by: Vec<&str> = [e.group.as_deref().unwrap_or(""), e.place.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            convene_feeds::Entry {
                id: e.link.clone(),
                url: e.link.clone(),
                title: format!("{} — {}", e.title, e.when),
                summary: Some(format!("{} {}", e.when, by.join(" · ")).trim().to_owned()),
                content_html: format!(
                    "<p>{}</p><p>{}</p>",
                    escape_html(&e.when),
                    escape_html(&by.join(" · "))
                ),
                published: now,
                updated: now,
                authors: e
                    .group
                    .iter()
                    .map(|g| convene_feeds::Person {
                        name: g.clone(),
                        url: None,
                    })
                    .collect(),
                tags: vec!["meeting".to_owned()],
                image: None,
            }
        })
        .collect();
    entries.extend(digest.posts.iter().rev().map(|p| convene_feeds::Entry {
        id: p.link.clone(),
        url: p.link.clone(),
        title: p.title.clone(),
        summary: Some(p.summary.clone()),
        content_html: format!("<p>{}</p>", escape_html(&p.summary)),
        published: p.published_at,
        updated: p.published_at,
        authors: vec![convene_feeds::Person {
            name: p.group.clone(),
            url: None,
        }],
        tags: vec!["post".to_owned()],
        image: None,
    }));
    let feed = convene_feeds::Feed {
        id: self_url.clone(),
        title: format!("What's on {} ({})", digest.area.short(), svc.site.name),
        subtitle: Some(format!(
            "Meetings in the next two weeks and new posts, {}. Times in {}.",
            digest.area.long(),
            tz.name()
        )),
        home_url: svc.site.link("/weekly"),
        self_url: self_url.clone(),
        updated: now,
        language: None,
        icon: None,
        entries,
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        convene_feeds::atom(&feed, &self_url),
    )
        .into_response())
}
