//! Calendar pages: the site-wide calendar, regional and group calendars
//! (upcoming list and month grid, in the event's zone or the visitor's),
//! their iCalendar feeds, and the editors' tools (events, imports, outside
//! feeds, which groups a region gathers).

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use crate::middleware::CsrfToken;
use crate::pages::{FormErrors, PageCtx, error_page, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use convene_app::calendars::{
    self, Calendar, CalendarInput, EventInput, ImportReport, Moment, Occ,
};
use convene_store::calendars::{CalendarRow, MemberGroup, SourceRow};
use serde::Deserialize;
use std::sync::Arc;

/// Name of the cookie remembering a visitor's chosen time zone.
pub const TZ_COOKIE: &str = "convene_tz";

/// One occurrence as pages show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OccView {
    /// Title.
    pub title: String,
    /// Absolute or site path of its page.
    pub url: String,
    /// "Tue 8 Dec 2026, 19:00–21:00 EST".
    pub when: String,
    /// Start, RFC 3339 (a date for all-day events).
    pub start: String,
    /// End, likewise (exclusive for all-day events).
    pub end: String,
    /// All-day.
    pub all_day: bool,
    /// The event's zone, if zoned.
    pub tz: Option<String>,
    /// Local date of the start (in the zone shown).
    pub date: String,
    /// Local start time ("19:00"), empty for all-day.
    pub time: String,
    /// Called off.
    pub cancelled: bool,
    /// The group, if the event is a group's.
    pub group: Option<GroupLabel>,
    /// Venue name.
    pub place: String,
    /// Has an online link.
    pub online: bool,
    /// Changed from its series.
    #[serde(skip)]
    pub changed: bool,
    /// Imported from an outside feed.
    #[serde(skip)]
    pub imported: bool,
}

/// A group named beside an event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupLabel {
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
}

/// Converts an occurrence for display, in `viewer`'s zone when given.
pub fn occ_view(o: &Occ, viewer: Option<Tz>, base: &str) -> OccView {
    let local = match viewer {
        Some(v) => o.start.local_in(v),
        None => o.start.local(),
    };
    let all_day = matches!(o.start, Moment::Date(_));
    OccView {
        title: o.title.clone(),
        url: format!("{base}{}", o.path()),
        when: calendars::when_text_in(o, viewer),
        start: match viewer {
            Some(v) => o.start.rfc3339_in(v),
            None => o.start.rfc3339(),
        },
        end: match viewer {
            Some(v) => o.end.rfc3339_in(v),
            None => o.end.rfc3339(),
        },
        all_day,
        tz: o.start.tz().map(|t| t.name().to_owned()),
        date: local.format("%Y-%m-%d").to_string(),
        time: if all_day {
            String::new()
        } else {
            local.format("%H:%M").to_string()
        },
        cancelled: o.cancelled(),
        group: o.group.as_ref().map(|(slug, name)| GroupLabel {
            slug: slug.clone(),
            name: name.clone(),
        }),
        place: o.venue_name.clone(),
        online: o.online,
        changed: o.changed,
        imported: o.imported,
    }
}

/// The zone the visitor chose (query, then cookie, then their account's
/// setting), if any and valid.
pub fn viewer_zone(query: Option<&str>, headers: &HeaderMap, visitor: &Visitor) -> Option<Tz> {
    if let Some(q) = query {
        return q.parse::<Tz>().ok();
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == TZ_COOKIE)
        .and_then(|(_, v)| v.replace("%2F", "/").parse::<Tz>().ok());
    cookie.or_else(|| {
        visitor
            .signed_in
            .as_ref()
            .and_then(|s| s.user.time_zone.parse::<Tz>().ok())
    })
}

/// The next `limit` occurrences of `cal`, kept in memory for the minute and
/// until any calendar changes (many visitors, one expansion).
pub async fn cached_upcoming(
    state: &AppState,
    cal: &Calendar,
    limit: usize,
    viewer: Tz,
) -> Result<Arc<Vec<Occ>>, PageError> {
    let version = calendars::feed_version(&state.svc).await?;
    let now = state.svc.clock.now();
    let key = format!(
        "upcoming:{}:{limit}:{}:{}",
        cal.feed_path(),
        viewer.name(),
        now.format("%Y%m%d%H%M")
    );
    let (svc, cal) = (state.svc.clone(), cal.clone());
    state
        .calendar_cache
        .get_or_build(&key, &version.to_string(), || async move {
            Ok::<_, PageError>(calendars::upcoming(&svc, &cal, now, limit, viewer).await?)
        })
        .await
}

/// The occurrences of `cal` overlapping `[from, to)`, kept in memory until any calendar changes.
pub async fn cached_between(
    state: &AppState,
    cal: &Calendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    viewer: Tz,
) -> Result<Arc<Vec<Occ>>, PageError> {
    let version = calendars::feed_version(&state.svc).await?;
    let key = format!(
        "between:{}:{}:{}:{}",
        cal.feed_path(),
        from.timestamp(),
        to.timestamp(),
        viewer.name()
    );
    let (svc, cal) = (state.svc.clone(), cal.clone());
    state
        .calendar_cache
        .get_or_build(&key, &version.to_string(), || async move {
            Ok::<_, PageError>(
                calendars::occurrences_between(&svc, &cal, from, to, viewer)
                    .await?
                    .0,
            )
        })
        .await
}

/// A day of the month grid.
pub struct DayCell {
    /// Day of the month.
    pub day: u32,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Belongs to the month shown (not padding).
    pub in_month: bool,
    /// Today.
    pub today: bool,
    /// Its occurrences.
    pub occs: Vec<OccView>,
}

/// Query of a calendar page.
#[derive(Debug, Default, Deserialize)]
pub struct CalendarQuery {
    /// `list` (default) or `month`.
    pub view: Option<String>,
    /// `YYYY-MM` for the month view.
    pub month: Option<String>,
    /// A zone to show times in.
    pub tz: Option<String>,
    /// Notice code.
    pub done: Option<String>,
}

#[derive(Template)]
#[template(path = "calendars/show.html")]
struct CalendarPage {
    ctx: PageCtx,
    name: String,
    description_html: String,
    path: String,
    feed_url: String,
    webcal_url: String,
    embed_base: String,
    slug: String,
    month_view: bool,
    upcoming: Vec<OccView>,
    month_label: String,
    prev_month: String,
    next_month: String,
    weeks: Vec<Vec<DayCell>>,
    zone: String,
    zones: Vec<&'static str>,
    can_edit: bool,
    region: Option<CalendarRow>,
    members: Vec<MemberGroup>,
    sources: Vec<SourceRow>,
    report: Option<ImportReport>,
    errors: FormErrors,
    is_site: bool,
}

/// Zones offered by the picker (any IANA name is accepted in the URL).
pub fn zone_choices() -> Vec<&'static str> {
    let mut zones: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("SystemV/"))
        .collect();
    zones.insert(0, "UTC");
    zones
}

fn month_bounds(month: Option<&str>, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = month
        .and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok())
        .unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (first, next)
}

/// Builds the month grid (weeks from Monday) for `first..next`.
pub fn month_grid(
    first: NaiveDate,
    next: NaiveDate,
    today: NaiveDate,
    occs: &[OccView],
) -> Vec<Vec<DayCell>> {
    let mut start = first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
    let mut weeks = Vec::new();
    while start < next {
        let mut week = Vec::new();
        for _ in 0..7 {
            let date = start.format("%Y-%m-%d").to_string();
            week.push(DayCell {
                day: start.day(),
                in_month: start >= first && start < next,
                today: start == today,
                occs: occs.iter().filter(|o| o.date == date).cloned().collect(),
                date,
            });
            start += Duration::days(1);
        }
        weeks.push(week);
    }
    weeks
}

async fn calendar_page(
    state: &AppState,
    visitor: &Visitor,
    headers: &HeaderMap,
    cal: Calendar,
    q: &CalendarQuery,
    report: Option<ImportReport>,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let svc = &state.svc;
    let viewer = viewer_zone(q.tz.as_deref(), headers, visitor);
    let now = svc.clock.now();
    let zone_for_dates = viewer.unwrap_or(Tz::UTC);
    let today = now.with_timezone(&zone_for_dates).date_naive();
    let month_view = q.view.as_deref() == Some("month");
    let base = "";
    let (first, next) = month_bounds(q.month.as_deref(), today);
    let (upcoming, weeks) = if month_view {
        let from = (first - Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        let to = (next + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        let occs = cached_between(state, &cal, from, to, zone_for_dates).await?;
        let views: Vec<OccView> = occs.iter().map(|o| occ_view(o, viewer, base)).collect();
        (Vec::new(), month_grid(first, next, today, &views))
    } else {
        let occs = cached_upcoming(state, &cal, 30, zone_for_dates).await?;
        (
            occs.iter().map(|o| occ_view(o, viewer, base)).collect(),
            Vec::new(),
        )
    };
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    let can_edit = cal.editable_by(actor) && !matches!(cal, Calendar::Site);
    let (region, members, description) = match &cal {
        Calendar::Region(c) => (
            Some(c.clone()),
            calendars::calendar_groups(svc, c.id).await?,
            crate::markdown::render(&c.description),
        ),
        Calendar::Group(g) => (
            None,
            Vec::new(),
            crate::markdown::render(&g.short_description),
        ),
        Calendar::Site => (None, Vec::new(), String::new()),
    };
    let sources = if can_edit {
        calendars::sources(svc, &cal).await?
    } else {
        Vec::new()
    };
    let feed_url = svc.site.link(&cal.feed_path());
    let webcal_url =
        feed_url
            .replacen("https://", "webcal://", 1)
            .replacen("http://", "webcal://", 1);
    let name = cal.name(&svc.site.name).to_owned();
    let title = match &cal {
        Calendar::Site => "Calendar".to_owned(),
        Calendar::Group(g) => format!("{} — events", g.name),
        Calendar::Region(c) => format!("{} calendar", c.name),
    };
    let ctx = PageCtx::new(state, visitor, title).with_notice(q.done.as_deref());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(
        status,
        &CalendarPage {
            ctx,
            name,
            description_html: description,
            path: cal.path(),
            feed_url,
            webcal_url,
            embed_base: svc.site.link(""),
            slug: cal.slug().to_owned(),
            month_view,
            upcoming,
            month_label: first.format("%B %Y").to_string(),
            prev_month: (first - Duration::days(1)).format("%Y-%m").to_string(),
            next_month: next.format("%Y-%m").to_string(),
            weeks,
            zone: viewer.map(|v| v.name().to_owned()).unwrap_or_default(),
            zones: zone_choices(),
            can_edit,
            region,
            members,
            sources,
            report,
            errors,
            is_site: matches!(cal, Calendar::Site),
        },
    );
    if let Some(tz) = q.tz.as_deref() {
        let value = if tz.parse::<Tz>().is_ok() {
            format!(
                "{TZ_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
                tz.replace('/', "%2F")
            )
        } else {
            format!("{TZ_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0")
        };
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

/// `GET /calendar`: every event on the site.
pub async fn site_calendar(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, PageError> {
    calendar_page(
        &state,
        &visitor,
        &headers,
        Calendar::Site,
        &q,
        None,
        FormErrors::default(),
    )
    .await
}

/// `GET /calendar.ics`.
pub async fn site_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    feed(&state, &headers, Calendar::Site).await
}

/// `GET /calendars/{slug}` (or `/calendars/{slug}.ics`, the feed).
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, PageError> {
    if let Some(slug) = slug.strip_suffix(".ics") {
        let cal = calendars::calendar(&state.svc, slug).await?;
        return feed(&state, &headers, cal).await;
    }
    let cal = calendars::calendar(&state.svc, &slug).await?;
    calendar_page(
        &state,
        &visitor,
        &headers,
        cal,
        &q,
        None,
        FormErrors::default(),
    )
    .await
}

/// `GET /groups/{slug}/events.ics`.
pub async fn group_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let cal = calendars::calendar(&state.svc, &slug).await?;
    if !matches!(cal, Calendar::Group(_)) {
        return Ok(error_page(
            StatusCode::NOT_FOUND,
            "There is no group at this address.",
        ));
    }
    feed(&state, &headers, cal).await
}

/// A cached, validated iCalendar answer with `ETag`, `Last-Modified` and 304s.
async fn feed(state: &AppState, headers: &HeaderMap, cal: Calendar) -> Result<Response, PageError> {
    let version = calendars::feed_version(&state.svc).await?;
    let key = format!("ics:{}", cal.feed_path());
    let etag = format!("\"{version}-{:x}\"", fxhash(&key));
    // A client that has this version is answered without touching the body.
    if etag_matches(headers, &etag) {
        return Ok(not_modified(&etag));
    }
    let svc = state.svc.clone();
    let built: Arc<(Bytes, DateTime<Utc>)> = state
        .calendar_cache
        .get_or_build(&key, &version.to_string(), || async move {
            let body = calendars::calendar_feed(&svc, &cal).await?;
            Ok::<_, PageError>((Bytes::from(body), svc.clock.now()))
        })
        .await?;
    Ok(conditional(
        headers,
        &etag,
        built.1,
        "text/calendar; charset=utf-8",
        built.0.clone(),
    ))
}

fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|list| list.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

fn not_modified(etag: &str) -> Response {
    (
        StatusCode::NOT_MODIFIED,
        [
            (header::ETAG, etag.to_owned()),
            (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
        ],
    )
        .into_response()
}

/// A small stable hash of a key, for validators.
pub fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Answers 304 when the client's validators match, else the body with them.
pub fn conditional(
    headers: &HeaderMap,
    etag: &str,
    modified: DateTime<Utc>,
    content_type: &'static str,
    body: Bytes,
) -> Response {
    let fresh = if headers.contains_key(header::IF_NONE_MATCH) {
        etag_matches(headers, etag)
    } else {
        headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(&v.replace("GMT", "+0000")).ok())
            .is_some_and(|since| modified.timestamp() <= since.timestamp())
    };
    if fresh {
        return not_modified(etag);
    }
    (
        StatusCode::OK,
        [
            (header::ETAG, etag.to_owned()),
            (
                header::LAST_MODIFIED,
                modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            ),
            (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
        ],
        [(header::CONTENT_TYPE, content_type)],
        body,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "calendars/index.html")]
struct IndexPage {
    ctx: PageCtx,
    regions: Vec<CalendarRow>,
    input: CalendarInput,
    errors: FormErrors,
}

/// `GET /calendars`: the regional calendars (and, for coordinators, a form for a new one).
pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, PageError> {
    let regions = calendars::regional_calendars(&state.svc).await?;
    let ctx = PageCtx::new(&state, &visitor, "Calendars").with_notice(q.done.as_deref());
    Ok(render(
        StatusCode::OK,
        &IndexPage {
            ctx,
            regions,
            input: CalendarInput::default(),
            errors: FormErrors::default(),
        },
    ))
}

const CALENDAR_FIELDS: [&str; 6] = [
    "slug",
    "name",
    "description",
    "continent",
    "country",
    "region",
];

/// `POST /calendars`: a coordinator makes a regional calendar.
pub async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(input): CsrfForm<CalendarInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match calendars::create_calendar(&state.svc, &me.actor, &input).await {
        Ok(slug) => Ok(see_other(&format!(
            "/calendars/{slug}?done=calendar-created"
        ))),
        Err(e) => match FormErrors::from_app(&e, &CALENDAR_FIELDS) {
            Some((status, errors)) => {
                let regions = calendars::regional_calendars(&state.svc).await?;
                let ctx = PageCtx::new(&state, &visitor, "Calendars");
                Ok(render(
                    status,
                    &IndexPage {
                        ctx,
                        regions,
                        input,
                        errors,
                    },
                ))
            }
            None => Err(e.into()),
        },
    }
}

/// `POST /calendars/{slug}/settings`: an editor changes a regional calendar.
pub async fn settings(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    CsrfForm(input): CsrfForm<CalendarInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match calendars::update_calendar(&state.svc, &me.actor, &slug, &input).await {
        Ok(()) => Ok(see_other(&format!("/calendars/{slug}?done=calendar-saved"))),
        Err(e) => form_failure(&state, &visitor, &headers, &slug, e, &CALENDAR_FIELDS).await,
    }
}

async fn form_failure(
    state: &AppState,
    visitor: &Visitor,
    headers: &HeaderMap,
    slug: &str,
    e: convene_app::AppError,
    fields: &[&'static str],
) -> Result<Response, PageError> {
    match FormErrors::from_app(&e, fields) {
        Some((_, errors)) => {
            let cal = calendars::calendar(&state.svc, slug).await?;
            calendar_page(
                state,
                visitor,
                headers,
                cal,
                &CalendarQuery::default(),
                None,
                errors,
            )
            .await
        }
        None => Err(e.into()),
    }
}

/// The include/exclude form.
#[derive(Debug, Deserialize)]
pub struct GroupChoice {
    /// Group slug.
    #[serde(default)]
    group: String,
    /// include, exclude or area.
    #[serde(default)]
    mode: String,
}

/// `POST /calendars/{slug}/groups`.
pub async fn set_group(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    CsrfForm(choice): CsrfForm<GroupChoice>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let included = match choice.mode.as_str() {
        "include" => Some(true),
        "exclude" => Some(false),
        _ => None,
    };
    match calendars::set_calendar_group(&state.svc, &me.actor, &slug, &choice.group, included).await
    {
        Ok(()) => Ok(see_other(&format!("/calendars/{slug}?done=calendar-saved"))),
        Err(e) => form_failure(&state, &visitor, &headers, &slug, e, &["group"]).await,
    }
}

/// The outside-feed form.
#[derive(Debug, Deserialize)]
pub struct SourceForm {
    /// Feed address.
    #[serde(default)]
    url: String,
}

/// `POST /calendars/{slug}/sources`: subscribe to an outside feed.
pub async fn add_source(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<SourceForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let cal = calendars::calendar(&state.svc, &slug).await?;
    match calendars::add_source(&state.svc, &state.fetcher, &me.actor, &cal, &form.url).await {
        Ok(_) => Ok(see_other(&format!("/calendars/{slug}?done=source-added"))),
        Err(e) => form_failure(&state, &visitor, &headers, &slug, e, &["url"]).await,
    }
}

/// `POST /calendars/{slug}/sources/{id}/delete`.
pub async fn remove_source(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<crate::extract::NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let cal = calendars::calendar(&state.svc, &slug).await?;
    calendars::remove_source(&state.svc, &me.actor, &cal, id).await?;
    Ok(see_other(&format!("/calendars/{slug}?done=source-removed")))
}

/// `POST /calendars/{slug}/import`: a one-off .ics upload (multipart, fields `csrf` and `file`).
pub async fn import(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    axum::Extension(CsrfToken(expected, fresh)): axum::Extension<CsrfToken>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (mut sent_csrf, mut file) = (String::new(), Vec::new());
    let too_big = || {
        error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The file could not be read: an .ics file (or a zip of them) may be at most 2 MB.",
        )
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Ok(too_big()),
        };
        match field.name().unwrap_or_default() {
            "csrf" => sent_csrf = field.text().await.unwrap_or_default(),
            "file" => match field.bytes().await {
                Ok(b) => file = b.to_vec(),
                Err(_) => return Ok(too_big()),
            },
            _ => {}
        }
    }
    if fresh || sent_csrf.is_empty() || sent_csrf != expected {
        return Ok(error_page(
            StatusCode::FORBIDDEN,
            "This form has expired or was not sent from this site's own page. Go back, reload the page and try again.",
        ));
    }
    let cal = calendars::calendar(&state.svc, &slug).await?;
    match calendars::import_ics(&state.svc, Some(&me.actor), &cal, &file).await {
        Ok(report) => {
            calendar_page(
                &state,
                &visitor,
                &headers,
                cal,
                &CalendarQuery::default(),
                Some(report),
                FormErrors::default(),
            )
            .await
        }
        Err(e) => form_failure(&state, &visitor, &headers, &slug, e, &["file"]).await,
    }
}

#[derive(Template)]
#[template(path = "events/form.html")]
struct EventFormPage {
    ctx: PageCtx,
    heading: String,
    action: String,
    input: EventInput,
    errors: FormErrors,
    zones: Vec<&'static str>,
    back: String,
}

/// The event form's fields, for error placement.
pub const EVENT_FIELDS: [&str; 18] = [
    "title",
    "description",
    "all_day",
    "start",
    "end",
    "tz",
    "repeat",
    "rrule",
    "rdates",
    "exdates",
    "venue_name",
    "venue_address",
    "coordinates",
    "online_url",
    "capacity",
    "rsvp_opens",
    "rsvp_closes",
    "status",
];

/// Renders the event form.
pub fn event_form(
    state: &AppState,
    visitor: &Visitor,
    heading: String,
    action: String,
    input: EventInput,
    errors: FormErrors,
    back: String,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &EventFormPage {
            ctx: PageCtx::new(state, visitor, heading.clone()),
            heading,
            action,
            input,
            errors,
            zones: zone_choices(),
            back,
        },
    )
}

/// `GET /calendars/{slug}/events/new`.
pub async fn new_event_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let cal = calendars::calendar(&state.svc, &slug).await?;
    if !cal.editable_by(Some(&me.actor)) {
        return Err(convene_app::AppError::Denied(convene_domain::Denied::Forbidden).into());
    }
    let tomorrow = state.svc.clock.now().date_naive() + Duration::days(7);
    let input = EventInput {
        start: format!("{tomorrow}T19:00"),
        end: format!("{tomorrow}T21:00"),
        tz: default_zone(&cal),
        repeat: "never".into(),
        status: "confirmed".into(),
        ..EventInput::default()
    };
    Ok(event_form(
        &state,
        &visitor,
        format!("New event on {}", cal.name(&state.svc.site.name)),
        format!("/calendars/{slug}/events/new"),
        input,
        FormErrors::default(),
        cal.path(),
    ))
}

/// A sensible zone for a calendar's new events: its group's or area's country's main zone.
fn default_zone(cal: &Calendar) -> String {
    let country = match cal {
        Calendar::Group(g) => g.country.clone(),
        Calendar::Region(c) => c.country.clone(),
        Calendar::Site => String::new(),
    };
    let region = match cal {
        Calendar::Group(g) => g.region.to_ascii_lowercase(),
        Calendar::Region(c) => c.region.to_ascii_lowercase(),
        Calendar::Site => String::new(),
    };
    let eastern = [
        "massachusetts",
        "new york",
        "florida",
        "georgia",
        "virginia",
        "pennsylvania",
        "ohio",
        "michigan",
    ];
    match country.as_str() {
        "US" if region == "california" || region == "washington" || region == "oregon" => {
            "America/Los_Angeles"
        }
        "US" if eastern.contains(&region.as_str()) => "America/New_York",
        "US" => "America/Chicago",
        "DE" => "Europe/Berlin",
        "GB" => "Europe/London",
        "FR" => "Europe/Paris",
        "IN" => "Asia/Kolkata",
        "BR" => "America/Sao_Paulo",
        "JP" => "Asia/Tokyo",
        "AU" => "Australia/Sydney",
        _ => "UTC",
    }
    .to_owned()
}

/// `POST /calendars/{slug}/events/new`.
pub async fn create_event(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(input): CsrfForm<EventInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let cal = calendars::calendar(&state.svc, &slug).await?;
    match calendars::create_event(&state.svc, &me.actor, &cal, &input).await {
        Ok(id) => Ok(see_other(&format!("/events/{id}?done=event-saved"))),
        Err(e) => match FormErrors::from_app(&e, &EVENT_FIELDS) {
            Some((_, errors)) => Ok(event_form(
                &state,
                &visitor,
                format!("New event on {}", cal.name(&state.svc.site.name)),
                format!("/calendars/{slug}/events/new"),
                input,
                errors,
                cal.path(),
            )),
            None => Err(e.into()),
        },
    }
}
