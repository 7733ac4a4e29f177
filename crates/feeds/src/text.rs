//! The characters every format can carry.

use std::borrow::Cow;

/// Whether XML 1.0 allows `c` in a document (the `Char` production).
///
/// Rust strings hold no surrogates, so only the C0 controls other than tab,
/// line feed and carriage return, and the two non-characters at the end of
/// the Basic Multilingual Plane, are left out.
pub(crate) fn carriable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` without the characters XML cannot carry.
///
/// JSON could carry them, but the JSON Feed drops them too, so that a reader
/// gets the same text whichever format it asks for (and no `\u0000`, which
/// some JSON consumers refuse).
pub(crate) fn carriable_text(text: &str) -> Cow<'_, str> {
    if text.chars().all(carriable) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| carriable(c)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_clean_text_borrowed() {
        assert!(matches!(
            carriable_text("plain ✓"),
            Cow::Borrowed("plain ✓")
        ));
    }

    #[test]
    fn drops_what_xml_cannot_carry() {
        assert_eq!(
            carriable_text("a\u{0}b\u{1}c\u{8}d\u{b}e\u{c}f\u{1f}g\u{fffe}h\u{ffff}i"),
            "abcdefghi"
        );
        let kept = "\t\n\r \u{7f}\u{85}\u{d7ff}\u{e000}\u{fffd}\u{10000}\u{10ffff}";
        assert_eq!(carriable_text(kept), kept);
    }
}
