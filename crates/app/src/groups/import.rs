//! Importing an existing roster: the community wiki page's format, or CSV.
//!
//! One transaction: a failure leaves nothing half-imported. Idempotent: an
//! entry is found again by its name and country, and importing the same
//! file twice changes nothing. An entry an organizer confirmed after the
//! last import is never overwritten.

use super::input::{GroupInput, validate};
use super::revisions::{diff, record, stored_links};
use crate::{AppResult, Services};
use convene_domain::{Action, Actor, authorize};
use convene_rosterfile::Entry;
use convene_store::groups::{self, GroupRow, Origin};
use std::collections::{HashMap, HashSet};

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterFormat {
    /// The community wiki page (Markdown with headings and bullets).
    Wiki,
    /// CSV with the documented header.
    Csv,
}

impl RosterFormat {
    /// Guesses from a file name, then from the first line.
    pub fn guess(file_name: &str, bytes: &[u8]) -> Self {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            return RosterFormat::Csv;
        }
        if lower.ends_with(".md") || lower.ends_with(".txt") || lower.ends_with(".markdown") {
            return RosterFormat::Wiki;
        }
        let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
        let first = String::from_utf8_lossy(first).to_ascii_lowercase();
        if first.trim_start_matches('\u{feff}').starts_with("name,") {
            RosterFormat::Csv
        } else {
            RosterFormat::Wiki
        }
    }
}

/// What an import did (or, when strict and something was wrong, would not do).
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Entries read from the file.
    pub read: usize,
    /// New entries.
    pub created: usize,
    /// Entries changed.
    pub updated: usize,
    /// Entries already as in the file.
    pub unchanged: usize,
    /// Entries not imported: (line, name, reason).
    pub skipped: Vec<(usize, String, String)>,
    /// Problems found while reading: (line, message).
    pub problems: Vec<(usize, String)>,
    /// Entries whose country was recognised.
    pub countries_resolved: usize,
    /// True if nothing was stored (strict mode and problems were found).
    pub rolled_back: bool,
}

/// The country an entry names: its headings first, then a country named in
/// its city, description or name ("Addis Ababa, Ethiopia", "Python Tunisia").
fn resolve_country(e: &Entry) -> Option<&'static convene_places::Country> {
    let by_name = |s: &Option<String>| {
        s.as_deref()
            .and_then(|t| convene_places::country_by_name(t).or_else(|| convene_places::country(t)))
    };
    by_name(&e.country)
        .or_else(|| by_name(&e.region))
        .or_else(|| by_name(&e.continent))
        .or_else(|| by_name(&e.city))
        .or_else(|| {
            [
                e.city.as_deref(),
                e.description.as_deref(),
                Some(e.name.as_str()),
            ]
            .into_iter()
            .flatten()
            .find_map(country_in_text)
        })
}

/// Words of `text` (letters only), for looking names up in it.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A country named anywhere in `text`, as a run of one to four words.
fn country_in_text(text: &str) -> Option<&'static convene_places::Country> {
    let w = words(text);
    for len in (1..=4).rev() {
        for run in w.windows(len) {
            if run[0].chars().next().is_some_and(char::is_uppercase)
                && run.iter().map(|s| s.len()).sum::<usize>() >= 4
                && let Some(c) = convene_places::country_by_name(&run.join(" "))
            {
                return Some(c);
            }
        }
    }
    None
}

/// Words that name groups, not places, in roster entries.
const NOT_PLACES: &[&str] = &[
    "python",
    "pythonistas",
    "users",
    "user",
    "group",
    "groups",
    "meetup",
    "community",
    "django",
    "pydata",
    "pyladies",
    "club",
    "the",
    "and",
    "of",
    "in",
    "interest",
    "society",
    "association",
    "mobile",
    "data",
    "science",
    "web",
    "software",
    "developers",
    "programmers",
    "linux",
    "open",
    "source",
];

/// A city in `country` named in the entry's city, description or name:
/// the largest place whose name is a run of capitalised words there.
fn find_city(
    e: &Entry,
    country: &convene_places::Country,
) -> Option<&'static convene_places::City> {
    let texts = [
        e.city.as_deref(),
        e.description.as_deref(),
        Some(e.name.as_str()),
    ];
    for text in texts.into_iter().flatten() {
        let w = words(text);
        for len in (1..=3).rev() {
            for run in w.windows(len) {
                if !run
                    .iter()
                    .all(|s| s.chars().next().is_some_and(char::is_uppercase))
                    || NOT_PLACES.contains(&run[0].to_lowercase().as_str())
                    || run.join(" ").len() < 4
                {
                    continue;
                }
                let name = run.join(" ");
                // Within the entry's region heading first (a US state), then the country.
                let queries = [
                    e.region
                        .as_ref()
                        .map(|r| format!("{name}, {r}, {}", country.code)),
                    Some(format!("{name}, {}", country.code)),
                ];
                for query in queries.into_iter().flatten() {
                    if let Some(city) = convene_places::find_places(&query, 1)
                        .into_iter()
                        .next()
                        .filter(|c| c.country == country.code && c.name.eq_ignore_ascii_case(&name))
                    {
                        return Some(city);
                    }
                }
            }
        }
    }
    None
}

fn as_input(
    e: &Entry,
    country: Option<&convene_places::Country>,
    report: &mut ImportReport,
) -> GroupInput {
    // A heading that named the country is not also its region.
    let region = e.region.clone().filter(|r| {
        country
            .is_none_or(|c| convene_places::country_by_name(r).is_none_or(|rc| rc.code != c.code))
    });
    // The city as written when it is a known place; otherwise a place named
    // in the entry, so that it gets a pin and shows up in "near me".
    let city = match (country, &e.city) {
        (Some(c), _) if e.latitude.is_none() => find_city(e, c)
            .map(|p| p.name.clone())
            .or_else(|| e.city.clone()),
        _ => e.city.clone(),
    };
    let mut links = Vec::new();
    for l in &e.links {
        match convene_domain::groups::check_url("links", &l.url) {
            Ok(url) => links.push((l.kind.as_str().to_owned(), url)),
            Err(err) => report.problems.push((
                e.line,
                format!("{}: link {:?} left out: {}", e.name, l.url, err.message),
            )),
        }
    }
    GroupInput {
        name: e.name.clone(),
        slug: e.slug.clone().unwrap_or_default(),
        short_description: e
            .description
            .clone()
            .map(|d| d.chars().take(300).collect())
            .unwrap_or_default(),
        description: String::new(),
        city: city.unwrap_or_default(),
        region: region.unwrap_or_default(),
        country: country.map(|c| c.code.clone()).unwrap_or_default(),
        latitude: e.latitude.map(|v| v.to_string()).unwrap_or_default(),
        longitude: e.longitude.map(|v| v.to_string()).unwrap_or_default(),
        languages: e.languages.join(" "),
        meeting_pattern: e.meeting_pattern.clone().unwrap_or_default(),
        founded: e.founded.clone().unwrap_or_default(),
        status: e.status.clone().unwrap_or_default(),
        links,
    }
}

fn key(name: &str, country: &str) -> (String, String) {
    (name.trim().to_lowercase(), country.to_owned())
}

/// Imports `bytes`. With `strict`, any problem stops the whole import.
/// `actor` is the coordinator doing it on the web (none from the command line).
pub async fn import_roster(
    svc: &Services,
    actor: Option<&Actor>,
    format: RosterFormat,
    bytes: &[u8],
    strict: bool,
) -> AppResult<ImportReport> {
    if let Some(a) = actor {
        authorize(Some(a), &Action::AdministerSite)?;
    }
    let (entries, problems) = match format {
        RosterFormat::Csv => convene_rosterfile::parse_csv(bytes),
        RosterFormat::Wiki => {
            match std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)) {
                Ok(text) => convene_rosterfile::parse_wiki(text),
                Err(e) => (
                    Vec::new(),
                    vec![convene_rosterfile::Problem {
                        line: 1,
                        message: format!("the file is not valid UTF-8 ({e})"),
                    }],
                ),
            }
        }
    };
    let mut report = ImportReport {
        read: entries.len(),
        problems: problems
            .iter()
            .map(|p| (p.line, p.message.clone()))
            .collect(),
        ..ImportReport::default()
    };
    let now = svc.clock.now();
    let user_id = actor.map(|a| a.user_id);
    let mut tx = svc.db.begin().await?;

    let mut existing: HashMap<(String, String), GroupRow> = HashMap::new();
    let mut taken: HashSet<String> = HashSet::new();
    // Regional calendars' slugs are taken too: groups and calendars share
    // one namespace.
    for c in convene_store::calendars::all(tx.ex()).await? {
        taken.insert(c.slug);
    }
    let mut known = groups::all_approved(tx.ex()).await?;
    known.extend(groups::pending(tx.ex()).await?);
    for g in known {
        taken.insert(g.slug.clone());
        existing.insert(key(&g.name, &g.country), g);
    }
    let mut seen: HashSet<(String, String)> = HashSet::new();

    for e in &entries {
        let country = resolve_country(e);
        if country.is_some() {
            report.countries_resolved += 1;
        }
        let mut input = as_input(e, country, &mut report);
        if country.is_none() {
            match (format, e.country.as_deref()) {
                // A CSV names the country in its own column: an unknown one is an error.
                (RosterFormat::Csv, Some(text)) => input.country = text.to_owned(),
                _ => report.problems.push((
                    e.line,
                    format!(
                        "{}: no country recognised; imported without a place",
                        e.name
                    ),
                )),
            }
        }
        let k = key(&input.name, &input.country);
        if !seen.insert(k.clone()) {
            report.skipped.push((
                e.line,
                e.name.clone(),
                "the same group appears earlier in the file".into(),
            ));
            continue;
        }
        match existing.get(&k) {
            Some(old) => {
                if old
                    .confirmed_at
                    .is_some_and(|c| old.imported_at.is_none_or(|i| c > i))
                {
                    report.skipped.push((e.line, e.name.clone(), "an organizer confirmed this entry since the last import; it is left as they keep it".into()));
                    continue;
                }
                input.slug = old.slug.clone();
                if input.description.is_empty() {
                    input.description = old.description.clone();
                }
                let valid = match validate(&input) {
                    Ok(v) => v,
                    Err(err) => {
                        report
                            .skipped
                            .push((e.line, e.name.clone(), err.to_string()));
                        continue;
                    }
                };
                let old_links = stored_links(&groups::links(tx.ex(), old.id).await?);
                let changes = diff(Some((&old.fields(), &old_links)), &valid);
                if changes.is_empty() {
                    report.unchanged += 1;
                    continue;
                }
                groups::update(tx.ex(), old.id, &valid.fields, Some(now), now).await?;
                groups::replace_links(tx.ex(), old.id, &valid.links).await?;
                record(&mut tx, svc, old.id, user_id, "imported", &changes).await?;
                report.updated += 1;
            }
            None => {
                if input.slug.is_empty() {
                    let base = convene_domain::groups::slugify(&input.name);
                    let mut slug = base.clone();
                    if taken.contains(&slug) && !input.country.is_empty() {
                        slug = format!(
                            "{}-{}",
                            base.chars().take(60).collect::<String>(),
                            input.country.to_ascii_lowercase()
                        );
                    }
                    let stem = slug.clone();
                    let mut n = 2;
                    while taken.contains(&slug) {
                        slug = format!("{}-{n}", stem.chars().take(60).collect::<String>());
                        n += 1;
                    }
                    input.slug = slug;
                }
                let valid = match validate(&input) {
                    Ok(v) => v,
                    Err(err) => {
                        report
                            .skipped
                            .push((e.line, e.name.clone(), err.to_string()));
                        continue;
                    }
                };
                if taken.contains(&valid.fields.slug) {
                    report.skipped.push((
                        e.line,
                        e.name.clone(),
                        format!(
                            "the address /groups/{} is taken by another group or a regional calendar",
                            valid.fields.slug
                        ),
                    ));
                    continue;
                }
                taken.insert(valid.fields.slug.clone());
                let origin = Origin {
                    approval: "approved",
                    proposed_by: None,
                    source: "import",
                    imported_at: Some(now),
                };
                let id = groups::insert(tx.ex(), &valid.fields, origin, now).await?;
                groups::replace_links(tx.ex(), id, &valid.links).await?;
                record(&mut tx, svc, id, user_id, "imported", &diff(None, &valid)).await?;
                report.created += 1;
            }
        }
    }
    if strict && (!report.problems.is_empty() || !report.skipped.is_empty()) {
        report.rolled_back = true;
        report.created = 0;
        report.updated = 0;
        drop(tx);
        return Ok(report);
    }
    tx.commit().await?;
    if report.created + report.updated > 0 {
        svc.db.optimize().await?;
    }
    Ok(report)
}
