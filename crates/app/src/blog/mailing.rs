//! New posts by email: members subscribe to the whole blog or to one group's
//! posts, and each published post is mailed to them through the delivery
//! engine ([`crate::delivery`]), one job per post, with a one-click
//! unsubscribe link (RFC 8058) in every member's own copy.

use crate::delivery::{self, Copy, Ledger, Outcome};
use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::mail::{OutgoingEmail, templates};
use crate::{AppError, AppResult, Services};
use convene_domain::{Actor, InvalidInput};
use convene_store::deliveries::{self, Batch, BatchKind};
use convene_store::{Db, StoreError, Tx, groups, posts};
use serde::{Deserialize, Serialize};

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

/// Mails one published post to its subscribers, through the delivery
/// engine: its recipients are recorded in the ledger once, then each gets
/// their own copy (their own unsubscribe link), marked sent as the relay
/// takes it, so a rerun after a crash sends nobody a second copy (but for
/// at most one per relay connection, with the same Message-ID).
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
        let retry = |e: AppError| JobError::Retry(e.to_string());
        let svc = &ctx.services;
        let Some(post) = published(svc, self.post_id).await.map_err(retry)? else {
            return Ok(());
        };
        let mut tx = svc.db.begin().await.map_err(|e| retry(e.into()))?;
        record_recipients(&mut tx, svc, &post)
            .await
            .map_err(retry)?;
        tx.commit().await.map_err(|e| retry(e.into()))?;
        delivery::deliver(&ctx, PostMail::new(svc, post), "emails").await
    }
}

/// A published post and its group (slug and name), if it has one.
struct Published {
    post: posts::PostRow,
    group: Option<(String, String)>,
}

/// Post `post_id` if it is published.
async fn published(svc: &Services, post_id: i64) -> AppResult<Option<Published>> {
    let mut conn = svc.db.conn().await?;
    let Some(post) = posts::by_id(conn.ex(), post_id)
        .await?
        .filter(|p| p.state == "published")
    else {
        return Ok(None);
    };
    let group = match post.group_id {
        Some(id) => groups::by_id(conn.ex(), id)
            .await?
            .map(|g| (g.slug, g.name)),
        None => None,
    };
    Ok(Some(Published { post, group }))
}

/// Records the post's recipients in the delivery ledger, the first time
/// only: a later run (a retry, a crash) sends to the same members.
/// Returns how many were recorded now.
async fn record_recipients(tx: &mut Tx, svc: &Services, p: &Published) -> AppResult<u64> {
    let batch = Batch::new(BatchKind::Post, p.post.id);
    if deliveries::exists(tx.ex(), batch).await? {
        return Ok(0);
    }
    let group = p.group.as_ref().map(|g| g.0.as_str());
    Ok(posts::queue_mail(tx.ex(), p.post.id, group, svc.clock.now()).await?)
}

/// Records the post's recipients in the delivery ledger (once) and queues
/// its mailing; returns how many recipients were recorded now (none when
/// they already were, so a rerun sends nobody a second copy).
pub async fn fan_out(svc: &Services, post_id: i64) -> AppResult<usize> {
    let Some(post) = published(svc, post_id).await? else {
        return Ok(0);
    };
    let mut tx = svc.db.begin().await?;
    let recorded = record_recipients(&mut tx, svc, &post).await?;
    enqueue(&mut tx, svc, &MailNewPost { post_id }).await?;
    tx.commit().await?;
    Ok(usize::try_from(recorded).unwrap_or(usize::MAX))
}

/// A post's mail, as the delivery engine sends it: the same for every
/// member but for their name and unsubscribe link.
struct PostMail {
    post_id: i64,
    group: Option<(String, String)>,
    site_name: String,
    from: String,
    host: String,
    title: String,
    summary: String,
    link: String,
    unsubscribe_base: String,
    date: chrono::DateTime<chrono::Utc>,
}

impl PostMail {
    fn new(svc: &Services, p: Published) -> Self {
        let post = p.post;
        let summary = if post.summary.is_empty() {
            post.body.chars().take(400).collect::<String>()
        } else {
            post.summary.clone()
        };
        Self {
            post_id: post.id,
            group: p.group,
            site_name: svc.site.name.clone(),
            from: svc.site.mail_from.clone(),
            host: svc
                .site
                .base_url
                .host_str()
                .unwrap_or("localhost")
                .to_owned(),
            link: svc.site.link(&format!("/blog/{}", post.slug)),
            unsubscribe_base: svc.site.link("/unsubscribe/"),
            title: post.title,
            summary,
            date: svc.clock.now(),
        }
    }
}

impl Ledger for PostMail {
    type Queued = posts::QueuedPostMail;

    fn batch(&self) -> Batch {
        Batch::new(BatchKind::Post, self.post_id)
    }

    fn recipient(q: &posts::QueuedPostMail) -> i64 {
        q.user_id
    }

    fn attempts(q: &posts::QueuedPostMail) -> i64 {
        q.attempts
    }

    async fn claim(
        &self,
        db: &Db,
        after: i64,
        limit: i64,
    ) -> Result<Vec<posts::QueuedPostMail>, StoreError> {
        let mut conn = db.conn().await?;
        let group = self.group.as_ref().map(|g| g.0.as_str());
        posts::claim_mail(conn.ex(), self.post_id, group, after, limit).await
    }

    async fn prepare(&self, q: &posts::QueuedPostMail) -> Result<Copy, Outcome> {
        let (Some(scope), Some(token)) = (&q.scope, &q.token) else {
            return Err(Outcome::Skipped(
                "the member has unsubscribed since".to_owned(),
            ));
        };
        let unsubscribe = format!("{}{token}", self.unsubscribe_base);
        let what = match (&self.group, scope.is_empty()) {
            (Some((_, name)), false) => format!("posts about {name}"),
            _ => format!("new posts on {}", self.site_name),
        };
        let rendered = templates::new_post(
            &self.site_name,
            &q.display_name,
            &self.title,
            &self.summary,
            &self.link,
            &what,
            &unsubscribe,
        );
        let email = OutgoingEmail {
            from: self.from.clone(),
            from_name: self.site_name.clone(),
            to: q.email.clone(),
            to_name: Some(q.display_name.clone()),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            message_id: format!("<post-{}-{}@{}>", self.post_id, q.user_id, self.host),
            date: self.date,
            reply_to: None,
            calendar: None,
            unsubscribe: Some(unsubscribe),
        };
        match email.validate() {
            Ok(()) => Ok(Copy::Email(Box::new(email))),
            Err(e) => Err(Outcome::Refused {
                error: e.to_string(),
                permanent: true,
            }),
        }
    }
}
