//! Where an imported group meets, read from everything its roster entry
//! holds: the place written after it, the heading it sits under, a city
//! inside its name ("PythonPune", "PyBhopal", "Bangalore Python Users
//! Group"), its description, and its links' hosts and paths
//! (`pythonpune.in`, `meetup.com/pythonpune`).
//!
//! Always inside the entry's country: a name is only ever looked up among
//! that country's cities, and a name several cities there share is left
//! alone rather than guessed.

use convene_places::{City, Country, city_named_in};
use convene_rosterfile::Entry;

/// Words in group names and descriptions that are not places, even where a
/// town happens to carry them.
const NOT_PLACES: &[&str] = &[
    "python",
    "pythonistas",
    "pythonista",
    "users",
    "user",
    "group",
    "groups",
    "meetup",
    "meetups",
    "community",
    "django",
    "pydata",
    "pyladies",
    "ladies",
    "club",
    "the",
    "and",
    "interest",
    "society",
    "association",
    "mobile",
    "data",
    "science",
    "web",
    "software",
    "developers",
    "developer",
    "programmers",
    "linux",
    "open",
    "source",
    "national",
    "active",
    "monthly",
    "weekly",
    "page",
    "site",
    "website",
    "wiki",
    "mailing",
    "list",
    "lists",
    "blog",
    "forum",
    "twitter",
    "facebook",
    "github",
    "gitlab",
    "slack",
    "discord",
    "telegram",
    "linkedin",
    "instagram",
    "youtube",
    "google",
    "yahoo",
    "meeting",
    "meetings",
    "team",
    "hub",
    "lab",
    "labs",
    "school",
    "university",
    "college",
    "institute",
    "center",
    "centre",
    "conference",
    "pycon",
    "workshop",
    "code",
    "coders",
    "coding",
    "hackers",
    "hacker",
    "friends",
    "people",
    "region",
    "area",
    "general",
    "local",
    "official",
    "free",
    "first",
    "every",
    "month",
    "week",
    "year",
    "also",
    "see",
    "our",
    "join",
    "welcome",
    "chapter",
    "network",
    "zope",
    "plone",
    "flask",
    "authors",
    "enthusiasts",
    "language",
    "learning",
    "machine",
    "study",
    "talks",
    "chats",
    "food",
    "drink",
    "drinks",
    "venue",
    "times",
    "tbd",
    "present",
    "visit",
    "register",
    "largest",
    "since",
    "started",
    "just",
    "defunct",
    "inactive",
    "english",
];

/// Pieces glued to a city in group names and addresses: "python" in
/// "pythonpune", "py" in "chennaipy", "pug" in "mashhadpug".
const AFFIXES: &[&str] = &[
    "pyladies", "pydata", "python", "django", "meetup", "users", "user", "group", "pug", "py",
];

/// Hosts that say nothing about where a group meets.
const PLATFORMS: &[&str] = &[
    "www",
    "com",
    "org",
    "net",
    "io",
    "in",
    "co",
    "uk",
    "de",
    "info",
    "github",
    "gitlab",
    "meetup",
    "facebook",
    "twitter",
    "x",
    "google",
    "groups",
    "plus",
    "mail",
    "python",
    "linkedin",
    "slack",
    "t",
    "me",
    "instagram",
    "youtube",
    "wiki",
    "blog",
    "netlify",
    "app",
    "discord",
    "gg",
    "telegram",
    "medium",
    "eventbrite",
    "lists",
    "mailman",
    "sites",
    "linktr",
    "ee",
    "webchat",
    "freenode",
    "botbot",
    "trello",
    "yahoo",
    "zwiki",
    "pycon",
];

/// The city an entry meets in, and how it was found, or `None`.
pub(super) fn infer_city(e: &Entry, country: &Country) -> Option<(&'static City, &'static str)> {
    let region = e.region.as_deref();
    let code = country.code.as_str();
    let find = |name: &str| city_named_in(name, code, region);
    // The place written after the group, as a whole or by its parts.
    if let Some(city) = e.city.as_deref() {
        if let Some(found) = find(city) {
            return Some((found, "its place"));
        }
        for part in city.split([',', '(', ')', '/']) {
            if let Some(found) = find(part) {
                return Some((found, "its place"));
            }
        }
    }
    // A "#### City" heading; a heading that names a region ("### Oregon",
    // "### Washington") is not read as a town of that name.
    if let Some(heading) = region
        && convene_places::region_named_in(heading, code).is_none()
        && convene_places::country_by_name(heading).is_none()
        && let Some(found) = city_named_in(heading, code, None).or_else(|| {
            // "### Washington, DC"
            convene_places::city_in_address(heading).filter(|c| c.country == code)
        })
    {
        return Some((found, "its heading"));
    }
    if let Some(found) = in_text(&e.name, &find) {
        return Some((found, "its name"));
    }
    if let Some(found) = e.description.as_deref().and_then(|d| in_text(d, &find)) {
        return Some((found, "its description"));
    }
    for link in &e.links {
        if let Some(found) = in_link(&link.url, &find) {
            return Some((found, "its links"));
        }
    }
    None
}

/// A city named in running text: capitalised words and runs of them
/// ("Addis Ababa"), and the city inside a glued name ("PythonPune").
fn in_text(text: &str, find: &dyn Fn(&str) -> Option<&'static City>) -> Option<&'static City> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // Runs of three, two and one capitalised words.
    for len in (1..=3).rev() {
        for run in words.windows(len) {
            let proper = run
                .iter()
                .all(|w| w.chars().next().is_some_and(char::is_uppercase));
            let place_like = run
                .iter()
                .all(|w| !NOT_PLACES.contains(&w.to_lowercase().as_str()));
            let name = run.join(" ");
            // Four letters at least, or a short form in capitals ("NYC").
            let long_enough = name.chars().count() >= 4
                || (name.chars().count() == 3 && name.chars().all(|c| c.is_ascii_uppercase()));
            if proper
                && place_like
                && long_enough
                && let Some(found) = find(&name)
            {
                return Some(found);
            }
        }
    }
    // "PythonPune", "PyBhopal", "ChennaiPy", "KolPy", "DehraDun".
    for word in words {
        for candidate in glued(word) {
            if let Some(found) = find(&candidate) {
                return Some(found);
            }
        }
    }
    None
}

/// The city inside a word that glues it to "Python", "Py", "PUG"…: by its
/// capitals ("PythonPune" → "Pune", "DehraDun" → "Dehra Dun"), and by
/// cutting known pieces off either end ("pythonpune" → "pune").
fn glued(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Split at lowercase→uppercase changes.
    let mut pieces: Vec<String> = Vec::new();
    let mut prev_lower = false;
    for c in word.chars() {
        if c.is_uppercase() && prev_lower {
            pieces.push(String::new());
        }
        match pieces.last_mut() {
            Some(p) => p.push(c),
            None => pieces.push(c.to_string()),
        }
        prev_lower = c.is_lowercase();
    }
    if pieces.len() > 1 {
        let kept: Vec<&String> = pieces
            .iter()
            .filter(|p| !AFFIXES.contains(&p.to_lowercase().as_str()))
            .collect();
        if kept.len() < pieces.len() && !kept.is_empty() {
            let joined: String = kept
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            out.push(joined);
            for piece in kept {
                out.push(piece.clone());
            }
        }
    }
    if let Some(stripped) = strip_affixes(&word.to_lowercase()) {
        out.push(stripped);
    }
    out.retain(|c| c.chars().count() >= 4 && !NOT_PLACES.contains(&c.to_lowercase().as_str()));
    out
}

/// `word` without the known pieces at its start and end, if any were there:
/// at each end the longest piece that fits is cut, and only when at least
/// four letters are left ("python" is not "py" + "thon").
fn strip_affixes(word: &str) -> Option<String> {
    let mut rest = word;
    let mut cut = false;
    loop {
        let before = rest;
        let prefix = AFFIXES
            .iter()
            .filter(|a| rest.starts_with(*a))
            .max_by_key(|a| a.len());
        if let Some(r) = prefix
            .and_then(|a| rest.strip_prefix(a))
            .filter(|r| r.len() >= 4)
        {
            rest = r;
            cut = true;
        }
        let suffix = AFFIXES
            .iter()
            .filter(|a| rest.ends_with(*a))
            .max_by_key(|a| a.len());
        if let Some(r) = suffix
            .and_then(|a| rest.strip_suffix(a))
            .filter(|r| r.len() >= 4)
        {
            rest = r;
            cut = true;
        }
        if rest == before {
            break;
        }
    }
    cut.then(|| rest.to_owned())
}

/// A city in a link: its host's own labels (`pythonpune.in`,
/// `dehradunpython.com`) and the group's name in a meetup.com address.
fn in_link(url: &str, find: &dyn Fn(&str) -> Option<&'static City>) -> Option<&'static City> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (host, path) = after_scheme.split_once('/').unwrap_or((after_scheme, ""));
    let host = host.to_lowercase();
    let mut candidates: Vec<String> = Vec::new();
    for label in host.split('.') {
        if PLATFORMS.contains(&label) {
            continue;
        }
        candidates.extend(strip_affixes(label));
    }
    if host.ends_with("meetup.com")
        && let Some(first) = path.split('/').find(|s| !s.is_empty())
    {
        let words: Vec<String> = first
            .split(['-', '_'])
            .map(str::to_lowercase)
            .filter(|w| !w.is_empty())
            .collect();
        for w in &words {
            if AFFIXES.contains(&w.as_str()) || NOT_PLACES.contains(&w.as_str()) {
                continue;
            }
            candidates.extend(strip_affixes(w));
            if w.len() >= 4 {
                candidates.push(w.clone());
            }
        }
    }
    candidates
        .into_iter()
        .filter(|c| c.chars().count() >= 4 && !NOT_PLACES.contains(&c.as_str()))
        .find_map(|c| find(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glued_names_give_their_city() {
        assert!(glued("PythonPune").contains(&"Pune".to_owned()));
        assert!(glued("PyBhopal").contains(&"Bhopal".to_owned()));
        assert!(glued("ChennaiPy").contains(&"Chennai".to_owned()));
        assert!(glued("pythonpune").contains(&"pune".to_owned()));
        assert!(glued("dehradunpython").contains(&"dehradun".to_owned()));
        assert!(glued("Python").is_empty());
    }
}

/// Whether the entry says it serves its whole country: its name names the
/// country ("Python Ghana", "PyAr - Python Argentina"), or its name is one
/// word (an acronym such as "PyUGAT") spelt out in a first sentence of a
/// few words that name the country ("Python User Group Austria"). "Python West Midlands - UK"
/// does not: its name says where in the country it is. Such a group is
/// pinned at the country's capital, where the gazetteer puts the country.
pub(super) fn serves_country(e: &Entry, country: &Country) -> bool {
    // "PyLadies CZ": the country's own code, in capitals, in the name.
    let code_in_name = e
        .name
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == country.code);
    if code_in_name || names_country(&e.name, country) {
        return true;
    }
    let one_word = !e.name.trim().contains(char::is_whitespace);
    one_word
        && [e.city.as_deref(), e.description.as_deref()]
            .into_iter()
            .flatten()
            .map(|text| text.split(". ").next().unwrap_or_default())
            .any(|first| first.split_whitespace().count() <= 8 && names_country(first, country))
}

/// The region of its country an entry names ("PyGuj (Python User Group -
/// Gujarat)", "Iowa Python Users Group", "Texas-wide organization"), with
/// the region's largest city, where such a group is pinned.
pub(super) fn served_region(e: &Entry, country: &Country) -> Option<(&'static str, &'static City)> {
    [
        e.city.as_deref(),
        Some(e.name.as_str()),
        e.description.as_deref(),
    ]
    .into_iter()
    .flatten()
    .find_map(|text| region_in_text(text, country))
}

fn region_in_text(text: &str, country: &Country) -> Option<(&'static str, &'static City)> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for len in (1..=3).rev() {
        for run in words.windows(len) {
            let proper = run
                .iter()
                .all(|w| w.chars().next().is_some_and(char::is_uppercase));
            let name = run.join(" ");
            // Four letters at least: "MA" or "IN" in passing is no region.
            if proper
                && name.chars().count() >= 4
                && let Some(found) = convene_places::region_named_in(&name, &country.code)
            {
                return Some(found);
            }
        }
    }
    None
}

fn names_country(text: &str, country: &Country) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    (1..=4).any(|len| {
        words.windows(len).any(|run| {
            run.first()
                .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
                && convene_places::country_by_name(&run.join(" "))
                    .is_some_and(|c| c.code == country.code)
        })
    })
}

#[cfg(test)]
mod entry_tests {
    use super::*;

    fn entry(name: &str, region: Option<&str>, description: &str) -> Entry {
        Entry {
            name: name.into(),
            region: region.map(Into::into),
            description: Some(description.into()),
            ..Entry::default()
        }
    }

    #[test]
    fn a_state_heading_is_not_a_town_and_keeps_cities_inside_it() {
        let us = convene_places::country("US").unwrap();
        let found = |name: &str, region: &str, description: &str| {
            infer_city(&entry(name, Some(region), description), us)
                .map(|(c, _)| format!("{}, {}", c.name, c.region))
        };
        assert_eq!(
            found("Portland", "Oregon", ""),
            Some("Portland, Oregon".into())
        );
        assert_eq!(
            found("Python Spokane", "Washington", ""),
            Some("Spokane, Washington".into())
        );
        assert_eq!(
            found("Python Baltimore", "Maryland", ""),
            Some("Baltimore, Maryland".into())
        );
        assert_eq!(found("Shenandoah Python", "Virginia", ""), None);
        assert_eq!(
            found("NYC Python", "New York", ""),
            Some("New York City, New York".into())
        );
        assert_eq!(
            found("ZPUGDC", "Washington, DC", ""),
            Some("Washington, District of Columbia".into())
        );
    }

    #[test]
    fn kansas_city_inside_kansas() {
        let us = convene_places::country("US").unwrap();
        let e = entry(
            "PythonKC (pyKC)",
            Some("Kansas"),
            "Python developers, enthusiast and hackers of the Kansas City Metro Area and surroundings.",
        );
        let found = infer_city(&e, us).map(|(c, _)| (c.name.as_str(), c.region.as_str()));
        assert_eq!(found, Some(("Kansas City", "Kansas")));
    }
}
