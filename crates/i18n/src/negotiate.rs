//! Choosing the language of a response: the account's setting, else the
//! locale cookie, else the browser's `Accept-Language`, else the site's
//! default.
//!
//! Region fallback, decided here once:
//! - any English, Spanish, French, German, Japanese, Hindi, Indonesian or
//!   Arabic tag picks that language whatever its region (`es-MX` is `es`);
//!   the region is kept for dates, numbers and distances (`en-GB` gets a
//!   24-hour clock and kilometres, `en-US` 12-hour and miles);
//! - any Portuguese (`pt`, `pt-PT`, `pt-AO`) picks Brazilian Portuguese, the
//!   only Portuguese we ship: closer to the reader than English is;
//! - Chinese picks Simplified Chinese unless the tag asks for Traditional
//!   script (`zh-Hant`) or a region that writes it (`zh-TW`, `zh-HK`,
//!   `zh-MO`): those readers are not sent Simplified characters they did
//!   not ask for; negotiation moves on to their next language instead;
//! - `*` stands for "any language": at its place in the list it picks the
//!   site's default;
//! - a tag that does not parse is skipped, as is a weight that does not
//!   parse or is zero.

use crate::locale::Locale;
use icu_locale_core::LanguageIdentifier;
use icu_locale_core::subtags::{Region, script};

/// At most this many entries of an `Accept-Language` header are looked at;
/// browsers send fewer than ten, so a longer header costs no more than this.
pub const MAX_ACCEPT_LANGUAGE_ENTRIES: usize = 32;

/// At most this many bytes of an `Accept-Language` header are looked at.
const MAX_ACCEPT_LANGUAGE_BYTES: usize = 1024;

/// Where the chosen language came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The signed-in person's account setting.
    Account,
    /// The language picker's cookie.
    Cookie,
    /// The browser's `Accept-Language` header.
    AcceptLanguage,
    /// The site's default language, chosen by the coordinator.
    SiteDefault,
}

/// The outcome of negotiation: the interface language, and the region the
/// visitor's browser named, if any, for formatting dates, numbers and
/// distances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The language messages are shown in.
    pub locale: Locale,
    /// Where that choice came from.
    pub source: Source,
    /// The region from the matching `Accept-Language` tag (`GB` in `en-GB`).
    pub region: Option<Region>,
}

impl Negotiated {
    /// A choice with no region of its own.
    pub fn plain(locale: Locale, source: Source) -> Self {
        Negotiated {
            locale,
            source,
            region: None,
        }
    }

    /// The ICU locale used for formatting: the language plus the visitor's
    /// region (`en-GB`), or the language's own default (`pt-BR`).
    pub fn formatting_locale(&self) -> icu_locale_core::Locale {
        formatting_locale(self.locale, self.region)
    }
}

/// The ICU locale for formatting in `locale` as written in `region`.
pub fn formatting_locale(locale: Locale, region: Option<Region>) -> icu_locale_core::Locale {
    let mut id = LanguageIdentifier::UNKNOWN;
    if let Ok(language) = locale.language().parse() {
        id.language = language;
    }
    if locale == Locale::ZhHans {
        id.script = Some(script!("Hans"));
    }
    id.region = region.or_else(|| locale.default_region().and_then(|r| r.parse().ok()));
    icu_locale_core::Locale::from(id)
}

/// Picks the language for a response, in this order: the account's setting,
/// the locale cookie, the `Accept-Language` header, the site's default.
///
/// The cookie is read with [`Locale::from_tag`]: a value naming no shipped
/// locale, or carrying markup, is ignored.
pub fn negotiate(
    account_setting: Option<Locale>,
    cookie: Option<&str>,
    accept_language: Option<&str>,
    site_default: Locale,
) -> Negotiated {
    if let Some(locale) = account_setting {
        return Negotiated::plain(locale, Source::Account);
    }
    if let Some(locale) = cookie.and_then(Locale::from_tag) {
        return Negotiated::plain(locale, Source::Cookie);
    }
    if let Some(header) = accept_language {
        for range in parse_accept_language(header) {
            match range.tag {
                Requested::Any => return Negotiated::plain(site_default, Source::SiteDefault),
                Requested::Tag(id) => {
                    if let Some(locale) = shipped_locale_for(&id) {
                        return Negotiated {
                            locale,
                            source: Source::AcceptLanguage,
                            region: id.region,
                        };
                    }
                }
            }
        }
    }
    Negotiated::plain(site_default, Source::SiteDefault)
}

/// One language the browser asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageRange {
    /// The tag, or `*`.
    pub tag: Requested,
    /// The weight, from 0.001 to 1.
    pub quality: f32,
}

/// A language tag from `Accept-Language`, or the wildcard `*`.
#[derive(Debug, Clone, PartialEq)]
pub enum Requested {
    /// `*`: any language.
    Any,
    /// A well-formed BCP 47 tag.
    Tag(LanguageIdentifier),
}

/// Reads an `Accept-Language` header into its ranges, most wanted first
/// (a stable sort: equal weights keep the browser's order).
///
/// Only the first [`MAX_ACCEPT_LANGUAGE_ENTRIES`] entries (and first
/// kilobyte) are read; malformed tags, malformed weights and weight zero are
/// dropped.
pub fn parse_accept_language(header: &str) -> Vec<LanguageRange> {
    let header = match header.get(..MAX_ACCEPT_LANGUAGE_BYTES) {
        Some(start) => start,
        None if header.len() <= MAX_ACCEPT_LANGUAGE_BYTES => header,
        // The cut fell inside a character: back off to a boundary.
        None => {
            let mut end = MAX_ACCEPT_LANGUAGE_BYTES;
            while !header.is_char_boundary(end) {
                end -= 1;
            }
            &header[..end]
        }
    };
    let mut ranges: Vec<LanguageRange> = header
        .split(',')
        .take(MAX_ACCEPT_LANGUAGE_ENTRIES)
        .filter_map(parse_range)
        .collect();
    ranges.sort_by(|a, b| b.quality.total_cmp(&a.quality));
    ranges
}

fn parse_range(entry: &str) -> Option<LanguageRange> {
    let mut parts = entry.split(';');
    let tag = parts.next()?.trim();
    let mut quality = 1.0_f32;
    for parameter in parts {
        let (name, value) = parameter.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("q") {
            quality = parse_quality(value.trim())?;
        }
    }
    if quality <= 0.0 {
        return None;
    }
    let tag = if tag == "*" {
        Requested::Any
    } else {
        // Tags are ASCII letters, digits and hyphens; anything else is not a
        // language (and is not worth handing to the parser).
        if tag.is_empty()
            || tag.len() > 35
            || !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return None;
        }
        Requested::Tag(LanguageIdentifier::try_from_str(tag).ok()?)
    };
    Some(LanguageRange { tag, quality })
}

/// RFC 9110 `qvalue`: `0`, `1`, or up to three decimals.
fn parse_quality(value: &str) -> Option<f32> {
    if value.is_empty()
        || value.len() > 5
        || !value.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return None;
    }
    let quality: f32 = value.parse().ok()?;
    (0.0..=1.0).contains(&quality).then_some(quality)
}

/// The shipped locale a browser tag maps to, following the rules in this
/// module's documentation.
fn shipped_locale_for(id: &LanguageIdentifier) -> Option<Locale> {
    match id.language.as_str() {
        "en" => Some(Locale::En),
        "es" => Some(Locale::Es),
        "pt" => Some(Locale::PtBr),
        "fr" => Some(Locale::Fr),
        "de" => Some(Locale::De),
        "ja" => Some(Locale::Ja),
        "hi" => Some(Locale::Hi),
        // `in` is Indonesian's withdrawn code, still sent by old Android.
        "id" | "in" => Some(Locale::Id),
        "ar" => Some(Locale::Ar),
        "zh" => {
            let traditional = match id.script {
                Some(script) => script == script!("Hant"),
                None => id
                    .region
                    .is_some_and(|region| matches!(region.as_str(), "TW" | "HK" | "MO")),
            };
            (!traditional).then_some(Locale::ZhHans)
        }
        _ => None,
    }
}
