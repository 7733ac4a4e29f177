//! Importing an existing roster: the community wiki page's format, or CSV.
//!
//! One transaction: a failure leaves nothing half-imported. Idempotent: an
//! entry is found again by its name and country, and importing the same
//! file twice changes nothing. An entry an organizer confirmed after the
//! last import is never overwritten.

use super::input::{GroupInput, validate};
use super::place_inference::{infer_city, served_region, serves_country};
use super::revisions::{diff, record, stored_links};
use super::roster_review::{HeldKind, doubt, stored_links as stored_links_text};
use crate::{AppResult, Services};
use convene_domain::{Action, Actor, authorize};
use convene_rosterfile::Entry;
use convene_store::groups::{self, GroupRow, Origin};
use convene_store::roster_reviews::{self, NewReview};
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
    /// Groups created or updated that have no place on the map: (line, name).
    pub unplaced: Vec<(usize, String)>,
    /// Groups that serve their whole country, pinned at its capital:
    /// (line, name).
    pub nationwide: Vec<(usize, String)>,
    /// Groups that serve a region of their country, pinned at its largest
    /// city: (line, name, region).
    pub regionwide: Vec<(usize, String, String)>,
    /// Entries held for a coordinator to review instead of being created:
    /// (line, name, why). Held again on a later import only if new.
    pub held: Vec<(usize, String, String)>,
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

pub(super) fn as_input(
    e: &Entry,
    country: Option<&convene_places::Country>,
    report: &mut ImportReport,
) -> GroupInput {
    // A heading that named the country is not also its region.
    let region = e.region.clone().filter(|r| {
        country
            .is_none_or(|c| convene_places::country_by_name(r).is_none_or(|rc| rc.code != c.code))
    });
    // A place named anywhere in the entry, inside its country, so that it
    // gets a pin and shows up in "near me"; else the city as written.
    let found = match country {
        Some(c) if e.latitude.is_none() => infer_city(e, c).map(|(city, _)| city),
        _ => None,
    };
    // A group of a whole region or country is pinned at the region's
    // largest city or the country's capital, with no city of its own.
    let wide = match country {
        Some(c) if found.is_none() && e.latitude.is_none() => {
            if serves_country(e, c) {
                report.nationwide.push((e.line, e.name.clone()));
                Some((None, c.lat, c.lon))
            } else if let Some((name, largest)) = served_region(e, c) {
                report
                    .regionwide
                    .push((e.line, e.name.clone(), name.to_owned()));
                Some((Some(name.to_owned()), largest.lat, largest.lon))
            } else {
                None
            }
        }
        _ => None,
    };
    let city = match (found, &wide) {
        (Some(p), _) => Some(p.name.clone()),
        (None, Some(_)) => None,
        (None, None) => e.city.clone(),
    };
    let region = match (found, &wide) {
        (Some(p), _) if !p.region.is_empty() => Some(p.region.clone()),
        (None, Some((Some(r), _, _))) => Some(r.clone()),
        _ => region,
    };
    let (latitude, longitude) = match (found, &wide) {
        (Some(p), _) => (Some(p.lat), Some(p.lon)),
        (None, Some((_, lat, lon))) => (Some(*lat), Some(*lon)),
        (None, None) => (e.latitude, e.longitude),
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
        latitude: latitude.map(|v| v.to_string()).unwrap_or_default(),
        longitude: longitude.map(|v| v.to_string()).unwrap_or_default(),
        languages: e.languages.join(" "),
        meeting_pattern: e.meeting_pattern.clone().unwrap_or_default(),
        founded: e.founded.clone().unwrap_or_default(),
        status: e.status.clone().unwrap_or_default(),
        links,
    }
}

/// Puts `e` on the review list (once per name and country) and in the report.
async fn hold(
    tx: &mut convene_store::Tx,
    e: &Entry,
    kind: HeldKind,
    reason: &str,
    now: chrono::DateTime<chrono::Utc>,
    report: &mut ImportReport,
) -> AppResult<()> {
    let country = resolve_country(e)
        .map(|c| c.code.as_str())
        .unwrap_or_default();
    let links = stored_links_text(&e.links);
    let held = NewReview {
        line: i64::try_from(e.line).unwrap_or_default(),
        name: &e.name,
        kind: kind.as_str(),
        reason,
        country,
        region: e.region.as_deref().unwrap_or_default(),
        description: e.description.as_deref().unwrap_or_default(),
        links: &links,
    };
    roster_reviews::hold(tx.ex(), &held, now).await?;
    report
        .held
        .push((e.line, e.name.clone(), reason.to_owned()));
    Ok(())
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
    let (entries, links_only, problems) = match format {
        RosterFormat::Csv => {
            let (entries, problems) = convene_rosterfile::parse_csv(bytes);
            (entries, Vec::new(), problems)
        }
        RosterFormat::Wiki => {
            match std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)) {
                Ok(text) => {
                    let page = convene_rosterfile::parse_wiki_page(text);
                    (page.entries, page.links_only, page.problems)
                }
                Err(e) => (
                    Vec::new(),
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

    for e in &links_only {
        let reason = format!(
            "only links, with no group name, under “{}”; accept it as a group if they are one",
            e.name
        );
        hold(&mut tx, e, HeldKind::LinksOnly, &reason, now, &mut report).await?;
    }
    for e in &entries {
        let country = resolve_country(e);
        if country.is_some() {
            report.countries_resolved += 1;
        }
        if format == RosterFormat::Wiki
            && let Some((kind, reason)) = doubt(e)
        {
            hold(&mut tx, e, kind, &reason, now, &mut report).await?;
            continue;
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
                if valid.fields.latitude.is_none() {
                    report.unplaced.push((e.line, valid.fields.name.clone()));
                }
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
                if valid.fields.latitude.is_none() {
                    report.unplaced.push((e.line, valid.fields.name.clone()));
                }
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
