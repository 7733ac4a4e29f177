//! `/api/v1/events`: events (whole series) and their occurrences, read by
//! anyone and changed with a bearer token under the same rules as the pages.
//!
//! Local times are written as on the event form (`2026-12-08T19:00`) and
//! read in the event's IANA zone; occurrences come back as RFC 3339 with the
//! offset in force at that moment, so a series keeps its wall-clock time
//! across daylight-saving changes.

use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::error::ApiError;
use crate::pages::http_cache::{etag_matches, fxhash};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{
    DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc,
};
use convene_app::calendars::{self, Calendar, Event, EventInput, Moment, Occ};
use convene_app::{Services, groups};
use convene_domain::InvalidInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Where an event takes place.
#[derive(Debug, Serialize, ToSchema)]
pub struct VenueOut {
    /// Venue name, or empty.
    pub name: String,
    /// Street address, or empty.
    pub address: String,
    /// Latitude of the pin.
    pub latitude: Option<f64>,
    /// Longitude of the pin.
    pub longitude: Option<f64>,
}

/// An event: a whole series, with its rule rather than its occurrences.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    /// Id, as in /events/{id}.
    pub id: i64,
    /// The iCalendar UID.
    pub uid: String,
    /// Slug of the calendar it belongs to (a regional calendar or a group's);
    /// null for the site-wide calendar.
    pub calendar: Option<String>,
    /// Slug of the group whose event it is, if any.
    pub group: Option<String>,
    /// Title.
    pub title: String,
    /// Markdown.
    pub description: String,
    /// Whole days: `start` and `end` are dates and `end` is exclusive.
    pub all_day: bool,
    /// The IANA zone its local times are in; null for all-day and floating events.
    pub tzid: Option<String>,
    /// Local start of the first occurrence (`2026-12-08T19:00:00`, or a date).
    pub start: String,
    /// Local end of the first occurrence (for all-day events the day after the last day).
    pub end: String,
    /// The RFC 5545 recurrence rule, if the event repeats by rule.
    pub rrule: Option<String>,
    /// Extra occurrences (local starts).
    pub rdates: Vec<String>,
    /// Left-out occurrences (local starts).
    pub exdates: Vec<String>,
    /// Where.
    pub venue: VenueOut,
    /// Link to join online, or empty.
    pub online_url: String,
    /// Seats per occurrence; null for no limit.
    pub capacity: Option<i64>,
    /// When RSVPs open, if limited.
    pub rsvp_opens_at: Option<DateTime<Utc>>,
    /// When RSVPs close, if limited.
    pub rsvp_closes_at: Option<DateTime<Utc>>,
    /// confirmed, tentative or cancelled.
    #[schema(schema_with = super::openapi::event_status)]
    pub status: String,
    /// The iCalendar SEQUENCE: how many times it was changed.
    pub sequence: i64,
    /// Imported from an outside feed (read-only here).
    pub imported: bool,
    /// Its page.
    pub url: String,
    /// The whole series as an iCalendar file.
    pub ics: String,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

fn local(t: NaiveDateTime, all_day: bool) -> String {
    if all_day {
        t.format("%Y-%m-%d").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

/// An event as the API shows it, listed under `cal`.
fn event_in(svc: &Services, ev: Event, cal: &Calendar) -> EventOut {
    let group = match cal {
        Calendar::Group(g) => Some(g.slug.clone()),
        _ => None,
    };
    let calendar = Some(cal.slug().to_owned()).filter(|s| !s.is_empty());
    event_out(svc, ev, calendar, group)
}

fn event_out(
    svc: &Services,
    ev: Event,
    calendar: Option<String>,
    group: Option<String>,
) -> EventOut {
    let t = &ev.timing;
    let all_day = t.all_day();
    let imported = ev.imported();
    let id = ev.row.id;
    let r = ev.row;
    EventOut {
        id,
        uid: r.uid,
        calendar,
        group,
        title: r.title,
        description: r.description,
        all_day,
        tzid: Some(t.timing.tz_name().to_owned()).filter(|s| !s.is_empty()),
        start: local(t.start, all_day),
        end: local(t.end, all_day),
        rrule: t.rrule.clone(),
        rdates: t.rdates.iter().map(|d| local(*d, all_day)).collect(),
        exdates: t.exdates.iter().map(|d| local(*d, all_day)).collect(),
        venue: VenueOut {
            name: r.venue_name,
            address: r.venue_address,
            latitude: r.latitude,
            longitude: r.longitude,
        },
        online_url: r.online_url,
        capacity: r.capacity,
        rsvp_opens_at: r.rsvp_opens_at,
        rsvp_closes_at: r.rsvp_closes_at,
        status: ev.status.as_str().to_owned(),
        sequence: r.sequence,
        imported,
        url: svc.site.link(&format!("/events/{id}")),
        ics: svc.site.link(&format!("/events/{id}.ics")),
        updated_at: r.updated_at,
    }
}

/// One occurrence of an event, overrides applied.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrenceOut {
    /// The occurrence key (its original local start, `20261208T190000`, or
    /// `20261208` for all-day events); the iCalendar RECURRENCE-ID.
    pub key: String,
    /// Start: RFC 3339 with the offset in force then (`2026-12-08T19:00:00-05:00`);
    /// a date for all-day events; no offset for floating (imported) times.
    pub start: String,
    /// End, in the same form (for all-day events the day after, exclusive).
    pub end: String,
    /// The event's IANA zone, or null.
    pub tzid: Option<String>,
    /// Whole days.
    pub all_day: bool,
    /// confirmed, tentative or cancelled.
    #[schema(schema_with = super::openapi::event_status)]
    pub status: String,
    /// Title (this occurrence's, if changed).
    pub title: String,
    /// Venue name (this occurrence's, if changed).
    pub venue_name: String,
    /// Changed from the series (moved, retitled or cancelled alone).
    pub changed: bool,
    /// Its page.
    pub url: String,
}

fn occurrence_out(svc: &Services, o: Occ) -> OccurrenceOut {
    OccurrenceOut {
        start: o.start.rfc3339(),
        end: o.end.rfc3339(),
        tzid: o.start.tz().map(|tz| tz.name().to_owned()),
        all_day: matches!(o.start, Moment::Date(_)),
        status: o.status.as_str().to_owned(),
        url: svc.site.link(&o.path()),
        key: o.key,
        title: o.title,
        venue_name: o.venue_name,
        changed: o.changed,
    }
}

/// The default window: 90 days from `from`.
const DEFAULT_DAYS: i64 = 90;
/// The widest window one call may ask for.
const MAX_MONTHS: u32 = 24;

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Reads `from`/`to`: RFC 3339, or a date meaning midnight UTC.
fn instant(field: &'static str, s: &str) -> Result<DateTime<Utc>, InvalidInput> {
    // An unescaped `+` in a query string arrives as a space.
    let s = s.replace(' ', "+");
    let at = DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN).and_utc())
        })
        .ok_or_else(|| {
            InvalidInput::new(
                field,
                format!(
                    "Give {field} as an RFC 3339 time (2026-12-08T19:00:00-05:00) or a date (2026-12-08, read as midnight UTC)."
                ),
            )
        })?;
    if !(1..=9999).contains(&at.year()) {
        return Err(InvalidInput::new(
            field,
            format!("Give {field} between the years 1 and 9999."),
        ));
    }
    Ok(at)
}

/// The window `[from, to)` asked for, by default 90 days from now.
fn window(
    from: Option<&str>,
    to: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), InvalidInput> {
    let from = match nonempty(from) {
        Some(s) => instant("from", s)?,
        None => now,
    };
    let to = match nonempty(to) {
        Some(s) => instant("to", s)?,
        None => from
            .checked_add_signed(Duration::days(DEFAULT_DAYS))
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    };
    if to <= from {
        return Err(InvalidInput::new(
            "to",
            "The window must end after it starts: give a `to` later than `from`.",
        ));
    }
    let widest = from
        .checked_add_months(Months::new(MAX_MONTHS))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    if to > widest {
        return Err(InvalidInput::new(
            "to",
            "The window from `from` to `to` may span at most two years; ask for a shorter range, in several calls if need be.",
        ));
    }
    Ok((from, to))
}

/// Which events, in which window.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    /// A regional calendar's or a group's slug.
    pub calendar: Option<String>,
    /// A group's slug (instead of `calendar`).
    pub group: Option<String>,
    /// Start of the window: RFC 3339, or a date (midnight UTC). Default:
    /// the start of the current minute.
    pub from: Option<String>,
    /// End of the window (exclusive), same forms. Default: 90 days after
    /// `from`; at most two years after it.
    pub to: Option<String>,
    /// Most events to return, 1 to 500 (default 100; other numbers are
    /// read as the nearest of those).
    pub limit: Option<i64>,
}

/// Events with an occurrence in the window, on one calendar or site-wide,
/// in order of their first occurrence there.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(ListQuery),
    responses((status = 200, body = Vec<EventOut>, headers(("ETag" = String, description = "Send it back in If-None-Match to be answered 304 while nothing changed"))),
        (status = 304, description = "Nothing changed since the ETag sent in If-None-Match"), (status = 404, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let svc = &state.svc;
    // Without a `from`, the window starts at the current minute, so that
    // callers asking "from now" share one answer for a minute.
    let now = svc.clock.now();
    let minute = now
        - Duration::seconds(i64::from(now.second()))
        - Duration::nanoseconds(i64::from(now.nanosecond()));
    let (from, to) = window(q.from.as_deref(), q.to.as_deref(), minute)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let (calendar, group) = (
        nonempty(q.calendar.as_deref()).map(str::to_owned),
        nonempty(q.group.as_deref()).map(str::to_owned),
    );
    if calendar.is_some() && group.is_some() {
        return Err(InvalidInput::new("group", "Give either calendar or group, not both.").into());
    }
    // The answer depends on the calendars and on the roster (which groups
    // are approved, and their slugs); both versions are kept in memory, so
    // a repeated call costs no query.
    let version = format!(
        "{}/{}",
        calendars::feed_version(svc).await?,
        groups::roster_version(svc).await?
    );
    let key = format!(
        "api-events:{}:{}:{}:{}:{limit}",
        calendar.as_deref().unwrap_or(""),
        group.as_deref().unwrap_or(""),
        from.timestamp_micros(),
        to.timestamp_micros()
    );
    let etag = format!("\"e{:x}\"", fxhash(&format!("{version}|{key}")));
    if etag_matches(&headers, &etag) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::VARY, "accept-encoding".to_owned()),
            ],
        )
            .into_response());
    }
    let body = state
        .calendar_cache
        .get_or_build_weighed(&key, &version, || async {
            let cal = match (&calendar, &group) {
                (Some(slug), _) => calendars::calendar(svc, slug).await?,
                (None, Some(slug)) => {
                    Calendar::Group(Box::new(groups::group_page(svc, None, slug).await?.group))
                }
                (None, None) => Calendar::Site,
            };
            let limit = usize::try_from(limit).unwrap_or(1);
            let out: Vec<EventOut> = calendars::events_between(svc, &cal, from, to, limit)
                .await?
                .into_iter()
                .map(|l| event_out(svc, l.event, l.calendar, l.group))
                .collect();
            serde_json::to_vec(&out)
                .map(crate::packed::Packed::new)
                .map_err(|e| ApiError(convene_app::AppError::Internal(e.to_string())))
        })
        .await?;
    let mut response =
        crate::pages::http_cache::packed_response(&headers, "application/json", &body);
    if let Ok(etag) = header::HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// One event.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events", params(("id" = i64, Path, description = "The event's id")),
    responses((status = 200, body = EventOut), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EventOut>, ApiError> {
    let (ev, cal) = calendars::event(&state.svc, id).await?;
    Ok(Json(event_in(&state.svc, ev, &cal)))
}

/// The window of occurrences.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct OccurrencesQuery {
    /// Start of the window: RFC 3339, or a date (midnight UTC). Default: now.
    pub from: Option<String>,
    /// End of the window (exclusive), same forms. Default: 90 days after
    /// `from`; at most two years after it.
    pub to: Option<String>,
    /// Most occurrences to return, 1 to 5000 (default 500; other numbers
    /// are read as the nearest of those).
    pub limit: Option<i64>,
}

/// An event's occurrences that overlap the window, in order.
#[utoipa::path(get, path = "/api/v1/events/{id}/occurrences", tag = "events",
    params(("id" = i64, Path, description = "The event's id"), OccurrencesQuery),
    responses((status = 200, body = Vec<OccurrenceOut>), (status = 404, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn occurrences(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<OccurrencesQuery>,
) -> Result<Json<Vec<OccurrenceOut>>, ApiError> {
    let svc = &state.svc;
    let (from, to) = window(q.from.as_deref(), q.to.as_deref(), svc.clock.now())?;
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let (_, occs) = calendars::event_occurrences(svc, id, from, to).await?;
    Ok(Json(
        occs.into_iter()
            .take(usize::try_from(limit).unwrap_or(1))
            .map(|o| occurrence_out(svc, o))
            .collect(),
    ))
}

/// An event as a client sends it. A new event takes its calendar from
/// [`NewEventIn`]; a change replaces every field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EventIn {
    /// Title (required).
    pub title: String,
    /// Markdown.
    pub description: String,
    /// Whole days: `start` and `end` are dates, `end` exclusive.
    pub all_day: bool,
    /// Local start: `2026-12-08T19:00` (a date for all-day events).
    pub start: String,
    /// Local end, same form (required unless all-day; for all-day events the
    /// day after the last day, as in iCalendar, one day when left out).
    pub end: String,
    /// IANA zone the local times are in, e.g. America/New_York (ignored for all-day events).
    #[serde(alias = "tzid")]
    pub tz: String,
    /// RFC 5545 recurrence rule, e.g. `FREQ=MONTHLY;BYDAY=2TU`; null or
    /// empty for no rule.
    pub rrule: Option<String>,
    /// Extra occurrences, as local starts.
    pub rdates: Vec<String>,
    /// Occurrences to leave out, as local starts.
    pub exdates: Vec<String>,
    /// Venue name.
    pub venue_name: String,
    /// Venue address.
    pub venue_address: String,
    /// Latitude of the venue (with `longitude`); when both are left out the
    /// pin is taken from the address's city, if known.
    pub latitude: Option<f64>,
    /// Longitude of the venue.
    pub longitude: Option<f64>,
    /// Link to join online.
    pub online_url: String,
    /// Seats per occurrence, 1 to 100,000; null for no limit.
    pub capacity: Option<i64>,
    /// Local time RSVPs open, if limited.
    pub rsvp_opens: Option<String>,
    /// Local time RSVPs close, if limited.
    pub rsvp_closes: Option<String>,
    /// confirmed (default), tentative or cancelled.
    #[schema(schema_with = super::openapi::event_status_in)]
    pub status: String,
}

impl EventIn {
    /// The app's form-shaped input, after the checks only the API needs.
    fn input(self) -> Result<EventInput, InvalidInput> {
        let coordinates = match (self.latitude, self.longitude) {
            (None, None) => String::new(),
            (Some(lat), Some(lon)) => {
                if !(-90.0..=90.0).contains(&lat) {
                    return Err(InvalidInput::new(
                        "latitude",
                        "Latitude must be between -90 and 90.",
                    ));
                }
                if !(-180.0..=180.0).contains(&lon) {
                    return Err(InvalidInput::new(
                        "longitude",
                        "Longitude must be between -180 and 180.",
                    ));
                }
                format!("{lat}, {lon}")
            }
            (None, Some(_)) => {
                return Err(InvalidInput::new(
                    "latitude",
                    "Give latitude and longitude together, or neither.",
                ));
            }
            (Some(_), None) => {
                return Err(InvalidInput::new(
                    "longitude",
                    "Give latitude and longitude together, or neither.",
                ));
            }
        };
        let end = if self.all_day {
            all_day_last_day(&self.start, &self.end)?
        } else {
            self.end
        };
        let rrule = self.rrule.unwrap_or_default();
        Ok(EventInput {
            title: self.title,
            description: self.description,
            all_day: if self.all_day {
                "on".into()
            } else {
                String::new()
            },
            start: self.start,
            end,
            tz: self.tz,
            repeat: if rrule.trim().is_empty() {
                "never".into()
            } else {
                "custom".into()
            },
            rrule,
            rdates: self.rdates.join(","),
            exdates: self.exdates.join(","),
            venue_name: self.venue_name,
            venue_address: self.venue_address,
            coordinates,
            online_url: self.online_url,
            capacity: self.capacity.map(|c| c.to_string()).unwrap_or_default(),
            rsvp_opens: self.rsvp_opens.unwrap_or_default(),
            rsvp_closes: self.rsvp_closes.unwrap_or_default(),
            status: self.status,
            ..EventInput::default()
        })
    }
}

/// The form's inclusive last day from the API's exclusive all-day `end`.
fn all_day_last_day(start: &str, end: &str) -> Result<String, InvalidInput> {
    let day = |s: &str| NaiveDate::parse_from_str(s.trim().get(..10).unwrap_or(s), "%Y-%m-%d");
    if end.trim().is_empty() {
        return Ok(String::new());
    }
    let Ok(end) = day(end) else {
        return Err(InvalidInput::new(
            "end",
            "Give the end of an all-day event as a date, e.g. 2026-12-09.",
        ));
    };
    if let Ok(start) = day(start)
        && end <= start
    {
        return Err(InvalidInput::new(
            "end",
            "For an all-day event `end` is the day after the last day (as in iCalendar): give the next day for a one-day event, or leave it out.",
        ));
    }
    Ok(end
        .pred_opt()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default())
}

/// A new event: its calendar and its fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewEventIn {
    /// Slug of a regional calendar or a group; empty or left out for the
    /// site-wide calendar (coordinators only).
    #[serde(default)]
    pub calendar: String,
    /// The event.
    #[serde(flatten)]
    pub event: EventIn,
}

/// Adds an event to a calendar (its editors: the group's organizers, the
/// regional calendar's editors, coordinators).
#[utoipa::path(post, path = "/api/v1/events", tag = "events", request_body = NewEventIn,
    responses((status = 201, body = EventOut), (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(body): ApiJson<NewEventIn>,
) -> Result<(StatusCode, Json<EventOut>), ApiError> {
    let svc = &state.svc;
    let cal = match nonempty(Some(&body.calendar)) {
        Some(slug) => calendars::calendar(svc, slug).await?,
        None => Calendar::Site,
    };
    let input = body.event.input()?;
    let id = calendars::create_event(svc, &me.actor, &cal, &input).await?;
    let (ev, cal) = calendars::event(svc, id).await?;
    Ok((StatusCode::CREATED, Json(event_in(svc, ev, &cal))))
}

/// Replaces a whole event, every occurrence (its calendar's editors).
#[utoipa::path(put, path = "/api/v1/events/{id}", tag = "events", request_body = EventIn, params(("id" = i64, Path, description = "The event's id")),
    responses((status = 200, body = EventOut), (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EventIn>,
) -> Result<Json<EventOut>, ApiError> {
    let svc = &state.svc;
    calendars::update_event(svc, &me.actor, id, &body.input()?).await?;
    let (ev, cal) = calendars::event(svc, id).await?;
    Ok(Json(event_in(svc, ev, &cal)))
}

/// Calls off a whole event; it stays listed with status `cancelled`.
#[utoipa::path(post, path = "/api/v1/events/{id}/cancel", tag = "events", params(("id" = i64, Path, description = "The event's id")),
    responses((status = 200, body = EventOut), (status = 403, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody), (status = 409, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EventOut>, ApiError> {
    let svc = &state.svc;
    calendars::cancel_event(svc, &me.actor, id).await?;
    let (ev, cal) = calendars::event(svc, id).await?;
    Ok(Json(event_in(svc, ev, &cal)))
}
