//! Matching keys for place names: lowercase, without accents or punctuation.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Lowercase letters and their plain ASCII spelling (`ü` → `u`, `ß` → `ss`).
const FOLD_TSV: &str = include_str!("../data/fold.tsv");

fn fold_table() -> &'static HashMap<char, &'static str> {
    static TABLE: OnceLock<HashMap<char, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        FOLD_TSV
            .lines()
            .filter_map(|line| {
                let (letter, plain) = line.split_once('\t')?;
                let mut chars = letter.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some((c, plain)),
                    _ => None,
                }
            })
            .collect()
    })
}

/// Combining marks, which a decomposed accent leaves behind.
fn is_combining(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
    )
}

/// Characters dropped without leaving a gap: apostrophes and full stops, so
/// that "N'Djamena", "St. John's" and "U.S.A." match "Ndjamena", "St Johns"
/// and "USA".
fn is_elided(c: char) -> bool {
    matches!(
        c,
        '\'' | '’' | '‘' | 'ʻ' | 'ʼ' | 'ʿ' | 'ʾ' | '`' | '´' | '′' | '.'
    )
}

/// Abbreviations spelt out, as whole words.
fn expand(word: &str) -> &str {
    match word {
        "st" => "saint",
        "ste" => "sainte",
        "mt" => "mount",
        "ft" => "fort",
        other => other,
    }
}

/// The key a name is matched on: lowercase, accents folded to plain letters,
/// apostrophes and full stops dropped, any other punctuation or space run
/// turned into one space, and "St", "Ste", "Mt", "Ft" spelt out.
///
/// `data/generate.py` has a copy of this function for removing duplicate
/// alternate names; keep the two in step.
pub(crate) fn normalise(text: &str) -> String {
    let fold = fold_table();
    let mut plain = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_ascii() {
            push_plain(&mut plain, &mut gap, c.to_ascii_lowercase());
            continue;
        }
        for lower in c.to_lowercase() {
            if is_combining(lower) {
                continue;
            }
            match fold.get(&lower) {
                Some(spelling) => {
                    for s in spelling.chars() {
                        push_plain(&mut plain, &mut gap, s);
                    }
                }
                None => push_plain(&mut plain, &mut gap, lower),
            }
        }
    }
    if plain
        .split(' ')
        .any(|word| matches!(word, "st" | "ste" | "mt" | "ft"))
    {
        plain = plain.split(' ').map(expand).collect::<Vec<_>>().join(" ");
    }
    plain
}

/// Appends one folded character, turning runs of separators into one space.
fn push_plain(plain: &mut String, gap: &mut bool, c: char) {
    if is_elided(c) {
        return;
    }
    if c.is_alphanumeric() {
        if *gap && !plain.is_empty() {
            plain.push(' ');
        }
        *gap = false;
        plain.push(c);
    } else {
        *gap = true;
    }
}

/// The key a country name is matched on: [`normalise`], also ignoring a
/// leading "the".
pub(crate) fn country_key(text: &str) -> String {
    let key = normalise(text);
    match key.strip_prefix("the ") {
        Some(rest) => rest.to_owned(),
        None => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(normalise("São Paulo"), "sao paulo");
        assert_eq!(normalise("ZÜRICH"), "zurich");
        assert_eq!(normalise("Kraków"), "krakow");
        assert_eq!(normalise("Łódź"), "lodz");
        assert_eq!(normalise("Straße"), "strasse");
        assert_eq!(normalise("Tromsø"), "tromso");
        assert_eq!(normalise("İstanbul"), "istanbul");
        assert_eq!(normalise("Hồ Chí Minh"), "ho chi minh");
        // Decomposed input: "e" followed by a combining acute accent.
        assert_eq!(normalise("Re\u{301}union"), "reunion");
    }

    #[test]
    fn tidies_punctuation_and_spaces() {
        assert_eq!(normalise("  Saint-Denis "), "saint denis");
        assert_eq!(normalise("N'Djamena"), "ndjamena");
        assert_eq!(normalise("U.S.A."), "usa");
        assert_eq!(normalise("Washington,  D.C."), "washington dc");
        assert_eq!(normalise("St. John’s"), "saint johns");
        assert_eq!(normalise("Mt Gambier"), "mount gambier");
        assert_eq!(normalise("Stuttgart"), "stuttgart");
        assert_eq!(normalise("-- !"), "");
    }

    #[test]
    fn keeps_other_scripts() {
        assert_eq!(normalise("Москва"), "москва");
        assert_eq!(normalise("東京"), "東京");
    }

    #[test]
    fn country_keys_ignore_a_leading_the() {
        assert_eq!(country_key("The Netherlands"), "netherlands");
        assert_eq!(country_key("the  Gambia"), "gambia");
        assert_eq!(country_key("Theland"), "theland");
    }
}
