//! Reading and writing roster files: the lists of user groups that convene
//! imports and exports.
//!
//! Two formats are read, both by pure functions (text in, entries and
//! problems out; no files, no network, no database):
//!
//! * the wiki page format ([`parse_wiki`]): a Markdown export of a community
//!   wiki page listing groups under continent, country and region headings,
//!   one bullet per group;
//! * CSV ([`parse_csv`], [`write_csv`]): one row per group under the header
//!   in [`CSV_COLUMNS`]; this is also the format of convene's own export.
//!
//! Nothing here decides what a country or region name means, or whether an
//! entry duplicates a group already in convene: the entries keep the text as
//! the file wrote it, and the importer resolves it.

mod csv;
mod inline;
mod links;
mod text;
mod wiki;

use std::fmt;

pub use crate::csv::{CSV_COLUMNS, parse_csv, write_csv};
pub use crate::links::{Link, LinkKind, guess_kind};
pub use crate::wiki::{WikiPage, parse_wiki, parse_wiki_page};

/// The longest group name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The longest description kept, in characters; longer ones are cut and reported.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

/// One group read from a roster file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    /// The 1-based line of the bullet or CSV record the entry comes from.
    pub line: usize,
    /// The group's name.
    pub name: String,
    /// The group's slug (CSV only).
    pub slug: Option<String>,
    /// The continent or world area heading the group sits under, as written (wiki only).
    pub continent: Option<String>,
    /// The country, as written: a heading (wiki) or a name or ISO alpha-2 code (CSV).
    pub country: Option<String>,
    /// The state or region heading (wiki) or value (CSV), as written.
    pub region: Option<String>,
    /// The city: a CSV value, or the wiki text after the group's link when it reads like a place.
    pub city: Option<String>,
    /// A short description: the wiki text after the group's link that is not a place, or the CSV `short_description`.
    pub description: Option<String>,
    /// The links; the first is the one on the group's name, when it had one.
    pub links: Vec<Link>,
    /// `active`, `dormant` or `closed` as the file gave it (a wiki `(Defunct)` note reads as `closed`).
    pub status: Option<String>,
    /// Latitude in degrees (CSV only).
    pub latitude: Option<f64>,
    /// Longitude in degrees (CSV only).
    pub longitude: Option<f64>,
    /// Language tags such as `en` or `pt-BR` (CSV only).
    pub languages: Vec<String>,
    /// When the group meets, in words (CSV only).
    pub meeting_pattern: Option<String>,
    /// When the group was founded: a year, month or date (CSV only).
    pub founded: Option<String>,
}

impl Entry {
    /// Adds `link` unless the entry already has its URL.
    pub fn add_link(&mut self, link: Link) {
        if !self.links.iter().any(|l| l.url == link.url) {
            self.links.push(link);
        }
    }
}

/// Something in a roster file that was skipped, dropped or doubtful.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The 1-based line it was found on.
    pub line: usize,
    /// What was wrong and what was done about it, in plain words.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(line: usize, message: impl Into<String>) -> Self {
        Problem {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}
