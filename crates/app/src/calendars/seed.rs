//! Made-up events for benchmarks: `convene admin seed-bench --events-per-group N`.

use super::event_input::fields_of;
use super::events::new_uid;
use crate::made_up::{mix, pick};
use crate::{AppError, AppResult, Services};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use convene_domain::events::{EventStatus, TimingInput, check_timing};
use convene_store::events::{self, EventOwner, Scope};
use convene_store::{calendars, groups};

/// Events written per transaction.
const BATCH: usize = 1000;

/// Where an event takes place.
#[derive(Clone, Copy)]
struct Venue {
    name: &'static str,
    address: &'static str,
    lat: f64,
    lon: f64,
}

/// The zones events are set in, each with a few venues of its city.
const ZONES: [(&str, [Venue; 3]); 5] = [
    (
        "America/New_York",
        [
            Venue {
                name: "Civic Hall",
                address: "124 E 14th St, New York, NY 10003",
                lat: 40.7339,
                lon: -73.9886,
            },
            Venue {
                name: "Brooklyn Public Library, Central Branch",
                address: "10 Grand Army Plaza, Brooklyn, NY 11238",
                lat: 40.6725,
                lon: -73.9680,
            },
            Venue {
                name: "Recurse Center",
                address: "397 Bridge St, Brooklyn, NY 11201",
                lat: 40.6913,
                lon: -73.9854,
            },
        ],
    ),
    (
        "Europe/Berlin",
        [
            Venue {
                name: "c-base",
                address: "Rungestraße 20, 10179 Berlin",
                lat: 52.5130,
                lon: 13.4199,
            },
            Venue {
                name: "Betahaus",
                address: "Rudi-Dutschke-Straße 23, 10969 Berlin",
                lat: 52.5070,
                lon: 13.3930,
            },
            Venue {
                name: "Zentral- und Landesbibliothek",
                address: "Breite Straße 30–36, 10178 Berlin",
                lat: 52.5145,
                lon: 13.4025,
            },
        ],
    ),
    (
        "Asia/Kolkata",
        [
            Venue {
                name: "91springboard Koramangala",
                address: "175 & 176, Dollars Colony, Bengaluru 560076",
                lat: 12.9352,
                lon: 77.6245,
            },
            Venue {
                name: "IIT Bombay, Victor Menezes Convention Centre",
                address: "Powai, Mumbai 400076",
                lat: 19.1334,
                lon: 72.9133,
            },
            Venue {
                name: "Thoughtworks Pune",
                address: "Panchshil Tech Park, Yerawada, Pune 411006",
                lat: 18.5515,
                lon: 73.8916,
            },
        ],
    ),
    (
        "America/Los_Angeles",
        [
            Venue {
                name: "Cross Campus",
                address: "800 Wilshire Blvd, Los Angeles, CA 90017",
                lat: 34.0490,
                lon: -118.2590,
            },
            Venue {
                name: "Santa Monica Public Library",
                address: "601 Santa Monica Blvd, Santa Monica, CA 90401",
                lat: 34.0188,
                lon: -118.4924,
            },
            Venue {
                name: "Noisebridge",
                address: "272 Capp St, San Francisco, CA 94110",
                lat: 37.7625,
                lon: -122.4189,
            },
        ],
    ),
    (
        "Australia/Sydney",
        [
            Venue {
                name: "Fishburners",
                address: "Level 3, 11-31 York St, Sydney NSW 2000",
                lat: -33.8645,
                lon: 151.2055,
            },
            Venue {
                name: "State Library of NSW",
                address: "1 Shakespeare Pl, Sydney NSW 2000",
                lat: -33.8662,
                lon: 151.2130,
            },
            Venue {
                name: "University of Technology Sydney, Building 11",
                address: "81 Broadway, Ultimo NSW 2007",
                lat: -33.8838,
                lon: 151.1996,
            },
        ],
    ),
];

/// Titles of one-off events.
const TITLES: [&str; 24] = [
    "Talk night: packaging with uv and pyproject.toml",
    "Intro to pandas workshop",
    "Lightning talks",
    "Django Girls workshop",
    "Beginners' office hours",
    "Testing with pytest: fixtures, parametrize and plugins",
    "Type hints in practice",
    "Async Python: asyncio, trio and structured concurrency",
    "Data science study group: scikit-learn pipelines",
    "Hack night",
    "PyLadies coffee and code",
    "Talk night: FastAPI in production",
    "Web scraping with httpx and BeautifulSoup",
    "Speeding up Python with Rust and PyO3",
    "Jupyter notebooks for teaching",
    "Open-source sprint: first contributions",
    "Talk night: Python on microcontrollers",
    "Code review clinic",
    "Polars versus pandas: a friendly shoot-out",
    "Year-end social and quiz",
    "CPython internals reading group",
    "Machine learning paper club",
    "Talk night: Wagtail and Django CMS",
    "Mentored project night",
];

/// Speakers named in descriptions.
const SPEAKERS: [&str; 10] = [
    "Ana Lima",
    "Ben Okafor",
    "Chen Wei",
    "Dana Kowalski",
    "Emre Yılmaz",
    "Farah Haddad",
    "Gustavo Pereira",
    "Hannah Schmidt",
    "Ishaan Mehta",
    "Julia Novak",
];

/// Adds `per_group` made-up events to each of the first `groups` benchmark
/// groups (`bench-0`, `bench-1`, ...; see [`crate::groups::seed_groups`]).
/// A fifth repeat (weekly, every other week, monthly on the second Tuesday,
/// monthly on the last Thursday; half of them with a `COUNT`), the rest are
/// one-off; they are set in five zones and spread over the year either side
/// of now. Seeding again adds more after those already there.
/// Returns how many were added.
pub async fn seed_events(svc: &Services, groups: usize, per_group: usize) -> AppResult<usize> {
    let now = svc.clock.now();
    let today = now.date_naive();
    let mut added = 0;
    let mut in_tx = 0;
    let mut tx = svc.db.begin().await?;
    for n in 0..groups {
        if per_group == 0 {
            break;
        }
        let slug = format!("bench-{n}");
        let group = groups::by_slug(tx.ex(), &slug).await?.ok_or_else(|| {
            AppError::Conflict(format!(
                "There is no group {slug}: seed at least {groups} groups first (--groups)."
            ))
        })?;
        // Numbered after the group's events already there, so seeding again adds more.
        let already = events::all_in(tx.ex(), Scope::Group(group.id)).await?.len();
        for k in already..already + per_group {
            let made = made_up_event(n, k, today)?;
            let mut fields = fields_of(&made.timing, made.title, made.description);
            fields.venue_name = made.venue.name.to_owned();
            fields.venue_address = made.venue.address.to_owned();
            fields.latitude = Some(made.venue.lat);
            fields.longitude = Some(made.venue.lon);
            fields.online_url = made.online_url;
            fields.capacity = made.capacity;
            fields.status = made.status.as_str().to_owned();
            events::insert(
                tx.ex(),
                &new_uid(svc),
                EventOwner {
                    group_id: Some(group.id),
                    calendar_id: None,
                    source_id: None,
                },
                &fields,
                0,
                None,
                now,
            )
            .await?;
            added += 1;
            in_tx += 1;
            if in_tx == BATCH {
                calendars::bump(tx.ex()).await?;
                tx.commit().await?;
                tx = svc.db.begin().await?;
                in_tx = 0;
            }
        }
    }
    if in_tx > 0 {
        calendars::bump(tx.ex()).await?;
    }
    tx.commit().await?;
    svc.db.optimize().await?;
    Ok(added)
}

/// One made-up event before it is stored.
struct MadeUp {
    title: String,
    description: String,
    timing: convene_domain::events::EventTiming,
    venue: Venue,
    online_url: String,
    capacity: Option<i64>,
    status: EventStatus,
}

fn weekday_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// The last `weekday` of `day`'s month.
fn last_weekday_of_month(day: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    (4..=5)
        .rev()
        .find_map(|n| NaiveDate::from_weekday_of_month_opt(day.year(), day.month(), weekday, n))
}

/// Event `k` of group `n`, with dates around `today`.
fn made_up_event(n: usize, k: usize, today: NaiveDate) -> AppResult<MadeUp> {
    let h = mix(n, k);
    // Most of a group's events are in its home zone; one in ten is a joint
    // event hosted elsewhere.
    let zone = if k % 10 == 9 {
        (n + 1 + (h % 4) as usize) % ZONES.len()
    } else {
        n % ZONES.len()
    };
    let (tz, venues) = ZONES[zone];
    let venue = pick(&venues, h >> 8);
    let city = venue.address.rsplit(", ").nth(1).unwrap_or(venue.address);
    let mut day = today + Duration::days((h % 731) as i64 - 365);
    let recurring = k.is_multiple_of(5);
    let all_day = !recurring && k % 50 == 17;
    let (rrule, title) = if recurring {
        let count = if (k / 5).is_multiple_of(2) {
            format!(";COUNT={}", 6 + (h >> 16) % 20)
        } else {
            String::new()
        };
        match (k / 10) % 4 {
            0 => (
                format!("FREQ=WEEKLY;BYDAY={}{count}", weekday_code(day.weekday())),
                "Weekly hack night".to_owned(),
            ),
            1 => {
                day =
                    NaiveDate::from_weekday_of_month_opt(day.year(), day.month(), Weekday::Tue, 2)
                        .unwrap_or(day);
                (
                    format!("FREQ=MONTHLY;BYDAY=2TU{count}"),
                    "Second-Tuesday talks".to_owned(),
                )
            }
            2 => {
                day = last_weekday_of_month(day, Weekday::Thu).unwrap_or(day);
                (
                    format!("FREQ=MONTHLY;BYDAY=-1TH{count}"),
                    "Last-Thursday pub meetup".to_owned(),
                )
            }
            _ => (
                format!(
                    "FREQ=WEEKLY;INTERVAL=2;BYDAY={}{count}",
                    weekday_code(day.weekday())
                ),
                "Study group: Fluent Python, a chapter every two weeks".to_owned(),
            ),
        }
    } else if all_day {
        (String::new(), format!("Sprint weekend in {city}"))
    } else {
        (String::new(), pick(&TITLES, h >> 12).to_owned())
    };
    let (start, end) = if all_day {
        let first = day.format("%Y-%m-%d").to_string();
        let last = (day + Duration::days(1)).format("%Y-%m-%d").to_string();
        (first, last)
    } else if !recurring && day.weekday() == Weekday::Sat {
        (
            format!("{}T10:00", day.format("%Y-%m-%d")),
            format!("{}T16:00", day.format("%Y-%m-%d")),
        )
    } else {
        let (from, to) = pick(
            &[("18:00", "20:00"), ("18:30", "21:00"), ("19:00", "21:30")],
            h >> 20,
        );
        (
            format!("{}T{from}", day.format("%Y-%m-%d")),
            format!("{}T{to}", day.format("%Y-%m-%d")),
        )
    };
    let timing = check_timing(&TimingInput {
        all_day,
        start: &start,
        end: &end,
        tz,
        repeat: if recurring { "custom" } else { "never" },
        rrule: &rrule,
        rdates: "",
        exdates: "",
    })?;
    let speaker = pick(&SPEAKERS, h >> 24);
    let description = format!(
        "Join us at {} for an evening with fellow Pythonistas. {speaker} opens with a \
         twenty-minute talk, followed by questions and time to chat.\n\n\
         Everyone is welcome, whatever your experience: bring a laptop if you want to follow \
         along, or just come and listen. Doors open fifteen minutes before the start; snacks \
         and drinks are provided by our sponsors.\n\n\
         Please follow our [code of conduct](https://bench-{n}.example.org/conduct). \
         Questions? Write to organizers@bench-{n}.example.org.",
        venue.name
    );
    let online_url = if k % 4 == 1 {
        format!("https://meet.example.org/bench-{n}-{k}")
    } else {
        String::new()
    };
    let capacity = (k % 3 == 2).then_some(30 + (h >> 28) as i64 % 90);
    let status = if k % 40 == 23 {
        EventStatus::Cancelled
    } else if k % 13 == 6 {
        EventStatus::Tentative
    } else {
        EventStatus::Confirmed
    };
    Ok(MadeUp {
        title,
        description,
        timing,
        venue,
        online_url,
        capacity,
        status,
    })
}
