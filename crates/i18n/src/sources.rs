//! The message files, embedded in the binary at build time.

use crate::locale::Locale;

/// The areas messages are grouped in: one `.ftl` file per locale per area.
pub const AREAS: [&str; 1] = ["common"];

/// One embedded message file.
#[derive(Debug, Clone, Copy)]
pub struct SourceFile {
    /// The locale the file translates into.
    pub locale: Locale,
    /// The area (`common`), the file's name without `.ftl`.
    pub area: &'static str,
    /// The file's Fluent text.
    pub text: &'static str,
}

macro_rules! ftl {
    ($locale:ident, $dir:literal, $area:literal) => {
        SourceFile {
            locale: Locale::$locale,
            area: $area,
            text: include_str!(concat!("../locales/", $dir, "/", $area, ".ftl")),
        }
    };
}

/// Every message file, English first.
pub const SOURCES: &[SourceFile] = &[
    ftl!(En, "en", "common"),
    ftl!(Es, "es", "common"),
    ftl!(PtBr, "pt-BR", "common"),
    ftl!(Fr, "fr", "common"),
    ftl!(De, "de", "common"),
    ftl!(Ja, "ja", "common"),
    ftl!(ZhHans, "zh-Hans", "common"),
    ftl!(Hi, "hi", "common"),
    ftl!(Id, "id", "common"),
    ftl!(Ar, "ar", "common"),
];
