//! New posts by email: members subscribe to the whole blog or to one group's
//! posts, and each published post is mailed to them through the job queue,
//! with a one-click unsubscribe link (RFC 8058) in every message.

use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::mail::{OutgoingEmail, SendEmail, templates};
use crate::{AppError, AppResult, Services};
use convene_domain::{Actor, InvalidInput};
use convene_store::{Tx, groups, posts, users};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A member subscribes to new posts: all of them (`group` `None`) or one group's.
pub async fn subscribe(svc: &Services, actor: &Actor, group: Option<&str>) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    let scope = match group.map(str::trim).filter(|g| !g.is_empty()) {
        None => String::new(),
        Some(slug) => groups::by_slug(tx.ex(), slug)
            .await?
            .filter(|g| g.approval == "approved")
            .map(|g| g.slug)
            .ok_or_else(|| {
                InvalidInput::new("group", "There is no listed group with that address.")
            })?,
    };
    let token = svc.tokens.new_token();
    posts::subscribe(
        tx.ex(),
        actor.user_id,
        &scope,
        token.expose(),
        svc.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the subscription behind an unsubscribe link; returns its scope
/// (empty for the whole blog, else the group's slug).
pub async fn unsubscribe(svc: &Services, token: &str) -> AppResult<String> {
    let mut tx = svc.db.begin().await?;
    let scope = posts::unsubscribe(tx.ex(), token.trim())
        .await?
        .ok_or(AppError::LinkSpent("This subscription has already ended."))?;
    tx.commit().await?;
    Ok(scope)
}

/// A member's subscriptions ('' for the whole blog, else group slugs).
pub async fn subscriptions(svc: &Services, user_id: i64) -> AppResult<Vec<String>> {
    let mut conn = svc.db.conn().await?;
    Ok(posts::subscriptions_of(conn.ex(), user_id).await?)
}

/// Queues the mailing of a newly published post, once per post.
pub(super) async fn queue_mailing(tx: &mut Tx, svc: &Services, post_id: i64) -> AppResult<()> {
    enqueue(tx, svc, &MailNewPost { post_id }).await?;
    Ok(())
}

/// Mails one published post to its subscribers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailNewPost {
    /// The post.
    pub post_id: i64,
}

impl BackgroundJob for MailNewPost {
    const KIND: &'static str = "mail_new_post";
    const MAX_ATTEMPTS: i64 = 5;

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("post-mail:{}", self.post_id))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        fan_out(&ctx.services, self.post_id)
            .await
            .map(|_| ())
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

/// Queues one email per subscriber. Each message's id is fixed by post and
/// member, so a rerun after a crash queues nobody twice.
pub async fn fan_out(svc: &Services, post_id: i64) -> AppResult<usize> {
    let mut tx = svc.db.begin().await?;
    let Some(post) = posts::by_id(tx.ex(), post_id)
        .await?
        .filter(|p| p.state == "published")
    else {
        return Ok(0);
    };
    let group = match post.group_id {
        Some(id) => groups::by_id(tx.ex(), id).await?.map(|g| (g.slug, g.name)),
        None => None,
    };
    let subscribers = posts::subscribers(tx.ex(), group.as_ref().map(|g| g.0.as_str())).await?;
    let host = svc
        .site
        .base_url
        .host_str()
        .unwrap_or("localhost")
        .to_owned();
    let link = svc.site.link(&format!("/blog/{}", post.slug));
    let summary = if post.summary.is_empty() {
        post.body.chars().take(400).collect::<String>()
    } else {
        post.summary.clone()
    };
    let mut seen = HashSet::new();
    let mut sent = 0;
    for s in subscribers {
        if !seen.insert(s.user_id) {
            continue;
        }
        let Some(user) = users::by_id(tx.ex(), s.user_id).await? else {
            continue;
        };
        let unsubscribe = svc.site.link(&format!("/unsubscribe/{}", s.token));
        let what = match (&group, s.scope.is_empty()) {
            (Some((_, name)), false) => format!("posts about {name}"),
            _ => format!("new posts on {}", svc.site.name),
        };
        let rendered = templates::new_post(
            &svc.site.name,
            &user.display_name,
            &post.title,
            &summary,
            &link,
            &what,
            &unsubscribe,
        );
        let email = OutgoingEmail {
            from: svc.site.mail_from.clone(),
            from_name: svc.site.name.clone(),
            to: user.email.clone(),
            to_name: Some(user.display_name.clone()),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            message_id: format!("<post-{}-{}@{host}>", post.id, user.id),
            date: svc.clock.now(),
            reply_to: None,
            calendar: None,
            unsubscribe: Some(unsubscribe),
        };
        email.validate()?;
        if enqueue(&mut tx, svc, &SendEmail { email }).await?.is_some() {
            sent += 1;
        }
    }
    tx.commit().await?;
    Ok(sent)
}
