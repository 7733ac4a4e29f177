//! The emails the lists send on their own behalf (not list posts).

use crate::mail::templates::{Block, Rendered, hello, render};

/// Asks the sender of a `-join` mail to confirm the subscription.
pub fn confirm_subscription(site: &str, list: &str, address: &str, link: &str) -> Rendered {
    render(
        site,
        format!("Confirm your subscription to {list}"),
        &hello(None),
        &[
            Block::Para(format!(
                "Someone (probably you) asked to subscribe {address} to the mailing list {list} on {site}. To confirm, open this link; it works once and for 48 hours."
            )),
            Block::Button {
                label: "Confirm my subscription",
                url: link,
            },
            Block::Para(
                "If you did not ask for this, ignore this email and nothing will happen.".into(),
            ),
        ],
    )
}

/// Tells the sender of a `-leave` mail that the subscription ended.
pub fn left_list(site: &str, list: &str, address: &str, join: &str) -> Rendered {
    render(
        site,
        format!("You left {list}"),
        &hello(None),
        &[
            Block::Para(format!(
                "{address} no longer receives the mailing list {list} on {site}, as asked by an email to its leave address."
            )),
            Block::Para(format!(
                "If that was not you, or you change your mind, send an email to {join} to subscribe again."
            )),
        ],
    )
}

/// Tells a member that delivery paused because their address bounced,
/// and how to resume. They stay subscribed.
pub fn delivery_paused(site: &str, list: &str, address: &str, resume: &str) -> Rendered {
    render(
        site,
        format!("Delivery of {list} to you is paused"),
        &hello(None),
        &[
            Block::Para(format!(
                "Messages from the mailing list {list} to {address} have been coming back undelivered, so we paused sending them. You are still subscribed, and nothing was deleted."
            )),
            Block::Para(
                "Once your mailbox works again (full mailbox, moved address, spam filter), turn delivery back on here:".into(),
            ),
            Block::Button {
                label: "Resume delivery",
                url: resume,
            },
        ],
    )
}

/// Tells a moderator a post is waiting, and how to decide on it by
/// replying.
pub fn held_notice(
    site: &str,
    list: &str,
    subject: &str,
    from: &str,
    reason: &str,
    link: &str,
) -> Rendered {
    render(
        site,
        format!("A post to {list} waits for a moderator: {subject}"),
        &hello(None),
        &[
            Block::Para(format!(
                "{from} wrote to {list}, subject \"{subject}\". The post is held: {reason}"
            )),
            Block::Para(
                "Reply to this email with one line on top: approve, reject followed by the reason the writer will read, or discard. Or decide on the moderation page:".into(),
            ),
            Block::Button {
                label: "Open the moderation queue",
                url: link,
            },
        ],
    )
}

/// Tells a moderator what became of their emailed decision.
pub fn moderation_answer(site: &str, list: &str, what: &str) -> Rendered {
    render(
        site,
        format!("Your moderation reply to {list}"),
        &hello(None),
        &[Block::Para(what.to_owned())],
    )
}
