//! Choosing a visitor's language: account, cookie, Accept-Language, default.

use convene_i18n::{
    Direction, Locale, MAX_ACCEPT_LANGUAGE_ENTRIES, Source, negotiate, parse_accept_language,
};
use std::time::{Duration, Instant};

fn from_header(header: &str) -> (Locale, Source, String) {
    let chosen = negotiate(None, None, Some(header), Locale::En);
    let formatting = chosen.formatting_locale().to_string();
    (chosen.locale, chosen.source, formatting)
}

#[test]
fn the_account_setting_wins_over_cookie_and_header() {
    let chosen = negotiate(Some(Locale::Ja), Some("de"), Some("fr"), Locale::En);
    assert_eq!(
        (chosen.locale, chosen.source),
        (Locale::Ja, Source::Account)
    );
}

#[test]
fn the_cookie_wins_over_the_header() {
    let chosen = negotiate(None, Some("ar"), Some("fr"), Locale::En);
    assert_eq!((chosen.locale, chosen.source), (Locale::Ar, Source::Cookie));
    assert_eq!(chosen.locale.direction(), Direction::Rtl);
}

#[test]
fn the_header_wins_over_the_site_default() {
    assert_eq!(
        from_header("pt-BR,pt;q=0.9,en;q=0.8"),
        (Locale::PtBr, Source::AcceptLanguage, "pt-BR".into())
    );
}

#[test]
fn with_nothing_to_go_on_the_site_default_is_used() {
    let chosen = negotiate(None, None, None, Locale::De);
    assert_eq!(
        (chosen.locale, chosen.source),
        (Locale::De, Source::SiteDefault)
    );
    let chosen = negotiate(None, None, Some(""), Locale::Id);
    assert_eq!(
        (chosen.locale, chosen.source),
        (Locale::Id, Source::SiteDefault)
    );
}

#[test]
fn weights_decide_not_the_order_written() {
    assert_eq!(from_header("fr;q=0.5, de;q=0.9, en;q=0.1").0, Locale::De);
    // Equal weights keep the browser's order.
    assert_eq!(from_header("ja;q=0.8, hi;q=0.8").0, Locale::Ja);
    // q=0 means "not this one".
    assert_eq!(from_header("de;q=0, fr;q=0.2").0, Locale::Fr);
}

#[test]
fn regions_fall_back_to_the_language_and_are_kept_for_formatting() {
    assert_eq!(
        from_header("es-MX"),
        (Locale::Es, Source::AcceptLanguage, "es-MX".into())
    );
    assert_eq!(from_header("en-GB").2, "en-GB");
    assert_eq!(from_header("pt").2, "pt-BR");
    assert_eq!(from_header("pt-PT").0, Locale::PtBr);
    assert_eq!(from_header("ar-EG").2, "ar-EG");
    assert_eq!(from_header("in-ID").0, Locale::Id);
}

#[test]
fn simplified_chinese_is_offered_only_to_readers_of_simplified_characters() {
    assert_eq!(from_header("zh-CN").0, Locale::ZhHans);
    assert_eq!(from_header("zh").0, Locale::ZhHans);
    assert_eq!(from_header("zh-Hans-SG").2, "zh-Hans-SG");
    // Traditional script readers move on to their next language...
    assert_eq!(from_header("zh-TW, ja;q=0.5").0, Locale::Ja);
    assert_eq!(from_header("zh-Hant, ko;q=0.9, fr;q=0.3").0, Locale::Fr);
    // ...or to the site default.
    let chosen = negotiate(None, None, Some("zh-HK"), Locale::Es);
    assert_eq!(
        (chosen.locale, chosen.source),
        (Locale::Es, Source::SiteDefault)
    );
}

#[test]
fn a_wildcard_stands_for_the_site_default_at_its_place() {
    let chosen = negotiate(None, None, Some("*"), Locale::Hi);
    assert_eq!(
        (chosen.locale, chosen.source),
        (Locale::Hi, Source::SiteDefault)
    );
    // nl is not shipped; * comes before de.
    let chosen = negotiate(None, None, Some("nl, *;q=0.5, de;q=0.1"), Locale::Fr);
    assert_eq!(chosen.locale, Locale::Fr);
    // A shipped language preferred over * is still chosen.
    assert_eq!(from_header("de, *;q=0.1").0, Locale::De);
}

#[test]
fn malformed_tags_and_weights_are_skipped() {
    let header = "??, 123-x-, en_US;q=0.9, <script>, fr;q=abc, de;q=2, ja;q=0.5;q, \
                  hi;q=-1, ;q=0.3, ,,, es;q=0.2";
    assert_eq!(from_header(header).0, Locale::Es);
    let ranges = parse_accept_language(header);
    assert_eq!(ranges.len(), 1, "{ranges:?}");
    // Only junk: the site default.
    let chosen = negotiate(None, None, Some("\u{0}\u{7f}; ;=;q=q"), Locale::Ar);
    assert_eq!(
        (chosen.locale, chosen.source),
        (Locale::Ar, Source::SiteDefault)
    );
}

#[test]
fn a_header_with_a_thousand_entries_is_cheap_and_read_only_at_its_start() {
    let mut entries: Vec<String> = (0..999)
        .map(|i| format!("x{}-YY;q=0.{}", i % 10, i % 9 + 1))
        .collect();
    entries.push("fr".to_string());
    let header = entries.join(", ");
    assert!(parse_accept_language(&header).len() <= MAX_ACCEPT_LANGUAGE_ENTRIES);
    // `fr` is the thousandth entry: never reached.
    let chosen = negotiate(None, None, Some(&header), Locale::En);
    assert_eq!(
        (chosen.locale, chosen.source),
        (Locale::En, Source::SiteDefault)
    );

    // A shipped language early on is still found.
    let header = format!("de;q=0.1, {header}");
    assert_eq!(from_header(&header).0, Locale::De);

    let started = Instant::now();
    for _ in 0..1_000 {
        negotiate(None, None, Some(&header), Locale::En);
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(2),
        "1,000 negotiations took {elapsed:?}"
    );
}

#[test]
fn a_huge_header_is_cut_at_a_character_boundary() {
    let header = format!("{}, fr", "é".repeat(100_000));
    let chosen = negotiate(None, None, Some(&header), Locale::Ja);
    assert_eq!(chosen.locale, Locale::Ja);
}

#[test]
fn a_cookie_naming_no_shipped_locale_is_ignored() {
    for cookie in ["xx", "klingon", "pt-PT", "en-US", "", " ", "zh-TW"] {
        let chosen = negotiate(None, Some(cookie), Some("de"), Locale::En);
        assert_eq!(
            (chosen.locale, chosen.source),
            (Locale::De, Source::AcceptLanguage),
            "cookie {cookie:?}"
        );
    }
}

#[test]
fn a_cookie_carrying_markup_is_ignored() {
    for cookie in [
        "<script>alert(1)</script>",
        "de\"><img src=x onerror=alert(1)>",
        "fr<b>",
        "ja%3Cscript%3E",
    ] {
        let chosen = negotiate(None, Some(cookie), None, Locale::Id);
        assert_eq!(
            (chosen.locale, chosen.source),
            (Locale::Id, Source::SiteDefault),
            "cookie {cookie:?}"
        );
    }
}

#[test]
fn every_locale_reads_back_from_its_own_tag_in_any_case() {
    for locale in Locale::ALL {
        assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        assert_eq!(Locale::from_tag(&locale.tag().to_uppercase()), Some(locale));
        let expected = if locale == Locale::Ar {
            Direction::Rtl
        } else {
            Direction::Ltr
        };
        assert_eq!(locale.direction(), expected, "{locale}");
    }
    assert_eq!(Locale::from_tag("zh-CN"), Some(Locale::ZhHans));
    assert_eq!(Locale::Ar.direction().as_str(), "rtl");
}
