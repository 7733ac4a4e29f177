//! The interface languages convene ships, their tags and writing direction.

use std::fmt;

/// One of the interface languages convene is translated into.
///
/// English is the source language: every message exists in English first,
/// and any message missing in another locale falls back to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    /// English (`en`), the source language.
    En,
    /// Spanish (`es`).
    Es,
    /// Brazilian Portuguese (`pt-BR`); also offered to other Portuguese readers.
    PtBr,
    /// French (`fr`).
    Fr,
    /// German (`de`).
    De,
    /// Japanese (`ja`).
    Ja,
    /// Simplified Chinese (`zh-Hans`; `zh-CN` and `zh-SG` map here too).
    ZhHans,
    /// Hindi (`hi`).
    Hi,
    /// Indonesian (`id`).
    Id,
    /// Arabic (`ar`), written right to left.
    Ar,
}

/// The direction a locale's text runs in, for `<html dir>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Left to right.
    Ltr,
    /// Right to left (Arabic).
    Rtl,
}

impl Direction {
    /// The value of the HTML `dir` attribute: `ltr` or `rtl`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Locale {
    /// Every shipped locale, English first.
    pub const ALL: [Locale; 10] = [
        Locale::En,
        Locale::Es,
        Locale::PtBr,
        Locale::Fr,
        Locale::De,
        Locale::Ja,
        Locale::ZhHans,
        Locale::Hi,
        Locale::Id,
        Locale::Ar,
    ];

    /// The BCP 47 tag used in `<html lang>`, the locale cookie, the account
    /// setting and the name of the folder under `locales/`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
            Locale::PtBr => "pt-BR",
            Locale::Fr => "fr",
            Locale::De => "de",
            Locale::Ja => "ja",
            Locale::ZhHans => "zh-Hans",
            Locale::Hi => "hi",
            Locale::Id => "id",
            Locale::Ar => "ar",
        }
    }

    /// The language's own name for itself, for the language picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Es => "Español",
            Locale::PtBr => "Português (Brasil)",
            Locale::Fr => "Français",
            Locale::De => "Deutsch",
            Locale::Ja => "日本語",
            Locale::ZhHans => "简体中文",
            Locale::Hi => "हिन्दी",
            Locale::Id => "Bahasa Indonesia",
            Locale::Ar => "العربية",
        }
    }

    /// Which way the locale's text runs.
    pub fn direction(self) -> Direction {
        match self {
            Locale::Ar => Direction::Rtl,
            _ => Direction::Ltr,
        }
    }

    /// Reads a stored or submitted locale tag: an account setting, the locale
    /// cookie or the picker's form value.
    ///
    /// Only the tags that [`Locale::tag`] produces (in any letter case) and
    /// the alias `zh-CN` are accepted; anything else, including markup or a
    /// very long value, is `None` so that the caller falls through to the
    /// next source of a language. Browsers' looser tags go through
    /// [`crate::negotiate`] instead.
    pub fn from_tag(value: &str) -> Option<Locale> {
        if value.len() > 16 {
            return None;
        }
        let value = value.trim();
        if value.eq_ignore_ascii_case("zh-CN") {
            return Some(Locale::ZhHans);
        }
        Locale::ALL
            .into_iter()
            .find(|locale| locale.tag().eq_ignore_ascii_case(value))
    }

    /// The language subtag alone (`pt` for `pt-BR`, `zh` for `zh-Hans`).
    pub(crate) fn language(self) -> &'static str {
        match self {
            Locale::PtBr => "pt",
            Locale::ZhHans => "zh",
            other => other.tag(),
        }
    }

    /// The region formatting falls back to when the visitor named none.
    pub(crate) fn default_region(self) -> Option<&'static str> {
        match self {
            Locale::PtBr => Some("BR"),
            _ => None,
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}
