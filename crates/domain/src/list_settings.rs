//! A mailing list's settings as its moderators write them (a form or the
//! API: every field a string), checked into values the store keeps.

use crate::error::{InvalidInput, has_control_chars};

/// The largest message any list may take, in bytes: the mail listeners'
/// own limit.
pub const LARGEST_MESSAGE: i64 = 32 * 1024 * 1024;
/// The smallest size limit a list may set, in bytes.
const SMALLEST_LIMIT: i64 = 50 * 1024;
/// The size limit a new list starts with, in bytes.
pub const DEFAULT_MAX_BYTES: i64 = 2 * 1024 * 1024;

/// Who may post, and whether a moderator reads each message first.
pub const POLICIES: [(&str, &str); 3] = [
    (
        "open",
        "Open discussion: members write, a new member's first message waits for a moderator",
    ),
    (
        "moderated",
        "Moderated: a moderator reads every message before it goes out",
    ),
    (
        "announce",
        "Announcements: only moderators write, members read",
    ),
];
/// Whose messages are taken without a moderator.
pub const POSTERS: [(&str, &str); 3] = [
    ("members", "Members"),
    ("anyone", "Anyone, member or not"),
    ("moderators", "Moderators only"),
];
/// Who reads the archive.
pub const ARCHIVES: [(&str, &str); 3] = [
    ("public", "Anyone, and search engines"),
    ("members", "Members of the list"),
    ("private", "Moderators only"),
];
/// Where replies go.
pub const REPLY_TO: [(&str, &str); 2] = [
    ("poster", "To the writer (the mail client's default)"),
    ("list", "To the list"),
];

/// Longest shown name, description, prefix and footer, in characters.
const DISPLAY_NAME_CHARS: usize = 80;
const DESCRIPTION_CHARS: usize = 2000;
const PREFIX_CHARS: usize = 40;
const FOOTER_CHARS: usize = 2000;

/// What a moderator typed.
#[derive(Debug, Clone, Default)]
pub struct ListSettingsInput<'a> {
    /// Shown name.
    pub display_name: &'a str,
    /// What the list is for.
    pub description: &'a str,
    /// One of [`POLICIES`].
    pub policy: &'a str,
    /// One of [`POSTERS`].
    pub posters: &'a str,
    /// One of [`ARCHIVES`].
    pub archive: &'a str,
    /// Put before subjects, e.g. `[organizers]`.
    pub subject_prefix: &'a str,
    /// Added under each message.
    pub footer: &'a str,
    /// One of [`REPLY_TO`].
    pub reply_to: &'a str,
    /// The size limit in megabytes, e.g. `2` or `0.5`.
    pub max_megabytes: &'a str,
    /// Whether From is rewritten to "Name via the list".
    pub rewrite_from: bool,
}

/// Checked settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSettings {
    /// Shown name.
    pub display_name: String,
    /// What the list is for.
    pub description: String,
    /// open, moderated or announce.
    pub policy: String,
    /// members, anyone or moderators.
    pub posters: String,
    /// public, members or private.
    pub archive: String,
    /// Subject prefix, with one trailing space when not empty.
    pub subject_prefix: String,
    /// Footer, lines ending in `\n`.
    pub footer: String,
    /// poster or list.
    pub reply_to: String,
    /// Size limit in bytes.
    pub max_bytes: i64,
    /// Rewrite From.
    pub rewrite_from: bool,
}

fn one_of(
    field: &'static str,
    value: &str,
    choices: &[(&str, &str)],
    what: &str,
) -> Result<String, InvalidInput> {
    let value = value.trim();
    if choices.iter().any(|(v, _)| *v == value) {
        Ok(value.to_owned())
    } else {
        let names: Vec<&str> = choices.iter().map(|(v, _)| *v).collect();
        Err(InvalidInput::new(
            field,
            format!("Choose {what}: one of {}.", names.join(", ")),
        ))
    }
}

fn line(field: &'static str, value: &str, max: usize, what: &str) -> Result<String, InvalidInput> {
    let value = value.trim();
    if has_control_chars(value) {
        return Err(InvalidInput::new(
            field,
            format!("Write {what} on one line."),
        ));
    }
    if value.chars().count() > max {
        return Err(InvalidInput::new(
            field,
            format!("Keep {what} to {max} characters."),
        ));
    }
    Ok(value.to_owned())
}

/// Normalises a multi-line text to `\n` line ends without trailing blanks.
fn text(field: &'static str, value: &str, max: usize, what: &str) -> Result<String, InvalidInput> {
    let value = value.replace("\r\n", "\n").replace('\r', "\n");
    let value = value.trim_matches(|c: char| c == '\n' || c == ' ');
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(InvalidInput::new(
            field,
            format!("{what} has a control character; write plain text."),
        ));
    }
    if value.chars().count() > max {
        return Err(InvalidInput::new(
            field,
            format!("Keep {what} to {max} characters."),
        ));
    }
    Ok(value.to_owned())
}

/// Reads a size in megabytes (`2`, `0.5`, `1,5`) into bytes.
fn megabytes(value: &str) -> Result<i64, InvalidInput> {
    let limits = format!(
        "Give the largest message in megabytes, from {} to {} (for example 2 or 0.5).",
        SMALLEST_LIMIT as f64 / 1_048_576.0,
        LARGEST_MESSAGE / 1_048_576
    );
    let mb: f64 = value
        .trim()
        .replace(',', ".")
        .parse()
        .map_err(|_| InvalidInput::new("max_megabytes", limits.clone()))?;
    if !mb.is_finite() {
        return Err(InvalidInput::new("max_megabytes", limits));
    }
    let bytes = (mb * 1_048_576.0).round();
    if bytes < SMALLEST_LIMIT as f64 || bytes > LARGEST_MESSAGE as f64 {
        return Err(InvalidInput::new("max_megabytes", limits));
    }
    // In range, so the conversion is exact.
    Ok(bytes as i64)
}

impl ListSettings {
    /// Checks what a moderator typed; the first mistake found is returned.
    pub fn parse(input: &ListSettingsInput<'_>) -> Result<Self, InvalidInput> {
        let display_name = line(
            "display_name",
            input.display_name,
            DISPLAY_NAME_CHARS,
            "the list's name",
        )?;
        if display_name.is_empty() {
            return Err(InvalidInput::new(
                "display_name",
                "Give the list a name people will recognise, e.g. \"Organizers\".",
            ));
        }
        let description = text(
            "description",
            input.description,
            DESCRIPTION_CHARS,
            "The description",
        )?;
        let prefix = line(
            "subject_prefix",
            input.subject_prefix,
            PREFIX_CHARS,
            "the subject prefix",
        )?;
        Ok(Self {
            display_name,
            description,
            policy: one_of("policy", input.policy, &POLICIES, "how the list works")?,
            posters: one_of("posters", input.posters, &POSTERS, "who may write")?,
            archive: one_of("archive", input.archive, &ARCHIVES, "who reads the archive")?,
            subject_prefix: if prefix.is_empty() {
                prefix
            } else {
                format!("{prefix} ")
            },
            footer: text("footer", input.footer, FOOTER_CHARS, "The footer")?,
            reply_to: one_of("reply_to", input.reply_to, &REPLY_TO, "where replies go")?,
            max_bytes: megabytes(input.max_megabytes)?,
            rewrite_from: input.rewrite_from,
        })
    }

    /// The settings a new list called `display_name` starts with.
    pub fn new_list(display_name: &str) -> ListSettingsInput<'_> {
        ListSettingsInput {
            display_name,
            description: "",
            policy: "open",
            posters: "members",
            archive: "members",
            subject_prefix: "",
            footer: "",
            reply_to: "poster",
            max_megabytes: "2",
            rewrite_from: false,
        }
    }
}

/// A size limit in megabytes as a form shows it.
pub fn show_megabytes(bytes: i64) -> String {
    let mb = bytes as f64 / 1_048_576.0;
    let shown = format!("{mb:.2}");
    shown.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ListSettingsInput<'static> {
        ListSettingsInput {
            display_name: " Boston Python organizers ",
            description: "Plans.\r\nAnd more.\r\n",
            policy: "moderated",
            posters: "anyone",
            archive: "public",
            subject_prefix: "[bospy]",
            footer: "Unsubscribe any time.",
            reply_to: "list",
            max_megabytes: "0,5",
            rewrite_from: true,
        }
    }

    #[test]
    fn good_settings_are_normalised() {
        let s = ListSettings::parse(&good()).unwrap();
        assert_eq!(s.display_name, "Boston Python organizers");
        assert_eq!(s.description, "Plans.\nAnd more.");
        assert_eq!(s.subject_prefix, "[bospy] ");
        assert_eq!(s.max_bytes, 524_288);
        assert_eq!(show_megabytes(s.max_bytes), "0.5");
        assert_eq!(show_megabytes(DEFAULT_MAX_BYTES), "2");
    }

    #[test]
    fn each_mistake_names_its_field() {
        let cases: Vec<(ListSettingsInput<'static>, &str)> = vec![
            (
                ListSettingsInput {
                    display_name: "  ",
                    ..good()
                },
                "display_name",
            ),
            (
                ListSettingsInput {
                    policy: "chaos",
                    ..good()
                },
                "policy",
            ),
            (
                ListSettingsInput {
                    posters: "robots",
                    ..good()
                },
                "posters",
            ),
            (
                ListSettingsInput {
                    archive: "world",
                    ..good()
                },
                "archive",
            ),
            (
                ListSettingsInput {
                    subject_prefix: "[a]\r\nBcc: victim@example.org",
                    ..good()
                },
                "subject_prefix",
            ),
            (
                ListSettingsInput {
                    reply_to: "everyone",
                    ..good()
                },
                "reply_to",
            ),
            (
                ListSettingsInput {
                    max_megabytes: "lots",
                    ..good()
                },
                "max_megabytes",
            ),
            (
                ListSettingsInput {
                    max_megabytes: "33",
                    ..good()
                },
                "max_megabytes",
            ),
            (
                ListSettingsInput {
                    max_megabytes: "NaN",
                    ..good()
                },
                "max_megabytes",
            ),
            (
                ListSettingsInput {
                    footer: "bell\u{7}",
                    ..good()
                },
                "footer",
            ),
        ];
        for (input, field) in cases {
            let err = ListSettings::parse(&input).unwrap_err();
            assert_eq!(err.field, field, "{input:?}");
            assert!(!err.message.is_empty());
        }
    }

    #[test]
    fn a_new_list_starts_valid() {
        let s = ListSettings::parse(&ListSettings::new_list("Newcomers")).unwrap();
        assert_eq!(s.max_bytes, DEFAULT_MAX_BYTES);
        assert_eq!(s.subject_prefix, "");
    }
}
