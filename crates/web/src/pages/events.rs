//! One event: its page (with schema.org JSON-LD, h-event and OpenGraph),
//! its .ics download, answering, and the editors' tools (edit the series,
//! one occurrence, or this and following; cancel; attendees).

use super::calendars::{EVENT_FIELDS, OccView, event_form, occ_view, viewer_zone};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, Visitor};
use crate::headers::{download_as, see_other};
use crate::pages::{FormErrors, PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use convene_app::AppError;
use convene_app::calendars::{self, Calendar, Event, EventInput, OccurrenceEdit};
use convene_domain::events::{Answer, RsvpState};
use convene_store::events::Attendee;
use serde::Deserialize;

/// `?at=` names an occurrence of a series.
#[derive(Debug, Default, Deserialize)]
pub struct At {
    /// The occurrence key (`20261208T190000`).
    pub at: Option<String>,
    /// Notice code.
    pub done: Option<String>,
    /// A zone to show times in.
    pub tz: Option<String>,
    /// `csv` for the attendee list as a file.
    pub format: Option<String>,
}

#[derive(Template)]
#[template(path = "events/show.html")]
struct EventPage {
    ctx: PageCtx,
    id: i64,
    occ: OccView,
    viewer_when: Option<String>,
    key: String,
    description_html: String,
    calendar_name: String,
    calendar_path: String,
    venue_name: String,
    venue_address: String,
    coordinates: Option<(f64, f64)>,
    map_svg: String,
    online_url: String,
    recurring: bool,
    repeat_text: String,
    next: Vec<OccView>,
    capacity: Option<i64>,
    going: usize,
    waitlisted: usize,
    my_state: Option<String>,
    can_answer: bool,
    can_edit: bool,
    imported: bool,
    canonical: String,
    json_ld: String,
    summary: String,
    photos: Vec<super::media::PhotoView>,
    photo_action: String,
}

fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `GET /events/{id}` (or `/events/{id}.ics`, the whole series as a file).
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<At>,
) -> Result<Response, PageError> {
    let svc = &state.svc;
    if let Some(id) = id.strip_suffix(".ics") {
        let id: i64 = id
            .parse()
            .map_err(|_| AppError::NotFound("There is no event at this address."))?;
        let (ev, _) = calendars::event(svc, id).await?;
        let body = calendars::event_file(svc, &ev).await?;
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/calendar; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    download_as(&format!("event-{id}.ics")),
                ),
            ],
            body,
        )
            .into_response());
    }
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound("There is no event at this address."))?;
    let (ev, cal) = calendars::event(svc, id).await?;
    let now = svc.clock.now();
    let viewer = viewer_zone(q.tz.as_deref(), &headers, &visitor);
    let (occ, next) = calendars::event_occurrence(svc, &ev, q.at.as_deref(), now).await?;
    let key = occ.key.clone();
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    let can_edit = cal.editable_by(actor);
    let (going, waitlisted, my_state) = {
        let counts = calendars::seat_counts(svc, id, &key).await?;
        let mine = match &visitor.signed_in {
            Some(s) => calendars::my_answer(svc, s.user.id, id, &key)
                .await?
                .map(|r| r.state),
            None => None,
        };
        (counts.0, counts.1, mine)
    };
    let view = occ_view(&occ, None, "");
    let viewer_when = viewer
        .filter(|v| Some(*v) != occ.start.tz())
        .map(|v| calendars::when_text_in(&occ, Some(v)));
    let canonical = svc.site.link(&occ.path());
    let r = &ev.row;
    let coordinates = r.latitude.zip(r.longitude);
    let map_svg = match (coordinates, &cal) {
        (Some((lat, lon)), _) => {
            let view = match &cal {
                Calendar::Group(g) if !g.country.is_empty() => {
                    convene_worldmap::View::Country(g.country.clone())
                }
                Calendar::Region(c) if !c.country.is_empty() => {
                    convene_worldmap::View::Country(c.country.clone())
                }
                _ => convene_worldmap::View::World,
            };
            let pin = convene_worldmap::Pin {
                lat,
                lon,
                label: if r.venue_name.is_empty() {
                    occ.title.clone()
                } else {
                    r.venue_name.clone()
                },
                href: format!(
                    "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"
                ),
                class: String::new(),
            };
            convene_worldmap::render_svg(&view, &[pin], "Where the event takes place")
        }
        _ => String::new(),
    };
    let attendance = match (
        r.venue_name.is_empty() && r.venue_address.is_empty(),
        r.online_url.is_empty(),
    ) {
        (false, false) => "https://schema.org/MixedEventAttendanceMode",
        (true, false) => "https://schema.org/OnlineEventAttendanceMode",
        _ => "https://schema.org/OfflineEventAttendanceMode",
    };
    let mut locations = Vec::new();
    if !r.venue_name.is_empty() || !r.venue_address.is_empty() {
        let mut place =
            serde_json::json!({"@type": "Place", "name": r.venue_name, "address": r.venue_address});
        if let Some((lat, lon)) = coordinates {
            place["geo"] =
                serde_json::json!({"@type": "GeoCoordinates", "latitude": lat, "longitude": lon});
        }
        locations.push(place);
    }
    if !r.online_url.is_empty() {
        locations.push(serde_json::json!({"@type": "VirtualLocation", "url": r.online_url}));
    }
    let summary: String = r.description.chars().take(200).collect();
    let json_ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": occ.title,
        "description": summary,
        "startDate": occ.start.rfc3339(),
        "endDate": occ.end.rfc3339(),
        "eventStatus": if occ.cancelled() { "https://schema.org/EventCancelled" } else { "https://schema.org/EventScheduled" },
        "eventAttendanceMode": attendance,
        "location": locations,
        "url": canonical,
        "organizer": {"@type": "Organization", "name": cal.name(&svc.site.name), "url": svc.site.link(&cal.path())},
    });
    let can_answer = !occ.cancelled() && occ.end.instant(chrono_tz::Tz::UTC) > now;
    let ctx = PageCtx::new(&state, &visitor, occ.title.clone()).with_notice(q.done.as_deref());
    let photos = super::media::gallery(&state, "event", id).await?;
    Ok(render(
        StatusCode::OK,
        &EventPage {
            ctx,
            id,
            photos,
            photo_action: format!("/events/{id}/photos"),
            viewer_when,
            key,
            description_html: crate::markdown::render(&r.description),
            calendar_name: cal.name(&svc.site.name).to_owned(),
            calendar_path: cal.path(),
            venue_name: r.venue_name.clone(),
            venue_address: r.venue_address.clone(),
            coordinates,
            map_svg,
            online_url: r.online_url.clone(),
            recurring: ev.recurring(),
            repeat_text: ev.timing.rrule.clone().unwrap_or_default(),
            next: next.iter().map(|o| occ_view(o, viewer, "")).collect(),
            capacity: r.capacity,
            going,
            waitlisted,
            my_state: my_state
                .and_then(|s| RsvpState::parse(&s))
                .map(|s| s.label().to_owned()),
            can_answer,
            can_edit,
            imported: ev.imported(),
            canonical,
            json_ld: script_safe(&json_ld.to_string()),
            summary,
            occ: view,
        },
    ))
}

/// The answer form.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    /// The occurrence key.
    #[serde(default)]
    at: String,
    /// yes, no or maybe.
    #[serde(default)]
    answer: String,
}

/// `POST /events/{id}/rsvp`.
pub async fn rsvp(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let answer = Answer::parse(&form.answer)
        .ok_or_else(|| convene_domain::InvalidInput::new("answer", "Answer yes, no or maybe."))?;
    let done = match calendars::answer(&state.svc, &me.actor, id, &form.at, answer)
        .await?
        .state
    {
        RsvpState::Going => "rsvp-going",
        RsvpState::Waitlisted => "rsvp-waitlisted",
        _ => "rsvp-saved",
    };
    Ok(see_other(&format!(
        "/events/{id}?at={}&done={done}",
        form.at
    )))
}

/// `GET /events/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (ev, cal) = calendars::event(&state.svc, id).await?;
    if !cal.editable_by(Some(&me.actor)) {
        return Err(AppError::Denied(convene_domain::Denied::Forbidden).into());
    }
    Ok(event_form(
        &state,
        &visitor,
        format!("Edit: {}", ev.row.title),
        format!("/events/{id}/edit"),
        EventInput::from_event(&ev),
        FormErrors::default(),
        format!("/events/{id}"),
    ))
}

/// `POST /events/{id}/edit`: changes every occurrence.
pub async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(input): CsrfForm<EventInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match calendars::update_event(&state.svc, &me.actor, id, &input).await {
        Ok(()) => Ok(see_other(&format!("/events/{id}?done=event-saved"))),
        Err(e) => match FormErrors::from_app(&e, &EVENT_FIELDS) {
            Some((_, errors)) => Ok(event_form(
                &state,
                &visitor,
                "Edit the event".to_owned(),
                format!("/events/{id}/edit"),
                input,
                errors,
                format!("/events/{id}"),
            )),
            None => Err(e.into()),
        },
    }
}

/// `POST /events/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    calendars::cancel_event(&state.svc, &me.actor, id).await?;
    Ok(see_other(&format!("/events/{id}?done=event-cancelled")))
}

/// `POST /events/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (_, cal) = calendars::event(&state.svc, id).await?;
    calendars::delete_event(&state.svc, &me.actor, id).await?;
    Ok(see_other(&format!("{}?done=event-deleted", cal.path())))
}

#[derive(Template)]
#[template(path = "events/occurrence.html")]
struct OccurrencePage {
    ctx: PageCtx,
    id: i64,
    key: String,
    when: String,
    edit: OccurrenceEdit,
    errors: FormErrors,
}

async fn occurrence_page(
    state: &AppState,
    visitor: &Visitor,
    ev: &Event,
    key: &str,
    edit: OccurrenceEdit,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let now = state.svc.clock.now();
    let (occ, _) = calendars::event_occurrence(&state.svc, ev, Some(key), now).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        status,
        &OccurrencePage {
            ctx: PageCtx::new(
                state,
                visitor,
                format!("Change one occurrence: {}", ev.row.title),
            ),
            id: ev.row.id,
            key: key.to_owned(),
            when: calendars::when_text(&occ),
            edit,
            errors,
        },
    ))
}

/// `GET /events/{id}/occurrence?at=KEY`.
pub async fn occurrence_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<At>,
) -> Result<Response, PageError> {
    visitor.require()?;
    let (ev, _) = calendars::event(&state.svc, id).await?;
    let key = q.at.unwrap_or_else(|| ev.first_key());
    occurrence_page(
        &state,
        &visitor,
        &ev,
        &key,
        OccurrenceEdit::default(),
        FormErrors::default(),
    )
    .await
}

/// `POST /events/{id}/occurrence?at=KEY`.
pub async fn occurrence(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<At>,
    CsrfForm(edit): CsrfForm<OccurrenceEdit>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (ev, _) = calendars::event(&state.svc, id).await?;
    let key = q.at.unwrap_or_else(|| ev.first_key());
    match calendars::edit_occurrence(&state.svc, &me.actor, id, &key, &edit).await {
        Ok(()) => Ok(see_other(&format!(
            "/events/{id}?at={key}&done=event-saved"
        ))),
        Err(e) => match FormErrors::from_app(&e, &["title", "start", "end", "venue_name", "at"]) {
            Some((_, errors)) => occurrence_page(&state, &visitor, &ev, &key, edit, errors).await,
            None => Err(e.into()),
        },
    }
}

/// `GET /events/{id}/following?at=KEY`: the series form, starting at this occurrence.
pub async fn following_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<At>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (ev, cal) = calendars::event(&state.svc, id).await?;
    if !cal.editable_by(Some(&me.actor)) {
        return Err(AppError::Denied(convene_domain::Denied::Forbidden).into());
    }
    let key = q.at.unwrap_or_else(|| ev.first_key());
    let (occ, _) =
        calendars::event_occurrence(&state.svc, &ev, Some(&key), state.svc.clock.now()).await?;
    let mut input = EventInput::from_event(&ev);
    let fmt = if ev.timing.all_day() {
        "%Y-%m-%d"
    } else {
        "%Y-%m-%dT%H:%M"
    };
    input.start = occ.start.local().format(fmt).to_string();
    let end = if ev.timing.all_day() {
        occ.end.local() - Duration::days(1)
    } else {
        occ.end.local()
    };
    input.end = end.format(fmt).to_string();
    Ok(event_form(
        &state,
        &visitor,
        format!("Change this and following: {}", ev.row.title),
        format!("/events/{id}/following?at={key}"),
        input,
        FormErrors::default(),
        format!("/events/{id}?at={key}"),
    ))
}

/// `POST /events/{id}/following?at=KEY`.
pub async fn following(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<At>,
    CsrfForm(input): CsrfForm<EventInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let key = q.at.unwrap_or_default();
    match calendars::split_series(&state.svc, &me.actor, id, &key, &input).await {
        Ok(new_id) => Ok(see_other(&format!("/events/{new_id}?done=event-saved"))),
        Err(e) => match FormErrors::from_app(&e, &EVENT_FIELDS) {
            Some((_, errors)) => Ok(event_form(
                &state,
                &visitor,
                "Change this and following".to_owned(),
                format!("/events/{id}/following?at={key}"),
                input,
                errors,
                format!("/events/{id}?at={key}"),
            )),
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "events/attendees.html")]
struct AttendeesPage {
    ctx: PageCtx,
    id: i64,
    key: String,
    when: String,
    list: Vec<Attendee>,
}

/// `GET /events/{id}/attendees?at=KEY[&format=csv]`.
pub async fn attendees(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<At>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (ev, _) = calendars::event(&state.svc, id).await?;
    let key = q.at.clone().unwrap_or_else(|| ev.first_key());
    let list = calendars::attendees(&state.svc, &me.actor, id, &key).await?;
    // The key reaches a header and the page: only a real occurrence's key,
    // which is digits and a `T`, gets that far.
    if !ev.has_occurrence(&key) {
        return Err(AppError::from(convene_domain::InvalidInput::new(
            "at",
            "This event has no occurrence at that time. Open the attendee list from the event's page.",
        ))
        .into());
    }
    if q.format.as_deref() == Some("csv") {
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    download_as(&format!("attendees-{id}-{key}.csv")),
                ),
            ],
            calendars::attendees_csv(&list),
        )
            .into_response());
    }
    let (occ, _) =
        calendars::event_occurrence(&state.svc, &ev, Some(&key), state.svc.clock.now()).await?;
    Ok(render(
        StatusCode::OK,
        &AttendeesPage {
            ctx: PageCtx::new(&state, &visitor, format!("Attendees: {}", ev.row.title)),
            id,
            key,
            when: calendars::when_text(&occ),
            list,
        },
    ))
}

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
    let mut response = super::calendars::conditional(
        &headers,
        &etag,
        state.svc.clock.now(),
        "text/calendar; charset=utf-8",
        axum::body::Bytes::from(body),
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

/// The time-zone form.
#[derive(Debug, Deserialize)]
pub struct ZoneForm {
    /// IANA zone, or empty for each event's own.
    #[serde(default)]
    time_zone: String,
}

/// `POST /account/time-zone`.
pub async fn set_time_zone(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<ZoneForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    calendars::set_time_zone(&state.svc, me.user.id, &form.time_zone).await?;
    Ok(see_other("/account?done=time-zone-saved"))
}
