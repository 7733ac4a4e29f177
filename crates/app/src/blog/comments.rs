//! Comments on published posts: members write them, a new account's first
//! comment waits for a moderator, readers report, moderators (coordinators,
//! and the organizers of the post's group) approve, hide, mark as spam or
//! bar the writer, and the post's authors get an email for each comment
//! that is shown.

use crate::mail::{queue_email, templates};
use crate::rate_limit::{self, Limit};
use crate::{AppError, AppResult, Services};
use chrono::Duration;
use convene_domain::{Action, Actor, InvalidInput, authorize};
use convene_store::comments::{self as store, CommentRow};
use convene_store::{Tx, posts, users};

/// Longest comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 5_000;

/// A form filled faster than this is taken for a bot.
pub const MIN_FILL_SECONDS: i64 = 3;

/// Comments per account and per address.
pub const COMMENT: Limit = Limit {
    name: "comment",
    max: 10,
    window: Duration::minutes(10),
};

/// What a comment form sends besides the text.
#[derive(Debug, Clone, Default)]
pub struct BotChecks {
    /// The hidden field people leave empty.
    pub honeypot: String,
    /// Seconds between showing the form and sending it.
    pub seconds_to_fill: i64,
    /// The sender's IP address.
    pub ip: String,
}

impl BotChecks {
    /// For a client that signs in with an API token: there is no form, so
    /// the honeypot and fill-time checks do not apply; the address still
    /// counts towards the rate limits.
    pub fn without_form(ip: String) -> Self {
        Self {
            honeypot: String::new(),
            seconds_to_fill: MIN_FILL_SECONDS,
            ip,
        }
    }
}

/// Where a new comment went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commented {
    /// Shown at once.
    Visible,
    /// Waiting for a moderator (a new account's first comment).
    Held,
}

/// A member comments on the published post `slug`.
pub async fn add_comment(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    body: &str,
    bot: &BotChecks,
) -> AppResult<Commented> {
    if !bot.honeypot.trim().is_empty() || bot.seconds_to_fill < MIN_FILL_SECONDS {
        return Err(InvalidInput::new(
            "body",
            "That was too quick to be typed by a person. Wait a moment and send it again.",
        )
        .into());
    }
    let body = body.trim().replace("\r\n", "\n");
    if body.is_empty() {
        return Err(InvalidInput::new("body", "Write something first.").into());
    }
    if body.chars().count() > MAX_COMMENT_CHARS {
        return Err(InvalidInput::new(
            "body",
            format!("Keep a comment under {MAX_COMMENT_CHARS} characters."),
        )
        .into());
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(InvalidInput::new(
            "body",
            "The comment holds control characters; remove them.",
        )
        .into());
    }
    let body_html = crate::markdown::render_off_thread(body.clone(), "body").await?;
    let mut conn = svc.db.conn().await?;
    let post = posts::by_slug(conn.ex(), slug)
        .await?
        .filter(|p| p.state == "published" || p.state == "unlisted")
        .ok_or(AppError::NotFound(
            "There is no published post at this address.",
        ))?;
    if store::is_banned(conn.ex(), actor.user_id).await? {
        return Err(convene_domain::Denied::Forbidden.into());
    }
    drop(conn);
    rate_limit::check(
        svc,
        COMMENT,
        &[
            &format!("account:{}", actor.user_id),
            &format!("ip:{}", bot.ip),
        ],
    )
    .await?;
    let mut tx = svc.db.begin().await?;
    let trusted =
        actor.is_coordinator() || store::count_visible_by(tx.ex(), actor.user_id).await? > 0;
    let state = if trusted { "visible" } else { "held" };
    let id = store::insert(
        tx.ex(),
        post.id,
        actor.user_id,
        (&body, Some(&body_html)),
        state,
        svc.clock.now(),
    )
    .await?;
    if trusted {
        notify_authors(&mut tx, svc, id).await?;
    }
    tx.commit().await?;
    Ok(if trusted {
        Commented::Visible
    } else {
        Commented::Held
    })
}

async fn notify_authors(tx: &mut Tx, svc: &Services, comment_id: i64) -> AppResult<()> {
    let Some(c) = store::by_id(tx.ex(), comment_id).await? else {
        return Ok(());
    };
    let link = svc
        .site
        .link(&format!("/blog/{}#comment-{}", c.post_slug, c.id));
    for (id, _) in posts::authors(tx.ex(), c.post_id).await? {
        if Some(id) == c.user_id {
            continue;
        }
        if let Some(u) = users::by_id(tx.ex(), id).await? {
            let mail = templates::new_comment(
                &svc.site.name,
                &u.display_name,
                &c.post_title,
                &c.author,
                &c.body,
                &link,
            );
            queue_email(tx, svc, &u.email, Some(&u.display_name), mail).await?;
        }
    }
    Ok(())
}

/// A post's visible comments.
pub async fn comments(svc: &Services, post_id: i64) -> AppResult<Vec<CommentRow>> {
    let mut conn = svc.db.conn().await?;
    Ok(store::visible(conn.ex(), post_id).await?)
}

/// A comment's body as sanitised HTML: rendered when it was written, or
/// (for a comment older than that) now, once, and kept.
pub async fn comment_html(svc: &Services, c: &CommentRow) -> AppResult<String> {
    if let Some(html) = &c.body_html {
        return Ok(crate::markdown::without_embeds(html));
    }
    let html = crate::markdown::render_off_thread_unchecked(c.body.clone()).await?;
    let mut conn = svc.db.conn().await?;
    if let Err(e) = store::keep_body_html(conn.ex(), c.id, &html).await {
        tracing::warn!(comment = c.id, error = %e, "could not keep a comment's rendered HTML");
    }
    Ok(html)
}

/// A reader reports a comment to the moderators.
pub async fn report_comment(svc: &Services, actor: &Actor, id: i64) -> AppResult<()> {
    rate_limit::check(svc, COMMENT, &[&format!("report:{}", actor.user_id)]).await?;
    let mut tx = svc.db.begin().await?;
    store::report(tx.ex(), id).await?;
    tx.commit().await?;
    Ok(())
}

fn may_moderate(actor: &Actor, c: &CommentRow) -> AppResult<()> {
    authorize(
        Some(actor),
        &Action::ModerateComments {
            group: c.post_group_id,
        },
    )?;
    Ok(())
}

/// The comments waiting for `actor` to moderate.
pub async fn moderation_queue(svc: &Services, actor: &Actor) -> AppResult<Vec<CommentRow>> {
    let mut tx = svc.db.begin().await?;
    let all = store::queue(tx.ex()).await?;
    let mut mine = Vec::new();
    for c in all {
        if may_moderate(actor, &c).is_ok() {
            mine.push(c);
        }
    }
    Ok(mine)
}

/// A moderator's decision on a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Show it (its writer's later comments are shown at once).
    Approve,
    /// Hide it.
    Hide,
    /// Hide it as spam.
    Spam,
    /// Hide it and every waiting comment of its writer, and bar them from commenting.
    Ban,
}

impl Moderation {
    /// Parses the form's value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approve" => Some(Moderation::Approve),
            "hide" => Some(Moderation::Hide),
            "spam" => Some(Moderation::Spam),
            "ban" => Some(Moderation::Ban),
            _ => None,
        }
    }
}

/// A moderator decides on comment `id`.
pub async fn moderate(
    svc: &Services,
    actor: &Actor,
    id: i64,
    decision: Moderation,
) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    let c = store::by_id(tx.ex(), id)
        .await?
        .ok_or(AppError::NotFound("There is no such comment."))?;
    may_moderate(actor, &c)?;
    let now = svc.clock.now();
    match decision {
        Moderation::Approve => {
            store::moderate(tx.ex(), id, "visible", actor.user_id, now).await?;
            if c.state == "held" {
                notify_authors(&mut tx, svc, id).await?;
            }
        }
        Moderation::Hide => {
            store::moderate(tx.ex(), id, "hidden", actor.user_id, now).await?;
        }
        Moderation::Spam => {
            store::moderate(tx.ex(), id, "spam", actor.user_id, now).await?;
        }
        Moderation::Ban => match (c.user_id, &c.remote_actor) {
            (Some(writer), _) => store::ban(tx.ex(), writer, actor.user_id, now).await?,
            // A reply from the fediverse: its writer is blocked here.
            (None, Some(remote)) => {
                convene_store::federation::block(
                    tx.ex(),
                    remote,
                    "actor",
                    &format!("banned from commenting on {}", c.post_title),
                    Some(actor.user_id),
                    now,
                )
                .await?;
            }
            (None, None) => {}
        },
    }
    tx.commit().await?;
    Ok(())
}
