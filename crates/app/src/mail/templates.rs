//! The emails convene sends, each as a text and an HTML part.
//!
//! Every value that came from a person is HTML-escaped in the HTML part;
//! header values are checked by [`super::OutgoingEmail::validate`].

/// A rendered email body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One paragraph of an email, either plain words or a call to action.
pub(crate) enum Block<'a> {
    Para(String),
    Button { label: &'a str, url: &'a str },
}

pub(crate) fn render(
    site_name: &str,
    subject: String,
    greeting: &str,
    blocks: &[Block<'_>],
) -> Rendered {
    let mut text = format!("{greeting}\n\n");
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family: system-ui, sans-serif; line-height: 1.5; max-width: 36em\">\n<p>{}</p>\n",
        escape_html(greeting)
    );
    for block in blocks {
        match block {
            Block::Para(p) => {
                text.push_str(p);
                text.push_str("\n\n");
                html.push_str(&format!("<p>{}</p>\n", escape_html(p)));
            }
            Block::Button { label, url } => {
                text.push_str(&format!("{label}:\n{url}\n\n"));
                html.push_str(&format!(
                    "<p><a href=\"{}\" style=\"display: inline-block; padding: .6em 1.2em; background: #1d4ed8; color: #fff; border-radius: .3em; text-decoration: none\">{}</a></p>\n<p style=\"font-size: .9em\">Or copy this link: {}</p>\n",
                    escape_html(url),
                    escape_html(label),
                    escape_html(url)
                ));
            }
        }
    }
    text.push_str(&format!("-- \n{site_name}\n"));
    html.push_str(&format!(
        "<p style=\"color: #555; font-size: .9em\">— {}</p>\n</body></html>\n",
        escape_html(site_name)
    ));
    Rendered {
        subject,
        text,
        html,
    }
}

pub(crate) fn hello(name: Option<&str>) -> String {
    match name {
        Some(n) => format!("Hello {n},"),
        None => "Hello,".to_owned(),
    }
}

/// Asks a new member to confirm their address.
pub fn verify_email(site: &str, name: &str, link: &str) -> Rendered {
    render(
        site,
        format!("Confirm your email address for {site}"),
        &hello(Some(name)),
        &[
            Block::Para(format!(
                "Thank you for joining {site}. Please confirm that this address is yours; the link works once and for 48 hours."
            )),
            Block::Button {
                label: "Confirm my address",
                url: link,
            },
            Block::Para(
                "If you did not sign up, ignore this email and nothing will happen.".into(),
            ),
        ],
    )
}

/// Tells the owner of an address that someone tried to sign up with it again.
pub fn already_registered(site: &str, name: &str, signin: &str, reset: &str) -> Rendered {
    render(
        site,
        format!("You already have an account on {site}"),
        &hello(Some(name)),
        &[
            Block::Para("Someone (probably you) tried to create a new account with this address, which already has one.".into()),
            Block::Button { label: "Sign in", url: signin },
            Block::Para(format!("Forgot your password? You can choose a new one at {reset}")),
        ],
    )
}

/// A one-time sign-in link.
pub fn magic_link(site: &str, name: &str, link: &str) -> Rendered {
    render(
        site,
        format!("Your sign-in link for {site}"),
        &hello(Some(name)),
        &[
            Block::Para("Here is the sign-in link you asked for. It works once and for 15 minutes.".into()),
            Block::Button { label: "Sign in", url: link },
            Block::Para("If you did not ask for it, ignore this email; nobody can sign in without the link.".into()),
        ],
    )
}

/// A password reset link.
pub fn password_reset(site: &str, name: &str, link: &str) -> Rendered {
    render(
        site,
        format!("Choose a new password for {site}"),
        &hello(Some(name)),
        &[
            Block::Para("Someone asked to reset the password of your account. The link works once and for one hour.".into()),
            Block::Button { label: "Choose a new password", url: link },
            Block::Para("If it was not you, ignore this email: your password stays as it is.".into()),
        ],
    )
}

/// An invitation to a role.
pub fn invitation(site: &str, inviter: &str, what: &str, link: &str, expires: &str) -> Rendered {
    render(
        site,
        format!("{inviter} invites you to be {what} on {site}"),
        &hello(None),
        &[
            Block::Para(format!("{inviter} invites you to be {what} on {site}.")),
            Block::Button {
                label: "Accept the invitation",
                url: link,
            },
            Block::Para(format!(
                "The link works once, until {expires}. If you do not know {inviter} or do not want this, ignore this email."
            )),
        ],
    )
}

/// The proposer hears that their group is listed.
pub fn proposal_approved(site: &str, name: &str, group: &str, link: &str) -> Rendered {
    render(
        site,
        format!("{group} is now listed on {site}"),
        &hello(Some(name)),
        &[
            Block::Para(format!(
                "A coordinator approved the group you proposed, {group}. It is now in the directory."
            )),
            Block::Button {
                label: "See the entry",
                url: link,
            },
        ],
    )
}

/// The proposer hears why their group was not listed.
pub fn proposal_rejected(site: &str, name: &str, group: &str, reason: &str) -> Rendered {
    render(
        site,
        format!("About the group you proposed on {site}"),
        &hello(Some(name)),
        &[
            Block::Para(format!(
                "A coordinator looked at the group you proposed, {group}, and did not list it. The reason they gave:"
            )),
            Block::Para(reason.to_owned()),
            Block::Para(
                "You are welcome to propose it again with the changes they ask for.".into(),
            ),
        ],
    )
}

/// Asks an organizer to confirm their group's entry is still right.
pub fn confirm_group(site: &str, name: &str, group: &str, confirm: &str, edit: &str) -> Rendered {
    render(
        site,
        format!("Is {group} still meeting? Please confirm its entry on {site}"),
        &hello(Some(name)),
        &[
            Block::Para(format!("Twice a year we ask organizers whether their group's entry is still right, so that newcomers can trust the directory. If {group} still meets as its entry says, one click is enough:")),
            Block::Button { label: "Yes, the entry is right", url: confirm },
            Block::Para(format!("If something changed (place, time, links, or the group paused), please update the entry: {edit}")),
            Block::Para("Entries nobody confirms for a year are marked \"possibly inactive\". The link works once, for 30 days.".into()),
        ],
    )
}

/// A visitor's message to a group's organizers, sent through the site so
/// that no organizer's address is published.
pub fn contact_organizers(
    site: &str,
    group: &str,
    sender: &str,
    sender_email: &str,
    message: &str,
) -> Rendered {
    render(
        site,
        format!("{sender} writes to {group} through {site}"),
        &hello(None),
        &[
            Block::Para(format!(
                "{sender} <{sender_email}> used the contact form of {group} on {site} and wrote:"
            )),
            Block::Para(message.to_owned()),
            Block::Para(format!(
                "Reply to this email to answer {sender} directly. Your own address stays private until you do."
            )),
        ],
    )
}

/// A member hears where their RSVP left them; the event is attached.
pub fn rsvp_answered(
    site: &str,
    name: &str,
    event: &str,
    when: &str,
    state: &str,
    link: &str,
) -> Rendered {
    let (subject, line) = match state {
        "going" => (
            format!("You are going: {event}"),
            format!(
                "Your seat at {event} ({when}) is reserved. The event is attached; add it to your calendar."
            ),
        ),
        "waitlisted" => (
            format!("You are on the waitlist: {event}"),
            format!(
                "Every seat at {event} ({when}) is taken, so you are on the waitlist. If a seat frees up, it is yours and we will email you."
            ),
        ),
        _ => (
            format!("Your answer: {event}"),
            format!("We noted your answer for {event} ({when})."),
        ),
    };
    render(
        site,
        subject,
        &hello(Some(name)),
        &[
            Block::Para(line),
            Block::Button {
                label: "See the event or change your answer",
                url: link,
            },
        ],
    )
}

/// A waitlisted member hears that a seat freed up and is now theirs.
pub fn waitlist_promoted(site: &str, name: &str, event: &str, when: &str, link: &str) -> Rendered {
    render(
        site,
        format!("A seat freed up: you are going to {event}"),
        &hello(Some(name)),
        &[
            Block::Para(format!(
                "Someone cancelled, so you moved up from the waitlist: your seat at {event} ({when}) is reserved. The event is attached."
            )),
            Block::Button {
                label: "See the event or give the seat back",
                url: link,
            },
        ],
    )
}

/// A post's authors hear that a coordinator sent it back, and why.
pub fn post_sent_back(site: &str, name: &str, title: &str, note: &str, link: &str) -> Rendered {
    render(
        site,
        format!("Your post needs a change: {title}"),
        &hello(Some(name)),
        &[
            Block::Para(format!(
                "A coordinator read your post \u{201c}{title}\u{201d} and sent it back with this note:"
            )),
            Block::Para(note.to_owned()),
            Block::Button {
                label: "Change the post",
                url: link,
            },
        ],
    )
}

/// A post's author hears of a new comment shown under it.
pub fn new_comment(
    site: &str,
    name: &str,
    title: &str,
    writer: &str,
    body: &str,
    link: &str,
) -> Rendered {
    let excerpt: String = body.chars().take(500).collect();
    render(
        site,
        format!("New comment on \u{201c}{title}\u{201d}"),
        &hello(Some(name)),
        &[
            Block::Para(format!(
                "{writer} commented on your post \u{201c}{title}\u{201d}:"
            )),
            Block::Para(excerpt),
            Block::Button {
                label: "Read it on the post",
                url: link,
            },
        ],
    )
}

/// A subscriber gets a newly published post.
pub fn new_post(
    site: &str,
    name: &str,
    title: &str,
    summary: &str,
    link: &str,
    what: &str,
    unsubscribe: &str,
) -> Rendered {
    render(
        site,
        title.to_owned(),
        &hello(Some(name)),
        &[
            Block::Para(summary.to_owned()),
            Block::Button {
                label: "Read the whole post",
                url: link,
            },
            Block::Para(format!(
                "You get this because you subscribed to {what}. To stop, open {unsubscribe}"
            )),
        ],
    )
}

/// Asks a visitor to confirm a weekly "what's on" subscription.
pub fn confirm_weekly(site: &str, name: Option<&str>, what: &str, link: &str) -> Rendered {
    render(
        site,
        format!("Confirm your weekly email from {site}"),
        &hello(name),
        &[
            Block::Para(format!(
                "Someone (we hope you) asked for a weekly email of what is on {what}. Nothing is sent until you confirm."
            )),
            Block::Button {
                label: "Confirm the weekly email",
                url: link,
            },
            Block::Para(
                "The link works for 7 days. If you did not ask for this, ignore this email."
                    .to_owned(),
            ),
        ],
    )
}

/// The weekly "what's on" email: the coming meetings, with their times in
/// the subscriber's zone, and the new posts.
pub fn weekly_digest(
    site: &str,
    name: Option<&str>,
    digest: &crate::weekly::WeeklyDigest,
    manage: &str,
    unsubscribe: &str,
) -> Rendered {
    let greeting = hello(name);
    let zone = digest.time_zone.name().replace('_', " ");
    let intro = format!(
        "What is on {} from {} to {}. Times are in {zone}.",
        digest.area.long(),
        digest
            .from
            .with_timezone(&digest.time_zone)
            .format("%a %-d %b"),
        digest
            .to
            .with_timezone(&digest.time_zone)
            .format("%a %-d %b %Y"),
    );
    let mut text = format!("{greeting}\n\n{intro}\n\n");
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family: system-ui, sans-serif; line-height: 1.5; max-width: 40em\">\n<p>{}</p>\n<p>{}</p>\n",
        escape_html(&greeting),
        escape_html(&intro)
    );
    if digest.events.is_empty() {
        text.push_str("No meetings are announced for the next two weeks.\n\n");
        html.push_str("<p>No meetings are announced for the next two weeks.</p>\n");
    } else {
        text.push_str("MEETINGS\n\n");
        html.push_str(
            "<h2 style=\"font-size: 1.2em\">Meetings</h2>\n<ul style=\"padding-left: 1.2em\">\n",
        );
        for e in &digest.events {
            let by: Vec<&str> = [e.group.as_deref().unwrap_or(""), e.place.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            text.push_str(&format!("* {}\n  {}\n", e.title, e.when));
            if !by.is_empty() {
                text.push_str(&format!("  {}\n", by.join(" · ")));
            }
            text.push_str(&format!("  {}\n\n", e.link));
            html.push_str(&format!(
                "<li style=\"margin-bottom: .8em\"><a href=\"{}\"><strong>{}</strong></a><br>{}{}</li>\n",
                escape_html(&e.link),
                escape_html(&e.title),
                escape_html(&e.when),
                if by.is_empty() {
                    String::new()
                } else {
                    format!("<br>{}", escape_html(&by.join(" · ")))
                }
            ));
        }
        html.push_str("</ul>\n");
    }
    if !digest.posts.is_empty() {
        text.push_str("NEW POSTS\n\n");
        html.push_str(
            "<h2 style=\"font-size: 1.2em\">New posts</h2>\n<ul style=\"padding-left: 1.2em\">\n",
        );
        for p in &digest.posts {
            text.push_str(&format!(
                "* {} ({})\n  {}\n  {}\n\n",
                p.title, p.group, p.summary, p.link
            ));
            html.push_str(&format!(
                "<li style=\"margin-bottom: .8em\"><a href=\"{}\"><strong>{}</strong></a> ({})<br>{}</li>\n",
                escape_html(&p.link),
                escape_html(&p.title),
                escape_html(&p.group),
                escape_html(&p.summary)
            ));
        }
        html.push_str("</ul>\n");
    }
    let footer = format!(
        "You get this because you subscribed to the weekly email of what is on {}. Change your subscriptions at {manage}. To stop, open {unsubscribe}",
        digest.area.long()
    );
    text.push_str(&format!("{footer}\n\n-- \n{site}\n"));
    html.push_str(&format!(
        "<p style=\"color: #555; font-size: .9em\">You get this because you subscribed to the weekly email of what is on {}. <a href=\"{}\">Change your subscriptions</a> or <a href=\"{}\">unsubscribe</a>.</p>\n<p style=\"color: #555; font-size: .9em\">— {}</p>\n</body></html>\n",
        escape_html(&digest.area.long()),
        escape_html(manage),
        escape_html(unsubscribe),
        escape_html(site)
    ));
    Rendered {
        subject: digest.subject(),
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped_in_html_but_kept_in_text() {
        let r = invitation(
            "Python Groups",
            "Eve <script>alert(1)</script>",
            "an organizer of pug-boston",
            "https://groups.example.org/invitations/abc?x=1&y=2",
            "2026-12-03 15:00 UTC",
        );
        assert!(r.html.contains("Eve &lt;script&gt;"));
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("x=1&amp;y=2"));
        assert!(r.text.contains("Eve <script>alert(1)</script> invites you"));
        assert!(
            r.text
                .contains("https://groups.example.org/invitations/abc?x=1&y=2")
        );
        assert_eq!(
            r.subject,
            "Eve <script>alert(1)</script> invites you to be an organizer of pug-boston on Python Groups"
        );
    }
}
