//! An event's page and its .ics download.

use super::At;
use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::headers::download_as;
use crate::pages::calendar_views::{OccView, occ_view, viewer_zone};
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use convene_app::AppError;
use convene_app::calendars::{self, Calendar};
use convene_domain::events::RsvpState;

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
    repeat_rule: String,
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
    photos: Vec<crate::pages::media::PhotoView>,
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
    let photos = crate::pages::media::gallery(&state, "event", id).await?;
    let repeats = calendars::Repeats::of(&ev.timing);
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
            repeat_text: repeats
                .as_ref()
                .map(|r| r.words.clone())
                .unwrap_or_default(),
            repeat_rule: repeats.and_then(|r| r.custom_rule).unwrap_or_default(),
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
