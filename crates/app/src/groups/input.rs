//! Checking what a person (or an import, or an API client) says about a group.

use crate::AppResult;
use convene_domain::InvalidInput;
use convene_domain::groups::{
    GroupStatus, LinkKind, check_coordinates, check_founded, check_languages, check_line,
    check_slug, check_text, check_url, slugify,
};
use convene_store::groups::GroupFields;

/// Addresses under /groups/ that pages use.
pub const RESERVED_SLUGS: [&str; 3] = ["new", "map", "confirm"];

/// Most links an entry can carry.
pub const MAX_LINKS: usize = 20;

/// An entry as typed: every field as text, the way forms send them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct GroupInput {
    /// Name (required).
    pub name: String,
    /// Slug; derived from the name when empty.
    pub slug: String,
    /// One or two sentences.
    pub short_description: String,
    /// Markdown.
    pub description: String,
    /// City.
    pub city: String,
    /// Region or state.
    pub region: String,
    /// ISO 3166-1 alpha-2 code or an English country name.
    pub country: String,
    /// Decimal degrees, or empty.
    pub latitude: String,
    /// Decimal degrees, or empty.
    pub longitude: String,
    /// BCP 47 tags.
    pub languages: String,
    /// "second Tuesday, 7 pm".
    pub meeting_pattern: String,
    /// Year, month or date.
    pub founded: String,
    /// active, dormant or closed (active when empty).
    pub status: String,
    /// (kind, url) pairs.
    pub links: Vec<(String, String)>,
}

/// A link as stored: (kind, url, label).
pub type LinkSpec = (String, String, String);

/// A checked entry, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidGroup {
    /// The stored fields.
    pub fields: GroupFields,
    /// (kind, url, label) in order.
    pub links: Vec<LinkSpec>,
}

fn number(field: &'static str, s: &str) -> Result<Option<f64>, InvalidInput> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<f64>().map(Some).map_err(|_| {
        InvalidInput::new(
            field,
            "Give a number in decimal degrees, like 42.37 or -71.11.",
        )
    })
}

/// Checks every field. The country must be known; coordinates are looked up
/// from the city in the bundled gazetteer when none are given.
pub fn validate(input: &GroupInput) -> AppResult<ValidGroup> {
    let name = check_line("name", &input.name, 120, true)?;
    let slug = if input.slug.trim().is_empty() {
        slugify(&name)
    } else {
        check_slug(&input.slug)?
    };
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        return Err(InvalidInput::new("slug", format!("/groups/{slug} is an address the site uses itself; choose another, like {slug}-group.")).into());
    }
    let short_description = check_line("short_description", &input.short_description, 300, false)?;
    let description = check_text("description", &input.description, 20_000)?;
    let city = check_line("city", &input.city, 100, false)?;
    let region = check_line("region", &input.region, 100, false)?;
    let country_text = check_line("country", &input.country, 100, false)?;
    let country = if country_text.is_empty() {
        None
    } else {
        Some(
            convene_places::country(&country_text)
                .or_else(|| convene_places::country_by_name(&country_text))
                .ok_or_else(|| InvalidInput::new("country", format!("{country_text:?} is not a country code or name we know; use the two-letter ISO code, like DE or IN.")))?,
        )
    };
    let mut coords = check_coordinates(
        number("latitude", &input.latitude)?,
        number("longitude", &input.longitude)?,
    )?;
    if coords.is_none() && !city.is_empty() {
        let query = match country {
            Some(c) if !region.is_empty() => format!("{city}, {region}, {}", c.code),
            Some(c) => format!("{city}, {}", c.code),
            None => city.clone(),
        };
        if let Some(place) = convene_places::find_places(&query, 1).first()
            && country.is_none_or(|c| c.code == place.country)
        {
            coords = Some((place.lat, place.lon));
        }
    }
    let languages = check_languages(&input.languages)?.join(" ");
    let meeting_pattern = check_line("meeting_pattern", &input.meeting_pattern, 200, false)?;
    let founded = check_founded(&input.founded)?;
    let status = if input.status.trim().is_empty() {
        GroupStatus::Active
    } else {
        GroupStatus::parse(&input.status)
            .ok_or_else(|| InvalidInput::new("status", "Choose active, dormant or closed."))?
    };
    if input.links.len() > MAX_LINKS {
        return Err(InvalidInput::new(
            "links",
            format!("An entry can have at most {MAX_LINKS} links."),
        )
        .into());
    }
    let mut links = Vec::new();
    for (kind, url) in &input.links {
        if url.trim().is_empty() {
            continue;
        }
        let kind = LinkKind::parse(kind.trim()).ok_or_else(|| {
            InvalidInput::new("links", format!("{kind:?} is not a kind of link."))
        })?;
        let url = check_url("links", url)?;
        if !links.iter().any(|(_, u, _): &LinkSpec| u == &url) {
            links.push((kind.as_str().to_owned(), url, kind.label().to_owned()));
        }
    }
    Ok(ValidGroup {
        fields: GroupFields {
            slug,
            name,
            short_description,
            description,
            city,
            region,
            country: country.map(|c| c.code.clone()).unwrap_or_default(),
            continent: country
                .map(|c| c.continent.code().to_owned())
                .unwrap_or_default(),
            latitude: coords.map(|c| c.0),
            longitude: coords.map(|c| c.1),
            languages,
            meeting_pattern,
            founded,
            status: status.as_str().to_owned(),
        },
        links,
    })
}
