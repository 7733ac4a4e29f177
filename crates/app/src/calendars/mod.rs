//! Calendars and events: the site-wide calendar, each group's calendar,
//! regional calendars gathering groups by area, events with recurrence and
//! per-occurrence overrides, RSVPs with a waitlist, iCalendar feeds, and
//! outside feeds synced in.

mod event_input;
mod events;
mod ics;
mod import;
mod import_rules;
mod listing;
mod occurrences;
mod rsvp;
mod seed;
mod sources;
mod this_and_future;

pub use event_input::EventInput;
pub use events::{
    Event, OccurrenceEdit, cancel_event, create_event, delete_event, edit_occurrence, event,
    event_file, event_occurrence, seat_counts, split_series, update_event,
};
pub use ics::{
    FeedKind, FeedOut, calendar_feed, event_ics, feed_version, member_feed, member_feed_token,
    occurrence_ics, when_text, when_text_in, write_calendar_feed,
};
pub use import::{ImportReport, import_ics};
pub use listing::{ListedEvent, events_between};
pub use occurrences::{
    Moment, Occ, PastMeeting, Repeats, event_occurrences, occurrences_between, past_meetings,
    past_occurrences, upcoming, upcoming_series_once,
};
pub use rsvp::{Answered, answer, attendees, attendees_csv, my_answer};
pub use seed::seed_events;
pub use sources::{
    SyncCalendarSources, SyncSource, add_source, remove_source, schedule_source_syncs, sync_source,
};

use crate::{AppError, AppResult, Services};
use convene_domain::roles::is_slug;
use convene_domain::{Action, Actor, InvalidInput, Scope as RoleScope, authorize};
use convene_store::calendars::{self, CalendarFields, CalendarRow, MemberGroup};
use convene_store::events::Scope;
use convene_store::groups::{self, GroupRow};
use convene_store::{StoreError, Tx};

/// A calendar as pages see it.
#[derive(Debug, Clone)]
pub enum Calendar {
    /// Every event on the site.
    Site,
    /// A group's own calendar.
    Group(Box<GroupRow>),
    /// A regional calendar.
    Region(CalendarRow),
}

impl Calendar {
    /// The slug in URLs (`""` for the site-wide calendar).
    pub fn slug(&self) -> &str {
        match self {
            Calendar::Site => "",
            Calendar::Group(g) => &g.slug,
            Calendar::Region(c) => &c.slug,
        }
    }

    /// The calendar's name.
    pub fn name<'a>(&'a self, site: &'a str) -> &'a str {
        match self {
            Calendar::Site => site,
            Calendar::Group(g) => &g.name,
            Calendar::Region(c) => &c.name,
        }
    }

    /// Which events it covers.
    pub fn scope(&self) -> Scope {
        match self {
            Calendar::Site => Scope::Site,
            Calendar::Group(g) => Scope::Group(g.id),
            Calendar::Region(c) => Scope::Calendar(c.id),
        }
    }

    /// The path of its page.
    pub fn path(&self) -> String {
        match self {
            Calendar::Site => "/calendar".to_owned(),
            other => format!("/calendars/{}", other.slug()),
        }
    }

    /// The path of its past events.
    pub fn past_path(&self) -> String {
        format!("{}/past", self.path())
    }

    /// The path of its embeddable page (the iframe); its JSON is the same
    /// path with `.json`.
    pub fn embed_path(&self) -> String {
        match self {
            Calendar::Site => "/embed/calendar".to_owned(),
            other => format!("/embed/calendars/{}", other.slug()),
        }
    }

    /// What the embed script's `data-convene-calendar` names: the slug, or
    /// `*` for every event on the site.
    pub fn widget_slug(&self) -> &str {
        match self {
            Calendar::Site => "*",
            other => other.slug(),
        }
    }

    /// The path of its iCalendar feed.
    pub fn feed_path(&self) -> String {
        match self {
            Calendar::Site => "/calendar.ics".to_owned(),
            Calendar::Group(g) => format!("/groups/{}/events.ics", g.slug),
            Calendar::Region(c) => format!("/calendars/{}.ics", c.slug),
        }
    }

    /// True if `actor` may add and change events here.
    pub fn editable_by(&self, actor: Option<&Actor>) -> bool {
        match self {
            Calendar::Site => authorize(actor, &Action::AdministerSite).is_ok(),
            Calendar::Group(g) => authorize(
                actor,
                &Action::EditCalendar {
                    calendar: RoleScope::Group(g.id),
                },
            )
            .is_ok(),
            Calendar::Region(c) => authorize(
                actor,
                &Action::EditCalendar {
                    calendar: RoleScope::Calendar(c.id),
                },
            )
            .is_ok(),
        }
    }

    pub(crate) fn owner(&self) -> (Option<i64>, Option<i64>) {
        match self {
            Calendar::Site => (None, None),
            Calendar::Group(g) => (Some(g.id), None),
            Calendar::Region(c) => (None, Some(c.id)),
        }
    }
}

/// The calendar at `/calendars/{slug}`: a regional calendar, else a group's.
pub async fn calendar(svc: &Services, slug: &str) -> AppResult<Calendar> {
    let mut conn = svc.db.conn().await?;
    if let Some(c) = calendars::by_slug(conn.ex(), slug).await? {
        return Ok(Calendar::Region(c));
    }
    match groups::by_slug(conn.ex(), slug).await? {
        Some(g) if g.approval == "approved" => Ok(Calendar::Group(Box::new(g))),
        _ => Err(AppError::NotFound("There is no calendar at this address.")),
    }
}

/// Every regional calendar.
pub async fn regional_calendars(svc: &Services) -> AppResult<Vec<CalendarRow>> {
    let mut conn = svc.db.conn().await?;
    Ok(calendars::all(conn.ex()).await?)
}

/// The regional calendars' names, for a picker.
pub async fn calendar_names(svc: &Services) -> AppResult<Vec<String>> {
    let mut conn = svc.db.conn().await?;
    Ok(calendars::all(conn.ex())
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect())
}

/// The groups a regional calendar gathers, with the ones excluded.
pub async fn calendar_groups(svc: &Services, calendar_id: i64) -> AppResult<Vec<MemberGroup>> {
    let mut conn = svc.db.conn().await?;
    Ok(calendars::member_groups(conn.ex(), calendar_id).await?)
}

/// What a coordinator types to make or change a regional calendar.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CalendarInput {
    /// URL name.
    #[serde(default)]
    pub slug: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Markdown description.
    #[serde(default)]
    pub description: String,
    /// Continent code (AF, AN, AS, EU, NA, OC, SA) or empty.
    #[serde(default)]
    pub continent: String,
    /// Country (code or name) or empty.
    #[serde(default)]
    pub country: String,
    /// Region or state within the country, or empty.
    #[serde(default)]
    pub region: String,
    /// "on" for a calendar covering the whole world (no continent or
    /// country): its own events and the groups included by hand.
    #[serde(default)]
    pub worldwide: String,
}

impl CalendarInput {
    /// True when the coordinator chose a worldwide calendar.
    pub fn is_worldwide(&self) -> bool {
        matches!(self.worldwide.trim(), "on" | "true" | "1" | "yes")
    }
}

struct ValidCalendar {
    slug: String,
    name: String,
    description: String,
    continent: String,
    country: String,
    region: String,
}

impl ValidCalendar {
    fn fields(&self) -> CalendarFields<'_> {
        CalendarFields {
            slug: &self.slug,
            name: &self.name,
            description: &self.description,
            continent: &self.continent,
            country: &self.country,
            region: &self.region,
        }
    }
}

fn validate_calendar(input: &CalendarInput) -> Result<ValidCalendar, InvalidInput> {
    let name = convene_domain::events::check_line("name", &input.name, 120, true)?;
    let slug = if input.slug.trim().is_empty() {
        convene_domain::groups::slugify(&name)
    } else {
        input.slug.trim().to_ascii_lowercase()
    };
    if !is_slug(&slug) {
        return Err(InvalidInput::new(
            "slug",
            "Use lower-case letters, digits and dashes, e.g. massachusetts.",
        ));
    }
    if input.description.len() > 20_000 {
        return Err(InvalidInput::new(
            "description",
            "Keep the description under 20,000 characters.",
        ));
    }
    let continent = input.continent.trim().to_ascii_uppercase();
    if !continent.is_empty() && convene_places::Continent::from_code(&continent).is_none() {
        return Err(InvalidInput::new(
            "continent",
            "Use a continent code: AF, AN, AS, EU, NA, OC or SA.",
        ));
    }
    let country_in = input.country.trim();
    let country = if country_in.is_empty() {
        String::new()
    } else {
        convene_places::country(country_in)
            .or_else(|| convene_places::country_by_name(country_in))
            .map(|c| c.code.clone())
            .ok_or_else(|| {
                InvalidInput::new(
                    "country",
                    "We do not know this country; use its name or its two-letter code (US, DE).",
                )
            })?
    };
    let region = convene_domain::events::check_line("region", &input.region, 120, false)?;
    if !region.is_empty() && country.is_empty() {
        return Err(InvalidInput::new(
            "region",
            "A region needs its country, e.g. country US and region Massachusetts.",
        ));
    }
    if input.is_worldwide() && !(continent.is_empty() && country.is_empty()) {
        return Err(InvalidInput::new(
            "worldwide",
            "A worldwide calendar has no continent, country or region: clear them, or untick “Worldwide”.",
        ));
    }
    if continent.is_empty() && country.is_empty() && !input.is_worldwide() {
        return Err(InvalidInput::new(
            "country",
            "Give the calendar's area: a continent, a country, or a country and region; or tick “Worldwide” for a calendar that covers the whole world.",
        ));
    }
    Ok(ValidCalendar {
        slug,
        name,
        description: input.description.trim().to_owned(),
        continent,
        country,
        region,
    })
}

/// A coordinator makes a regional calendar.
pub async fn create_calendar(
    svc: &Services,
    actor: &Actor,
    input: &CalendarInput,
) -> AppResult<String> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let valid = validate_calendar(input)?;
    let mut tx = svc.db.begin().await?;
    if groups::by_slug(tx.ex(), &valid.slug).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "The group {} already has the address /calendars/{}; choose another.",
            valid.slug, valid.slug
        )));
    }
    match calendars::insert(tx.ex(), &valid.fields(), actor.user_id, svc.clock.now()).await {
        Ok(_) => {}
        Err(StoreError::Duplicate) => {
            return Err(AppError::Conflict(format!(
                "Another calendar already has the address /calendars/{}; choose another.",
                valid.slug
            )));
        }
        Err(e) => return Err(e.into()),
    }
    calendars::bump(tx.ex()).await?;
    tx.commit().await?;
    Ok(valid.slug)
}

/// An editor changes a regional calendar's name, description and area.
pub async fn update_calendar(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    input: &CalendarInput,
) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    let cal = calendars::by_slug(tx.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no calendar at this address."))?;
    authorize(
        Some(actor),
        &Action::EditCalendar {
            calendar: RoleScope::Calendar(cal.id),
        },
    )?;
    let valid = validate_calendar(&CalendarInput {
        slug: slug.to_owned(),
        ..input.clone()
    })?;
    calendars::update(tx.ex(), cal.id, &valid.fields(), svc.clock.now()).await?;
    calendars::bump(tx.ex()).await?;
    tx.commit().await?;
    Ok(())
}

/// An editor includes a group in a regional calendar (`Some(true)`),
/// excludes it (`Some(false)`), or returns it to the area rule (`None`).
pub async fn set_calendar_group(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    group_slug: &str,
    included: Option<bool>,
) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    let cal = calendars::by_slug(tx.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no calendar at this address."))?;
    authorize(
        Some(actor),
        &Action::EditCalendar {
            calendar: RoleScope::Calendar(cal.id),
        },
    )?;
    let group = crate::groups::pick_group(tx.ex(), "group", group_slug).await?;
    calendars::set_group(tx.ex(), cal.id, group.id, included).await?;
    calendars::bump(tx.ex()).await?;
    tx.commit().await?;
    Ok(())
}

/// A member chooses the zone they see times in (empty: each event's own).
pub async fn set_time_zone(svc: &Services, user_id: i64, zone: &str) -> AppResult<()> {
    let zone = zone.trim();
    let zone = if zone.is_empty() {
        String::new()
    } else {
        convene_domain::events::parse_zone("time_zone", zone)?
            .name()
            .to_owned()
    };
    let mut tx = svc.db.begin().await?;
    convene_store::users::set_time_zone(tx.ex(), user_id, &zone).await?;
    tx.commit().await?;
    Ok(())
}

/// The outside feeds synced into `cal`.
pub async fn sources(
    svc: &Services,
    cal: &Calendar,
) -> AppResult<Vec<convene_store::calendars::SourceRow>> {
    let (group_id, calendar_id) = cal.owner();
    let mut conn = svc.db.conn().await?;
    Ok(calendars::sources_of(conn.ex(), group_id, calendar_id).await?)
}

/// Checks that `actor` may edit `cal`.
pub(crate) fn may_edit(cal: &Calendar, actor: &Actor) -> AppResult<()> {
    if cal.editable_by(Some(actor)) {
        Ok(())
    } else {
        Err(convene_domain::Denied::Forbidden.into())
    }
}

/// Bumps the feed counter inside `tx`.
pub(crate) async fn touched(tx: &mut Tx) -> AppResult<()> {
    calendars::bump(tx.ex()).await?;
    Ok(())
}
