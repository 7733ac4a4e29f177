//! What an editor types for an event, from a form or the API, and how it
//! is checked and turned into what is stored.

use super::events::Event;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use convene_domain::InvalidInput;
use convene_domain::events::{
    EventStatus, EventTiming, Repeat, Timing, TimingInput, check_line, check_timing, parse_local,
    stored_list, stored_local,
};
use convene_domain::groups::{check_text, check_url};
use convene_recurrence::place;
use convene_store::events::EventFields;

/// What an editor types for an event (form and API alike; every field a string).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EventInput {
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: String,
    /// "on"/"true" for an all-day event.
    pub all_day: String,
    /// Local start (`2026-12-08T19:00`; a date for all-day events).
    pub start: String,
    /// Local end (for all-day events the last day).
    pub end: String,
    /// The form's start date (`2026-12-19`, from a date input); with
    /// `start_time`, takes the place of `start`.
    pub start_date: String,
    /// The form's start time (`19:00`, from a time input).
    pub start_time: String,
    /// The form's end date (empty: the start's day).
    pub end_date: String,
    /// The form's end time.
    pub end_time: String,
    /// The last date a chosen pattern repeats on (`2027-06-30`), or empty.
    pub repeat_until: String,
    /// How many times a chosen pattern happens in all, or empty.
    pub repeat_count: String,
    /// IANA zone.
    pub tz: String,
    /// Pattern: never, weekly, fortnightly, monthly_nth, monthly_last, monthly_day or custom.
    pub repeat: String,
    /// Raw RRULE for the custom pattern.
    pub rrule: String,
    /// Extra dates, comma separated.
    pub rdates: String,
    /// Excluded dates, comma separated.
    pub exdates: String,
    /// Venue name.
    pub venue_name: String,
    /// Venue address.
    pub venue_address: String,
    /// "lat, lon", or empty to look the address's city up.
    pub coordinates: String,
    /// Link to join online.
    pub online_url: String,
    /// Seats per occurrence, or empty for no limit.
    pub capacity: String,
    /// When RSVPs open (local), or empty.
    pub rsvp_opens: String,
    /// When RSVPs close (local), or empty.
    pub rsvp_closes: String,
    /// confirmed, tentative or cancelled.
    pub status: String,
}

impl EventInput {
    /// The form's values for an existing event.
    pub fn from_event(ev: &Event) -> Self {
        let t = &ev.timing;
        let fmt = |d: NaiveDateTime| {
            if t.all_day() {
                d.format("%Y-%m-%d").to_string()
            } else {
                d.format("%Y-%m-%dT%H:%M").to_string()
            }
        };
        let local_of = |at: Option<DateTime<Utc>>| match (at, t.timing) {
            (Some(a), Timing::Zoned(tz)) => {
                a.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
            }
            (Some(a), _) => a.format("%Y-%m-%dT%H:%M").to_string(),
            (None, _) => String::new(),
        };
        let r = &ev.row;
        let mut input = EventInput {
            title: r.title.clone(),
            description: r.description.clone(),
            all_day: if t.all_day() {
                "on".into()
            } else {
                String::new()
            },
            start: fmt(t.start),
            end: fmt(if t.all_day() {
                t.end - Duration::days(1)
            } else {
                t.end
            }),
            tz: t.timing.tz_name().to_owned(),
            repeat: if t.rrule.is_some() {
                "custom".into()
            } else {
                "never".into()
            },
            rrule: t.rrule.clone().unwrap_or_default(),
            start_date: t.start.format("%Y-%m-%d").to_string(),
            start_time: if t.all_day() {
                String::new()
            } else {
                t.start.format("%H:%M").to_string()
            },
            end_date: (if t.all_day() {
                t.end - Duration::days(1)
            } else {
                t.end
            })
            .format("%Y-%m-%d")
            .to_string(),
            end_time: if t.all_day() {
                String::new()
            } else {
                t.end.format("%H:%M").to_string()
            },
            repeat_until: String::new(),
            repeat_count: String::new(),
            rdates: stored_list(&t.rdates),
            exdates: stored_list(&t.exdates),
            venue_name: r.venue_name.clone(),
            venue_address: r.venue_address.clone(),
            coordinates: match (r.latitude, r.longitude) {
                (Some(a), Some(b)) => format!("{a}, {b}"),
                _ => String::new(),
            },
            online_url: r.online_url.clone(),
            capacity: r.capacity.map(|c| c.to_string()).unwrap_or_default(),
            rsvp_opens: local_of(r.rsvp_opens_at),
            rsvp_closes: local_of(r.rsvp_closes_at),
            status: r.status.clone(),
        };
        if let Some(rule) = &t.rrule {
            input.pick_pattern(rule, t.start.date());
        }
        input
    }

    /// Sets the form's date and time fields (and `start`, `end`) to a
    /// first occurrence from `start` to `end` (for all-day events, `end`
    /// is the last day).
    pub fn set_times(&mut self, start: NaiveDateTime, end: NaiveDateTime, all_day: bool) {
        let (fmt, time) = if all_day {
            ("%Y-%m-%d", "")
        } else {
            ("%Y-%m-%dT%H:%M", "%H:%M")
        };
        self.start = start.format(fmt).to_string();
        self.end = end.format(fmt).to_string();
        self.start_date = start.format("%Y-%m-%d").to_string();
        self.end_date = end.format("%Y-%m-%d").to_string();
        self.start_time = if all_day {
            String::new()
        } else {
            start.format(time).to_string()
        };
        self.end_time = if all_day {
            String::new()
        } else {
            end.format(time).to_string()
        };
    }

    /// Shows a stored rule as the picker's pattern (with its end) when one
    /// of them makes it; other rules stay custom.
    fn pick_pattern(&mut self, rule: &str, start: NaiveDate) {
        let mut body = Vec::new();
        let (mut count, mut until) = (String::new(), String::new());
        for part in rule.split(';') {
            match part.split_once('=') {
                Some(("COUNT", n)) => count = n.to_owned(),
                Some(("UNTIL", u)) => {
                    until = NaiveDate::parse_from_str(u.get(..8).unwrap_or(u), "%Y%m%d")
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default();
                }
                _ => body.push(part),
            }
        }
        let body = body.join(";");
        if let Some(p) = Repeat::ALL
            .into_iter()
            .find(|p| p.rule_for(start).as_deref() == Some(body.as_str()))
        {
            self.repeat = p.as_str().to_owned();
            self.rrule = String::new();
            self.repeat_count = count;
            self.repeat_until = until;
        }
    }

    /// The start, end, pattern and rule the form's separate date, time and
    /// "until"/"times" fields make, each checked with advice on its own
    /// field. An API call that sends `start` and `end` keeps them.
    fn typed_timing(&self) -> Result<(String, String, String, String), InvalidInput> {
        let all_day = truthy(&self.all_day);
        let (start, end, start_day) =
            if self.start_date.trim().is_empty() && self.start_time.trim().is_empty() {
                (
                    self.start.clone(),
                    self.end.clone(),
                    parse_local(&self.start).map(|t| t.date()),
                )
            } else {
                let day = form_date("start_date", &self.start_date, true)?.unwrap_or_default();
                let end_day = form_date("end_date", &self.end_date, false)?.unwrap_or(day);
                if all_day {
                    (day.to_string(), end_day.to_string(), Some(day))
                } else {
                    let from = form_time("start_time", &self.start_time)?;
                    let to = form_time("end_time", &self.end_time)?;
                    (
                        format!("{day}T{from}"),
                        format!("{end_day}T{to}"),
                        Some(day),
                    )
                }
            };
        let pattern = Repeat::parse(&self.repeat);
        let (count, until) = (self.repeat_count.trim(), self.repeat_until.trim());
        let ends = !count.is_empty() || !until.is_empty();
        match (pattern, start_day) {
            (Some(p), Some(day)) if ends && p != Repeat::Never && p != Repeat::Custom => {
                let mut rule = p.rule_for(day).unwrap_or_default();
                if !count.is_empty() && !until.is_empty() {
                    return Err(InvalidInput::new(
                        "repeat_count",
                        "Give either the last date or the number of times, not both.",
                    ));
                }
                if !count.is_empty() {
                    let n = count
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (2..=1000).contains(n))
                        .ok_or_else(|| {
                            InvalidInput::new(
                                "repeat_count",
                                "Give how many times it happens in all, from 2 to 1,000.",
                            )
                        })?;
                    rule.push_str(&format!(";COUNT={n}"));
                } else if let Some(last) = form_date("repeat_until", until, true)? {
                    rule.push_str(&format!(";UNTIL={}", last.format("%Y%m%d")));
                }
                Ok((start, end, "custom".to_owned(), rule))
            }
            _ => Ok((start, end, self.repeat.clone(), self.rrule.clone())),
        }
    }
}

/// A date from a date input (`2026-12-19`); a browser without date inputs
/// lets people type other forms, which get advice rather than a guess.
fn form_date(
    field: &'static str,
    s: &str,
    required: bool,
) -> Result<Option<NaiveDate>, InvalidInput> {
    let s = s.trim();
    if s.is_empty() {
        return if required {
            Err(InvalidInput::new(field, "Give the date, e.g. 2026-12-19."))
        } else {
            Ok(None)
        };
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            InvalidInput::new(
                field,
                format!(
                    "“{}” is not a date we can read: write it as year-month-day, e.g. 2026-12-19.",
                    s.chars().take(40).collect::<String>()
                ),
            )
        })
}

/// A time from a time input (`19:00`).
fn form_time(field: &'static str, s: &str) -> Result<String, InvalidInput> {
    let s = s.trim();
    if s.is_empty() {
        return Err(InvalidInput::new(
            field,
            "Give the time on a 24-hour clock, e.g. 19:00.",
        ));
    }
    chrono::NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| chrono::NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .map(|t| t.format("%H:%M").to_string())
        .map_err(|_| {
            InvalidInput::new(
                field,
                format!(
                    "“{}” is not a time we can read: write it on a 24-hour clock, e.g. 19:00.",
                    s.chars().take(40).collect::<String>()
                ),
            )
        })
}

pub(super) fn truthy(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "on" | "true" | "1" | "yes"
    )
}

/// Validates an event form into the fields to store.
pub(super) fn validate(input: &EventInput) -> Result<(EventFields, EventTiming), InvalidInput> {
    let title = check_line("title", &input.title, 200, true)?;
    let description = check_text("description", &input.description, 20_000)?;
    let (start, end, repeat, rrule) = input.typed_timing()?;
    let timing = check_timing(&TimingInput {
        all_day: truthy(&input.all_day),
        start: &start,
        end: &end,
        tz: &input.tz,
        repeat: &repeat,
        rrule: &rrule,
        rdates: &input.rdates,
        exdates: &input.exdates,
    })?;
    let venue_name = check_line("venue_name", &input.venue_name, 200, false)?;
    let venue_address = check_line("venue_address", &input.venue_address, 300, false)?;
    let coords = if input.coordinates.trim().is_empty() {
        // Pin the venue on its city when the address names exactly one we
        // know (the same reading as the groups' "near" search).
        convene_places::city_in_address(&venue_address).map(|c| (c.lat, c.lon))
    } else {
        Some(
            convene_places::parse_coordinates(&input.coordinates).ok_or_else(|| {
                InvalidInput::new(
                    "coordinates",
                    "Write the coordinates as latitude, longitude, e.g. 42.3736, -71.1097.",
                )
            })?,
        )
    };
    let online_url = if input.online_url.trim().is_empty() {
        String::new()
    } else {
        let u = check_url("online_url", &input.online_url)?;
        if u.starts_with("mailto:") {
            return Err(InvalidInput::new(
                "online_url",
                "Give a web link (https://...).",
            ));
        }
        u
    };
    let capacity = match input.capacity.trim() {
        "" => None,
        c => Some(
            c.parse::<i64>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| {
                    InvalidInput::new(
                        "capacity",
                        "Give the number of seats (1 to 100,000), or leave it empty.",
                    )
                })?,
        ),
    };
    let instant = |field: &'static str, s: &str| -> Result<Option<DateTime<Utc>>, InvalidInput> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        let local = parse_local(s).ok_or_else(|| {
            InvalidInput::new(field, "Give a date and time, e.g. 2026-12-01T09:00.")
        })?;
        Ok(Some(match timing.timing {
            Timing::Zoned(tz) => place(local, tz),
            _ => local.and_utc(),
        }))
    };
    let rsvp_opens_at = instant("rsvp_opens", &input.rsvp_opens)?;
    let rsvp_closes_at = instant("rsvp_closes", &input.rsvp_closes)?;
    if let (Some(o), Some(c)) = (rsvp_opens_at, rsvp_closes_at)
        && c <= o
    {
        return Err(InvalidInput::new(
            "rsvp_closes",
            "RSVPs must close after they open.",
        ));
    }
    let status = EventStatus::parse(&input.status)
        .ok_or_else(|| InvalidInput::new("status", "Choose confirmed, tentative or cancelled."))?;
    let fields = fields_of(&timing, title, description);
    Ok((
        EventFields {
            venue_name,
            venue_address,
            latitude: coords.map(|c| c.0),
            longitude: coords.map(|c| c.1),
            online_url,
            capacity,
            rsvp_opens_at,
            rsvp_closes_at,
            status: status.as_str().to_owned(),
            ..fields
        },
        timing,
    ))
}

/// The timing columns of a validated timing, with title and description.
pub(super) fn fields_of(timing: &EventTiming, title: String, description: String) -> EventFields {
    EventFields {
        title,
        description,
        timing: timing.timing.kind().to_owned(),
        tz: timing.timing.tz_name().to_owned(),
        start_local: stored_local(timing.start),
        end_local: stored_local(timing.end),
        rrule: timing.rrule.clone(),
        rdates: stored_list(&timing.rdates),
        exdates: stored_list(&timing.exdates),
        first_start: timing.first_start(),
        last_end: timing.last_end(),
        status: EventStatus::Confirmed.as_str().to_owned(),
        ..EventFields::default()
    }
}
