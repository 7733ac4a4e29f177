//! A list's archive: who may read it, threads by month, one message with
//! its thread, search, and the month as an mbox file.
//!
//! Threading follows the messages' own references (JWZ-style): a message
//! joins the thread of the nearest message it names in `In-Reply-To` or
//! `References` that the list has; failing that, a reply ("Re:") joins the
//! newest thread of the last 60 days with the same subject once reply
//! markers and the list's prefix are taken off; otherwise it starts a
//! thread of its own.

use super::members::ListView;
use crate::{AppError, AppResult, Services};
use chrono::{DateTime, Duration, Utc};
use convene_domain::lists::base_subject;
use convene_domain::{Actor, Denied};
use convene_store::Tx;
use convene_store::list_archive::{self as store, ArchivedRow};

/// Messages a page of search results shows.
pub const SEARCH_PAGE: i64 = 50;

/// Pages of search results one can go through.
const SEARCH_PAGES: u32 = 40;

/// A page of search results.
#[derive(Debug, Clone)]
pub struct Found {
    /// The messages, most relevant first.
    pub messages: Vec<ArchivedRow>,
    /// Whether there is a next page.
    pub more: bool,
}

/// True if `actor` may read `list`'s archive: anyone for a public archive;
/// members and moderators for a members' archive; moderators only for a
/// private one.
pub async fn may_read(svc: &Services, list: &ListView, actor: Option<&Actor>) -> AppResult<bool> {
    match list.row.archive.as_str() {
        "public" => Ok(true),
        "members" => {
            if list.managed_by(actor) {
                return Ok(true);
            }
            let Some(actor) = actor else {
                return Ok(false);
            };
            Ok(super::members::my_subscriptions(svc, actor)
                .await?
                .iter()
                .any(|(m, name, _)| *name == list.row.name && m.state == "active"))
        }
        _ => Ok(list.managed_by(actor)),
    }
}

/// The list, if `actor` may read its archive; a clear refusal otherwise.
pub async fn readable(svc: &Services, name: &str, actor: Option<&Actor>) -> AppResult<ListView> {
    let list = super::members::list(svc, name).await?;
    if may_read(svc, &list, actor).await? {
        return Ok(list);
    }
    Err(match (list.row.archive.as_str(), actor) {
        (_, None) => Denied::NotSignedIn.into(),
        ("members", Some(_)) => {
            AppError::NotAllowed("This list's archive is for its members: subscribe to read it.")
        }
        _ => AppError::NotAllowed("This list's archive is private to its moderators."),
    })
}

/// One thread of a month: its messages in order, each with its depth.
#[derive(Debug, Clone)]
pub struct Thread {
    /// The messages, oldest first, with how deep each answers.
    pub messages: Vec<(ArchivedRow, usize)>,
}

/// Groups `rows` (oldest first) into threads, nesting each message under
/// the one it answers when that one is among them.
pub fn threads(rows: Vec<ArchivedRow>) -> Vec<Thread> {
    let mut order: Vec<i64> = Vec::new();
    let mut by_thread: std::collections::HashMap<i64, Vec<ArchivedRow>> = Default::default();
    for row in rows {
        let key = row.thread_id.unwrap_or(row.id);
        if !by_thread.contains_key(&key) {
            order.push(key);
        }
        by_thread.entry(key).or_default().push(row);
    }
    order
        .into_iter()
        .filter_map(|k| by_thread.remove(&k))
        .map(|messages| {
            let mut depth_of: std::collections::HashMap<String, usize> = Default::default();
            let mut out = Vec::with_capacity(messages.len());
            for m in messages {
                // The message answered: In-Reply-To, else the nearest of
                // its References that is in the thread.
                let parent_depth = m
                    .in_reply_to
                    .iter()
                    .map(String::as_str)
                    .chain(m.refs.split_whitespace().rev())
                    .find_map(|p| depth_of.get(p))
                    .copied();
                let depth = parent_depth.map_or(0, |d| (d + 1).min(8));
                depth_of.insert(m.message_id.clone(), depth);
                out.push((m, depth));
            }
            Thread { messages: out }
        })
        .collect()
}

/// The months with messages, newest first, with their counts.
pub async fn months(svc: &Services, list: &ListView) -> AppResult<Vec<(String, i64)>> {
    let mut conn = svc.db.conn().await?;
    Ok(store::months(conn.ex(), list.row.id).await?)
}

/// A month's threads.
pub async fn month(svc: &Services, list: &ListView, month: &str) -> AppResult<Vec<Thread>> {
    if !is_month(month) {
        return Err(AppError::NotFound("There is no such month in the archive."));
    }
    let mut conn = svc.db.conn().await?;
    Ok(threads(
        store::in_month(conn.ex(), list.row.id, month).await?,
    ))
}

/// True for `YYYY-MM`.
pub fn is_month(s: &str) -> bool {
    s.len() == 7
        && s.as_bytes()[4] == b'-'
        && s[..4].bytes().all(|b| b.is_ascii_digit())
        && matches!(s[5..].parse::<u8>(), Ok(1..=12))
}

/// One message and its whole thread.
pub async fn message(svc: &Services, list: &ListView, id: i64) -> AppResult<(ArchivedRow, Thread)> {
    let mut conn = svc.db.conn().await?;
    let row = store::message(conn.ex(), list.row.id, id)
        .await?
        .ok_or(AppError::NotFound(
            "There is no such message in this archive.",
        ))?;
    let thread_id = row.thread_id.unwrap_or(row.id);
    let all = store::thread(conn.ex(), list.row.id, thread_id).await?;
    let thread = threads(all).into_iter().next().unwrap_or(Thread {
        messages: vec![(row.clone(), 0)],
    });
    Ok((row, thread))
}

/// Messages holding every word and every quoted phrase of `query`, most
/// relevant first, [`SEARCH_PAGE`] a page (`page` counts from 1). Words
/// are letters and digits; anything else only separates them, so no
/// operator of the search engine can be typed.
pub async fn search(svc: &Services, list: &ListView, query: &str, page: u32) -> AppResult<Found> {
    let phrases = search_phrases(query);
    if phrases.is_empty() || page == 0 || page > SEARCH_PAGES {
        return Ok(Found {
            messages: Vec::new(),
            more: false,
        });
    }
    let offset = i64::from(page - 1) * SEARCH_PAGE;
    let mut conn = svc.db.conn().await?;
    let mut messages =
        store::search(conn.ex(), list.row.id, &phrases, SEARCH_PAGE + 1, offset).await?;
    let more = messages.len() > SEARCH_PAGE as usize && page < SEARCH_PAGES;
    messages.truncate(SEARCH_PAGE as usize);
    Ok(Found { messages, more })
}

/// The phrases of a search: each quoted part, and each other run of
/// non-space characters, as its lowercase words (at most eight phrases).
/// A lone one-letter word is dropped.
pub fn search_phrases(query: &str) -> Vec<Vec<String>> {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let mut phrases = Vec::new();
    for (i, part) in query.split('"').enumerate() {
        if i % 2 == 1 {
            phrases.push(words(part));
        } else {
            phrases.extend(part.split_whitespace().map(words));
        }
    }
    phrases.retain(|p| p.len() > 1 || p.first().is_some_and(|w| w.chars().count() > 1));
    phrases.truncate(8);
    phrases
}

/// The newest messages, for the list's feed.
pub async fn recent(svc: &Services, list: &ListView, limit: i64) -> AppResult<Vec<ArchivedRow>> {
    let mut conn = svc.db.conn().await?;
    Ok(store::recent(conn.ex(), list.row.id, limit).await?)
}

/// A month as an mbox file (mboxrd: `From ` lines in bodies get one more `>`).
pub async fn mbox(svc: &Services, list: &ListView, month: &str) -> AppResult<Vec<u8>> {
    if !is_month(month) {
        return Err(AppError::NotFound("There is no such month in the archive."));
    }
    let mut conn = svc.db.conn().await?;
    let messages = store::raw_in_month(conn.ex(), list.row.id, month).await?;
    let mut out = Vec::new();
    for (from, at, raw) in messages {
        out.extend_from_slice(
            format!(
                "From {} {}\n",
                from_line_address(&from),
                at.format("%a %b %e %H:%M:%S %Y")
            )
            .as_bytes(),
        );
        let text = String::from_utf8_lossy(&raw).replace("\r\n", "\n");
        for line in text.split_inclusive('\n') {
            let unquoted = line.trim_start_matches('>');
            if unquoted.starts_with("From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line.as_bytes());
        }
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    Ok(out)
}

fn from_line_address(from: &str) -> String {
    let clean: String = from
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    if clean.is_empty() {
        "MAILER-DAEMON".to_owned()
    } else {
        clean
    }
}

/// Puts a newly stored message in its thread (see the module's notes).
#[allow(clippy::too_many_arguments)]
pub async fn assign_thread(
    tx: &mut Tx,
    list_id: i64,
    id: i64,
    in_reply_to: Option<&str>,
    refs: &[String],
    subject: &str,
    prefix: &str,
    sent_at: DateTime<Utc>,
) -> AppResult<i64> {
    // Nearest first: In-Reply-To, then References from the newest.
    let mut candidates: Vec<String> = Vec::new();
    if let Some(p) = in_reply_to {
        candidates.push(p.to_owned());
    }
    for r in refs.iter().rev() {
        if !candidates.contains(r) {
            candidates.push(r.clone());
        }
    }
    let mut thread = store::thread_of_any(tx.ex(), list_id, &candidates).await?;
    let is_reply = subject
        .trim_start()
        .get(..3)
        .is_some_and(|p| p.eq_ignore_ascii_case("re:"));
    if thread.is_none() && is_reply {
        let base = base_subject(subject, prefix);
        thread = store::recent_subjects(tx.ex(), list_id, sent_at - Duration::days(60))
            .await?
            .into_iter()
            .find(|(t, s)| *t != id && base_subject(s, prefix) == base)
            .map(|(t, _)| t);
    }
    let thread = thread.unwrap_or(id);
    store::set_thread(tx.ex(), id, thread).await?;
    Ok(thread)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, mid: &str, reply: Option<&str>, thread: i64) -> ArchivedRow {
        ArchivedRow {
            id,
            list_id: 1,
            message_id: mid.into(),
            in_reply_to: reply.map(str::to_owned),
            refs: String::new(),
            thread_id: Some(thread),
            subject: "s".into(),
            from_name: "n".into(),
            from_email: "e@x".into(),
            sent_at: Utc::now(),
            month: "2026-11".into(),
            body_text: String::new(),
        }
    }

    #[test]
    fn search_phrases_keep_words_and_quoted_phrases_only() {
        assert_eq!(
            search_phrases(r#"Venue "spring meetup" e-mail"#),
            vec![
                vec!["venue".to_owned()],
                vec!["spring".to_owned(), "meetup".to_owned()],
                vec!["e".to_owned(), "mail".to_owned()],
            ]
        );
        assert!(search_phrases(r#"* ( ) "" - a"#).is_empty());
        assert_eq!(search_phrases(r#""foo"#), vec![vec!["foo".to_owned()]]);
        assert_eq!(search_phrases("AND OR (").len(), 2);
        assert_eq!(
            search_phrases(
                "a b c d e f g h i j k l m n o p q r s t u v w x y z aa bb cc dd ee ff gg hh ii jj"
            )
            .len(),
            8
        );
    }

    #[test]
    fn months_are_checked() {
        assert!(is_month("2026-11"));
        for bad in [
            "2026-13", "2026-00", "26-11", "2026/11", "../etc", "2026-1x",
        ] {
            assert!(!is_month(bad), "{bad}");
        }
    }

    #[test]
    fn replies_nest_under_what_they_answer() {
        let t = threads(vec![
            row(1, "a@x", None, 1),
            row(2, "b@x", Some("a@x"), 1),
            row(3, "c@x", None, 3),
            row(4, "d@x", Some("b@x"), 1),
            row(5, "e@x", Some("a@x"), 1),
        ]);
        assert_eq!(t.len(), 2);
        let depths: Vec<(i64, usize)> = t[0].messages.iter().map(|(m, d)| (m.id, *d)).collect();
        assert_eq!(depths, vec![(1, 0), (2, 1), (4, 2), (5, 1)]);
        assert_eq!(t[1].messages[0].0.id, 3);
    }
}
