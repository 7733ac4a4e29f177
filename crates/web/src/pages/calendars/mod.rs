//! Calendar pages: the site-wide calendar, regional and group calendars
//! (upcoming list and month grid, in the event's zone or the visitor's),
//! their iCalendar feeds, and the editors' tools (events, imports, outside
//! feeds, which groups a region gathers).

mod create;
mod feed;
mod import;
mod index;
mod new_event;
mod past;
mod settings;
mod show;
mod sources;

pub use create::create;
pub use feed::{group_feed, site_feed};
pub use import::{import, import_reloaded};
pub use index::index;
pub use new_event::{create_event, new_event_form};
pub use past::{past, site_past};
pub use settings::{set_group, settings};
pub use show::{show, site_calendar};
pub use sources::{add_source, follow, remove_source};

use crate::AppState;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::pages::calendar_views::*;
use crate::pages::{FormErrors, PageCtx, render};
use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use convene_app::calendars::{self, Calendar, ImportReport};
use convene_store::calendars::{CalendarRow, MemberGroup, SourceRow};
use serde::Deserialize;

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
    embed_path: String,
    widget_slug: String,
    past_path: String,
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
    /// The groups' names, for the picker of groups to include.
    group_names: Vec<String>,
    sources: Vec<SourceRow>,
    report: Option<ImportReport>,
    errors: FormErrors,
    is_site: bool,
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
        let occs = cached_series_once(state, &cal, 30, zone_for_dates).await?;
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
    let group_names = if can_edit && region.is_some() {
        convene_app::groups::group_names(svc).await?
    } else {
        Vec::new()
    };
    let feed_url = svc.site.link(&cal.feed_path());
    let webcal_url =
        feed_url
            .replacen("https://", "webcal://", 1)
            .replacen("http://", "webcal://", 1);
    // The whole site's calendar is headed as one, not by the bare site name.
    let name = match &cal {
        Calendar::Site => format!("{} calendar", svc.site.name),
        _ => cal.name(&svc.site.name).to_owned(),
    };
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
            embed_path: cal.embed_path(),
            widget_slug: cal.widget_slug().to_owned(),
            past_path: cal.past_path(),
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
            group_names,
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

const CALENDAR_FIELDS: [&str; 7] = [
    "worldwide",
    "slug",
    "name",
    "description",
    "continent",
    "country",
    "region",
];

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
