//! A made-up list for benchmarks:
//! `convene admin seed-bench --list-messages N --list-members M`.

use super::new_member_token;
use crate::made_up::{mix, pick};
use crate::{AppResult, Services};
use chrono::{DateTime, Duration, TimeZone, Utc};
use convene_store::list_archive;
use convene_store::list_messages::{self, NewListMessage};
use convene_store::lists::{self, ListFields};
use std::collections::HashMap;

/// The benchmark list's name (`/lists/bench-list`).
pub const BENCH_LIST: &str = "bench-list";

/// The domain of the made-up members' addresses: point the relay at a sink.
pub const SINK_DOMAIN: &str = "sink.example.net";

/// A word that a few made-up messages hold (about one in 5,000), for
/// measuring a search with few answers.
pub const RARE_WORD: &str = "quetzal";

/// A word most made-up messages hold, for a search with many answers.
pub const COMMON_WORD: &str = "venue";

/// Messages or members written per transaction.
const BATCH: usize = 500;

/// Made-up posters (`poster-N@bench.example.org`).
const POSTERS: usize = 300;

/// Seconds between one made-up message and the next: 100,000 messages
/// span eight years from [`first_day`].
const STEP_SECONDS: i64 = 8 * 365 * 24 * 3600 / 100_000;

/// How large the made-up list should be.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListSize {
    /// Messages in all; only the missing ones are added.
    pub messages: usize,
    /// Active members in all (`member-N@sink.example.net`); only the missing ones are added.
    pub members: usize,
}

/// What [`seed_list`] added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListSeeded {
    /// Messages.
    pub messages: usize,
    /// Members.
    pub members: usize,
}

/// The day the made-up archive starts.
fn first_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2018, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Grows [`BENCH_LIST`] (created with a public archive if missing) to
/// `size`: made-up threaded messages (threads of one to ten, replies
/// answering an earlier message of their thread, with In-Reply-To and
/// References) one every 42 minutes from 2018 (100,000 span eight years), each a few
/// sentences about running a user group; and active members who receive
/// each message, at [`SINK_DOMAIN`]. The same sizes always give the same
/// messages; running it again with larger numbers adds the difference.
pub async fn seed_list(svc: &Services, size: &ListSize) -> AppResult<ListSeeded> {
    let now = svc.clock.now();
    let mut seeded = ListSeeded::default();
    let list_id = bench_list(svc, now).await?;

    let have = {
        let mut conn = svc.db.conn().await?;
        lists::count_active(conn.ex(), list_id).await?
    };
    let have = usize::try_from(have).unwrap_or(0);
    let wanted: Vec<usize> = (have..size.members).collect();
    for chunk in wanted.chunks(BATCH) {
        let mut tx = svc.db.begin().await?;
        for &n in chunk {
            let email = format!("member-{n}@{SINK_DOMAIN}");
            let token = new_member_token(svc.tokens.as_ref());
            let confirm = format!("bench-confirm-{token}");
            lists::request(tx.ex(), list_id, &email, None, &confirm, now, &token, now).await?;
            if let Some(m) = lists::member(tx.ex(), list_id, &email).await? {
                if lists::confirm(tx.ex(), m.id, now).await? == 1 {
                    seeded.members += 1;
                }
                lists::trust(tx.ex(), m.id, now).await?;
            }
        }
        tx.commit().await?;
    }

    let have = {
        let mut conn = svc.db.conn().await?;
        list_messages::count_for_list(conn.ex(), list_id).await?
    };
    let have = usize::try_from(have).unwrap_or(0);
    if have >= size.messages {
        return Ok(seeded);
    }
    let layout = threads(size.messages);
    // Row and thread ids of the messages written, by number.
    let mut rows: HashMap<usize, (i64, i64)> = HashMap::new();
    let wanted: Vec<usize> = (have..size.messages).collect();
    for chunk in wanted.chunks(BATCH) {
        let mut tx = svc.db.begin().await?;
        for &n in chunk {
            let (root, parent) = layout[n];
            let m = made_up_message(
                n,
                root,
                parent,
                &layout,
                first_day() + Duration::seconds(STEP_SECONDS * i64::try_from(n).unwrap_or(0)),
            );
            let month = m.sent_at.format("%Y-%m").to_string();
            let refs = m.refs.join(" ");
            let id = list_messages::insert(
                tx.ex(),
                &NewListMessage {
                    list_id,
                    message_id: &m.message_id,
                    in_reply_to: m.refs.last().map(String::as_str),
                    refs: &refs,
                    subject: &m.subject,
                    from_name: &m.from_name,
                    from_email: &m.from_email,
                    sent_at: m.sent_at,
                    received_at: m.sent_at,
                    month: &month,
                    body_text: &m.body,
                    raw: &m.raw,
                    state: "accepted",
                    hold_reason: None,
                },
            )
            .await?;
            let thread = if root == n {
                id
            } else if let Some((_, t)) = rows.get(&root) {
                *t
            } else {
                list_archive::thread_of_any(tx.ex(), list_id, &[message_id(root)])
                    .await?
                    .unwrap_or(id)
            };
            list_archive::set_thread(tx.ex(), id, thread).await?;
            rows.insert(n, (id, thread));
            seeded.messages += 1;
        }
        tx.commit().await?;
    }
    svc.db.optimize().await?;
    Ok(seeded)
}

/// The benchmark list's id, creating it first if needed.
async fn bench_list(svc: &Services, now: DateTime<Utc>) -> AppResult<i64> {
    let mut tx = svc.db.begin().await?;
    let id = match lists::by_name(tx.ex(), BENCH_LIST).await? {
        Some(l) => l.id,
        None => {
            let fields = ListFields {
                display_name: "Bench list",
                description: "Made-up messages for measuring the archive and the fan-out.",
                policy: "open",
                posters: "members",
                archive: "public",
                subject_prefix: "[bench] ",
                footer: "",
                reply_to: "list",
                max_bytes: 2 * 1024 * 1024,
                rewrite_from: false,
            };
            lists::insert_list(tx.ex(), BENCH_LIST, None, &fields, now).await?
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// For each message number, the first message of its thread and the
/// message it answers (itself for a thread's first).
fn threads(count: usize) -> Vec<(usize, usize)> {
    let mut layout = Vec::with_capacity(count);
    let mut t = 0;
    while layout.len() < count {
        let root = layout.len();
        let length = 1 + (mix(t, 1) % 10) as usize;
        for i in 0..length.min(count - root) {
            let n = root + i;
            let parent = if i == 0 {
                n
            } else {
                // Mostly the message just before; sometimes an earlier one.
                let back = 1 + (mix(n, 2) % 3) as usize;
                n.saturating_sub(back).max(root)
            };
            layout.push((root, parent));
        }
        t += 1;
    }
    layout
}

fn message_id(n: usize) -> String {
    format!("<bench-{n}@bench.example.org>")
}

struct MadeUp {
    message_id: String,
    refs: Vec<String>,
    subject: String,
    from_name: String,
    from_email: String,
    sent_at: DateTime<Utc>,
    body: String,
    raw: Vec<u8>,
}

const TOPICS: [&str; 16] = [
    "Finding a venue for the spring meetup",
    "Speakers for the autumn series",
    "How do you get the word out?",
    "Sponsors for pizza and drinks",
    "Moving our meetings online",
    "A code of conduct for the group",
    "First meeting for beginners",
    "Lightning talks: how long?",
    "Recording talks on a budget",
    "Sharing a calendar with the other groups",
    "Our mailing list or a chat?",
    "Workshops for newcomers",
    "Hybrid meetings, lessons learned",
    "Keeping volunteers from burning out",
    "A room at the university library",
    "Welcoming people who come alone",
];

const FIRST: [&str; 12] = [
    "Ada", "Bruno", "Chidi", "Dana", "Eszter", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal",
    "Lena",
];

const LAST: [&str; 10] = [
    "Okafor", "Nakamura", "Silva", "Kowalski", "Haddad", "Jensen", "Moreau", "Rossi", "Tanaka",
    "Weber",
];

const SENTENCES: [&str; 14] = [
    "The venue near the station holds forty people and has a projector.",
    "We asked the library for a room; they want a booking six weeks ahead.",
    "Two speakers said yes for March, one on testing and one on packaging.",
    "A short post on the local forum brought more newcomers than any flyer.",
    "The community centre lets user groups use the hall for free on weekdays.",
    "Pizza for thirty came to about two hundred, which our sponsor covered.",
    "We start every meeting with five minutes of introductions.",
    "Recording with a phone on a tripod worked better than we expected.",
    "Lightning talks of five minutes keep the evening moving.",
    "Posting the date a month ahead doubled the number of people who came.",
    "The coworking space offered a room if we mention them in the announcement.",
    "Ask the speakers for their slides before the talk, in case the projector fails.",
    "A venue with step-free access matters more than a central one.",
    "We keep a list of past speakers and ask them to suggest the next ones.",
];

fn made_up_message(
    n: usize,
    root: usize,
    parent: usize,
    layout: &[(usize, usize)],
    sent_at: DateTime<Utc>,
) -> MadeUp {
    let topic = pick(&TOPICS, mix(root, 3));
    let subject = if root == n {
        topic.to_owned()
    } else {
        format!("Re: {topic}")
    };
    let writer = (mix(n, 4) % POSTERS as u64) as usize;
    let from_name = format!(
        "{} {}",
        pick(&FIRST, mix(writer, 5)),
        pick(&LAST, mix(writer, 6))
    );
    let from_email = format!("poster-{writer}@bench.example.org");
    // References: the thread from its first message down to the parent.
    let mut chain = Vec::new();
    if root != n {
        let mut at = parent;
        loop {
            chain.push(message_id(at));
            if at == root {
                break;
            }
            at = layout[at].1;
        }
        chain.reverse();
    }
    let mut body = String::new();
    if root != n {
        body.push_str("Thanks, that helps.\n\n");
    }
    let sentences = 2 + (mix(n, 7) % 5) as usize;
    for i in 0..sentences {
        body.push_str(pick(&SENTENCES, mix(n, 8 + i)));
        body.push(if i % 2 == 1 { '\n' } else { ' ' });
    }
    if mix(n, 30).is_multiple_of(5000) {
        body.push_str(&format!(
            "\nOur mascot, the {RARE_WORD}, will be on the banner again.\n"
        ));
    }
    body.push_str(&format!("\n{from_name}\n"));
    let message_id = message_id(n);
    let mut raw = format!(
        "From: {from_name} <{from_email}>\r\nTo: {BENCH_LIST}@example.org\r\nSubject: {subject}\r\nDate: {}\r\nMessage-ID: {message_id}\r\n",
        sent_at.to_rfc2822()
    );
    if let Some(p) = chain.last() {
        raw.push_str(&format!(
            "In-Reply-To: {p}\r\nReferences: {}\r\n",
            chain.join(" ")
        ));
    }
    raw.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
    raw.push_str(&body.replace('\n', "\r\n"));
    MadeUp {
        message_id,
        refs: chain,
        subject,
        from_name,
        from_email,
        sent_at,
        body,
        raw: raw.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_answer_an_earlier_message_of_their_own_thread() {
        let layout = threads(1000);
        assert_eq!(layout.len(), 1000);
        for (n, (root, parent)) in layout.iter().enumerate() {
            assert!(root <= parent && *parent <= n, "{n}: {root} {parent}");
            assert_eq!(layout[*root].0, *root);
        }
        assert!(layout.iter().filter(|(r, _)| *r == 0).count() >= 1);
        let roots = layout
            .iter()
            .enumerate()
            .filter(|(n, (r, _))| n == r)
            .count();
        assert!((100..=400).contains(&roots), "{roots} threads");
    }

    #[test]
    fn a_reply_references_its_thread_down_to_its_parent() {
        let layout = threads(50);
        let n = (0..50).find(|n| layout[*n].0 != *n).unwrap_or(1);
        let (root, parent) = layout[n];
        let m = made_up_message(n, root, parent, &layout, first_day());
        assert_eq!(m.refs.first(), Some(&message_id(root)));
        assert_eq!(m.refs.last(), Some(&message_id(parent)));
        assert!(m.subject.starts_with("Re: "));
        let text = String::from_utf8(m.raw).unwrap_or_default();
        assert!(text.contains(&format!("In-Reply-To: {}\r\n", message_id(parent))));
    }
}
