//! Translated messages: every locale's chrome, plurals, numbers, HTML
//! isolation, and the fallback to English when a message cannot be shown.

use convene_i18n::{FluentArgs, Locale, Messages, SourceFile};
use std::io::Write;
use std::sync::{Arc, Mutex};

fn messages() -> Messages {
    match Messages::load() {
        Ok(messages) => messages,
        Err(error) => panic!("the shipped messages load: {error}"),
    }
}

fn count(n: i64) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    args.set("count", n);
    args
}

#[test]
fn every_locale_has_its_own_chrome() {
    let messages = messages();
    let expected = [
        (Locale::En, "Groups", "Sign in"),
        (Locale::Es, "Grupos", "Iniciar sesión"),
        (Locale::PtBr, "Grupos", "Entrar"),
        (Locale::Fr, "Groupes", "Se connecter"),
        (Locale::De, "Gruppen", "Anmelden"),
        (Locale::Ja, "グループ", "ログイン"),
        (Locale::ZhHans, "小组", "登录"),
        (Locale::Hi, "समूह", "साइन इन करें"),
        (Locale::Id, "Grup", "Masuk"),
        (Locale::Ar, "المجموعات", "تسجيل الدخول"),
    ];
    for (locale, groups, sign_in) in expected {
        assert_eq!(messages.get(locale, "nav-groups", None), groups, "{locale}");
        assert_eq!(
            messages.get(locale, "nav-sign-in", None),
            sign_in,
            "{locale}"
        );
        assert!(messages.has(locale, "language-picker"), "{locale}");
    }
    assert_eq!(
        messages.attribute(Locale::De, "error-not-found", "detail", None),
        "Diese Seite haben wir nicht gefunden. Vielleicht ist der Link falsch geschrieben oder die Seite ist umgezogen."
    );
}

#[test]
fn counts_take_each_language_s_plural_forms() {
    let messages = messages();
    let group_count = |locale, n| messages.get(locale, "group-count", Some(&count(n)));
    assert_eq!(group_count(Locale::En, 1), "1 group");
    assert_eq!(group_count(Locale::En, 2), "2 groups");
    assert_eq!(group_count(Locale::PtBr, 0), "nenhum grupo");
    assert_eq!(group_count(Locale::PtBr, 1), "1 grupo");
    assert_eq!(group_count(Locale::Fr, 0), "0 groupe");
    assert_eq!(group_count(Locale::Ja, 3), "3 件のグループ");
    assert_eq!(group_count(Locale::Ar, 0), "لا توجد مجموعات");
    assert_eq!(group_count(Locale::Ar, 1), "مجموعة واحدة");
    assert_eq!(group_count(Locale::Ar, 2), "مجموعتان");
    assert_eq!(group_count(Locale::Ar, 5), "5 مجموعات");
    assert_eq!(group_count(Locale::Ar, 11), "11 مجموعة");
}

#[test]
fn numbers_in_messages_are_grouped_for_the_locale() {
    let messages = messages();
    assert_eq!(
        messages.get(Locale::En, "group-count", Some(&count(1234))),
        "1,234 groups"
    );
    assert_eq!(
        messages.get(Locale::De, "group-count", Some(&count(1234))),
        "1.234 Gruppen"
    );
    assert_eq!(
        messages.get(Locale::Hi, "group-count", Some(&count(100_000))),
        "1,00,000 समूह"
    );
    assert_eq!(
        messages.get(Locale::Fr, "group-count", Some(&count(12_345))),
        "12\u{202f}345 groupes"
    );
}

#[test]
fn plain_text_carries_no_isolation_marks() {
    let messages = messages();
    let mut args = FluentArgs::new();
    args.set("name", "Rust Berlin");
    args.set("date", "8 ديسمبر 2026");
    let text = messages.get(Locale::Ar, "posted-by", Some(&args));
    assert_eq!(text, "نشره Rust Berlin في 8 ديسمبر 2026");
    assert!(!text.contains(['\u{2068}', '\u{2069}']));
}

#[test]
fn html_wraps_names_in_bdi_and_escapes_them() {
    let messages = messages();
    let mut args = FluentArgs::new();
    args.set("name", "<b>Rust & Friends</b>");
    args.set("date", "8 Dec 2026");
    assert_eq!(
        messages.html(Locale::Ar, "posted-by", Some(&args)).0,
        "نشره <bdi>&lt;b&gt;Rust &amp; Friends&lt;/b&gt;</bdi> في <bdi>8 Dec 2026</bdi>"
    );
    // Numbers are formatted, not wrapped; the message's own text is escaped.
    assert_eq!(
        messages
            .html(Locale::De, "group-count", Some(&count(2000)))
            .0,
        "2.000 Gruppen"
    );
    assert_eq!(
        messages.html(Locale::Fr, "nothing-planned", None).0,
        "Rien n’est encore prévu."
    );
}

#[test]
fn html_escapes_the_message_s_own_text() {
    let messages = fixture_messages();
    let mut args = FluentArgs::new();
    args.set("name", "Ada");
    assert_eq!(
        messages.html(Locale::En, "terms", Some(&args)).0,
        "Terms &amp; &lt;conditions&gt; for <bdi>Ada</bdi>"
    );
    assert_eq!(
        messages.get(Locale::En, "terms", Some(&args)),
        "Terms & <conditions> for Ada"
    );
}

/// Collects what the crate logs while `run` runs.
fn logged(run: impl FnOnce()) -> String {
    #[derive(Clone)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer(Arc::new(Mutex::new(Vec::new())));
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, run);
    let bytes = buffer.0.lock().map(|b| b.clone()).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn fixture_messages() -> Messages {
    let sources = [
        SourceFile {
            locale: Locale::En,
            area: "common",
            text: include_str!("fixtures/runtime/en/common.ftl"),
        },
        SourceFile {
            locale: Locale::De,
            area: "common",
            text: include_str!("fixtures/runtime/de/common.ftl"),
        },
    ];
    match Messages::from_sources(&sources) {
        Ok(messages) => messages,
        Err(error) => panic!("fixtures load: {error}"),
    }
}

#[test]
fn a_translation_failing_at_runtime_falls_back_to_english_and_is_logged_once() {
    let messages = fixture_messages();
    let mut args = FluentArgs::new();
    args.set("name", "Ada");
    let mut shown = Vec::new();
    let log = logged(|| {
        shown.push(messages.get(Locale::De, "greeting", Some(&args)));
        shown.push(messages.get(Locale::De, "greeting", Some(&args)));
    });
    assert_eq!(shown, ["Hello, Ada!", "Hello, Ada!"]);
    assert_eq!(
        log.matches("translation cannot be shown").count(),
        1,
        "{log}"
    );
    assert!(log.contains("greeting") && log.contains("de"), "{log}");
}

#[test]
fn a_missing_variable_never_shows_its_placeholder() {
    let messages = fixture_messages();
    let mut shown = Vec::new();
    let log = logged(|| {
        for _ in 0..3 {
            shown.push(messages.get(Locale::De, "next-meeting", None));
            shown.push(messages.html(Locale::De, "next-meeting", None).0);
        }
    });
    for text in &shown {
        assert_eq!(text, "Next meeting ");
        assert!(!text.contains('{') && !text.contains("$date"));
    }
    // Logged once for German and once for English (the caller's mistake).
    assert_eq!(
        log.matches("translation cannot be shown").count(),
        1,
        "{log}"
    );
    assert_eq!(
        log.matches("English message cannot be shown").count(),
        1,
        "{log}"
    );
    assert!(log.contains("date"), "{log}");
}

#[test]
fn a_message_missing_in_a_locale_is_shown_in_english() {
    let messages = fixture_messages();
    let log = logged(|| {
        assert_eq!(
            messages.get(Locale::De, "only-english", None),
            "Only in English"
        );
        assert_eq!(
            messages.get(Locale::De, "only-english", None),
            "Only in English"
        );
        // A locale with no file at all.
        assert_eq!(
            messages.get(Locale::Ja, "only-english", None),
            "Only in English"
        );
    });
    assert_eq!(
        log.matches("translation cannot be shown").count(),
        2,
        "{log}"
    );
    assert!(!messages.has(Locale::De, "only-english"));
}

#[test]
fn a_message_missing_everywhere_shows_its_id() {
    let messages = fixture_messages();
    let log = logged(|| {
        assert_eq!(
            messages.get(Locale::Fr, "no-such-message", None),
            "no-such-message"
        );
    });
    assert_eq!(
        log.matches("English message cannot be shown").count(),
        1,
        "{log}"
    );
}

#[test]
fn messages_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Messages>();
    shared::<convene_i18n::Formatter>();
}
