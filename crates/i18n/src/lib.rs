//! Localisation for convene: the shipped locales and how a request's
//! language is chosen ([`negotiate`]), translated messages in Project Fluent
//! ([`Messages`], files under `locales/{locale}/{area}.ftl` embedded in the
//! binary), locale-aware dates, times, numbers, lists and distances with
//! ICU4X ([`format`]), and the completeness check CI runs ([`check`]).
//!
//! ICU4X comes in through its component crates (`icu_datetime`,
//! `icu_decimal`, `icu_list`, `icu_calendar`, `icu_experimental` for
//! relative times) rather than the `icu` umbrella, which would also compile
//! the collator, segmenter and properties data convene does not use.
//!
//! Adding a message: write it in `locales/en/{area}.ftl`, then in every
//! other locale's file with the same id and the same variables; the
//! completeness check (`cargo run -p convene-i18n --bin check-locales
//! crates/i18n/locales`) names whatever is missing. Adding an area: a file in
//! every locale's folder, plus its name in [`AREAS`] and a line per locale in
//! [`SOURCES`]. Pass numbers as numbers (`args.set("count", 3)`): they select
//! the plural form and are formatted for the locale.
//!
//! This crate knows nothing of HTTP or the database: the web layer passes
//! in the account setting, cookie and header it read.

pub mod check;
pub mod format;
mod locale;
mod messages;
mod negotiate;
mod sources;
mod vars;

pub use fluent_bundle::{FluentArgs, FluentValue};
pub use format::{DateLength, DistanceUnit, Formatter, WeekdayName};
pub use locale::{Direction, Locale};
pub use messages::{Html, LoadError, Messages};
pub use negotiate::{
    LanguageRange, MAX_ACCEPT_LANGUAGE_ENTRIES, Negotiated, Requested, Source, formatting_locale,
    negotiate, parse_accept_language,
};
pub use sources::{AREAS, SOURCES, SourceFile};
