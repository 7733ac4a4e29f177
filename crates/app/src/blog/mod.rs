//! The shared blog: organizers write posts (meeting reports, announcements,
//! stories), a substance check holds back posts that only give logistics,
//! untrusted authors' posts wait for a coordinator, and published posts are
//! listed by group, kind and tag.

mod comments;
mod mailing;
mod seed;

pub use comments::{
    BotChecks, COMMENT, Commented, MAX_COMMENT_CHARS, MIN_FILL_SECONDS, Moderation, add_comment,
    comment_html, comments, moderate, moderation_queue, report_comment,
};
pub use mailing::{MailNewPost, fan_out, subscribe, subscriptions, unsubscribe};
pub use seed::{BlogSeeded, BlogSize, KNOWN_POST, KNOWN_POST_COMMENTS, seed_blog};

use crate::mail::{queue_email, templates};
use crate::{AppError, AppResult, Services};
use convene_domain::posts::{self, PostKind, PostState};
use convene_domain::{Action, Actor, InvalidInput, authorize};
use convene_store::groups;
use convene_store::posts::{self as store, Listing, Page, PostFields, PostRow};
use convene_store::{StoreError, Tx, users};

/// What an author types.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PostInput {
    /// Title.
    pub title: String,
    /// Plain-text summary (optional; the start of the body is used otherwise).
    pub summary: String,
    /// Markdown body.
    pub body: String,
    /// meeting_report, announcement, how_we_started, typical_meeting, interview or article.
    pub kind: String,
    /// The group's slug, or empty for the whole community.
    pub group: String,
    /// Cover image URL, or empty.
    pub cover_image: String,
    /// Tags, separated by commas or spaces.
    pub tags: String,
}

struct ValidPost {
    title: String,
    summary: String,
    body: String,
    body_html: String,
    kind: PostKind,
    group_id: Option<i64>,
    group_slug: Option<String>,
    cover_image: String,
    tags: Vec<String>,
}

impl ValidPost {
    fn fields(&self) -> PostFields<'_> {
        PostFields {
            title: &self.title,
            summary: &self.summary,
            body: &self.body,
            body_html: Some(&self.body_html),
            kind: self.kind.as_str(),
            group_id: self.group_id,
            cover_image: &self.cover_image,
        }
    }
}

/// Checks the body and renders it, off the async threads (the one slow
/// part of saving a post), before any transaction starts.
async fn render_body(input: &PostInput) -> AppResult<String> {
    posts::check_body(&input.body)?;
    crate::markdown::render_off_thread(input.body.replace("\r\n", "\n"), "body").await
}

async fn validate(tx: &mut Tx, input: &PostInput, body_html: String) -> AppResult<ValidPost> {
    let title = posts::check_title(&input.title)?;
    let summary = posts::check_summary(&input.summary)?.unwrap_or_default();
    posts::check_body(&input.body)?;
    let kind = PostKind::parse(&input.kind)
        .ok_or_else(|| InvalidInput::new("kind", "Choose what kind of post this is."))?;
    let (group_id, group_slug) = match input.group.trim() {
        "" => (None, None),
        slug => {
            let g = groups::by_slug(tx.ex(), slug)
                .await?
                .filter(|g| g.approval == "approved")
                .ok_or_else(|| {
                    InvalidInput::new(
                        "group",
                        "There is no listed group with that address; leave it empty for a post about the whole community.",
                    )
                })?;
            (Some(g.id), Some(g.slug))
        }
    };
    let cover_image = match input.cover_image.trim() {
        "" => String::new(),
        url => {
            let u = convene_domain::groups::check_url("cover_image", url)?;
            if !u.starts_with("https://") && !u.starts_with("http://") {
                return Err(InvalidInput::new(
                    "cover_image",
                    "Give the image's web address (https://...).",
                )
                .into());
            }
            u
        }
    };
    Ok(ValidPost {
        title,
        summary,
        body: input.body.replace("\r\n", "\n"),
        body_html,
        kind,
        group_id,
        group_slug,
        cover_image,
        tags: posts::parse_tags(&input.tags)?,
    })
}

/// A post with what pages show beside it.
#[derive(Debug, Clone)]
pub struct Post {
    /// The stored post.
    pub row: PostRow,
    /// Its kind.
    pub kind: PostKind,
    /// Its state.
    pub state: PostState,
    /// Authors: id and name.
    pub authors: Vec<(i64, String)>,
    /// Tags.
    pub tags: Vec<String>,
    /// Its group: slug and name.
    pub group: Option<(String, String)>,
}

impl Post {
    /// True if `actor` wrote it.
    pub fn is_author(&self, actor: Option<&Actor>) -> bool {
        actor.is_some_and(|a| self.authors.iter().any(|(id, _)| *id == a.user_id))
    }

    /// True if `actor` may change it.
    pub fn editable_by(&self, actor: Option<&Actor>) -> bool {
        authorize(
            actor,
            &Action::EditPost {
                group: self.row.group_id,
                is_author: self.is_author(actor),
            },
        )
        .is_ok()
    }

    /// True if anyone may read it.
    pub fn is_public(&self) -> bool {
        matches!(self.state, PostState::Published | PostState::Unlisted)
    }

    /// True if `actor` may read it: anyone a public post, its authors and
    /// coordinators every post.
    pub fn readable_by(&self, actor: Option<&Actor>) -> bool {
        self.is_public()
            || self.state == PostState::Archived
            || self.is_author(actor)
            || actor.is_some_and(Actor::is_coordinator)
    }
}

async fn load(tx: &mut convene_store::Ex<'_>, row: PostRow) -> AppResult<Post> {
    let kind = PostKind::parse(&row.kind)
        .ok_or_else(|| AppError::Internal(format!("post {} has kind {}", row.id, row.kind)))?;
    let state = PostState::parse(&row.state)
        .ok_or_else(|| AppError::Internal(format!("post {} has state {}", row.id, row.state)))?;
    let authors = store::authors(tx.reborrow(), row.id).await?;
    let tags = store::tags(tx.reborrow(), row.id).await?;
    let group = match row.group_id {
        Some(id) => groups::by_id(tx.reborrow(), id)
            .await?
            .map(|g| (g.slug, g.name)),
        None => None,
    };
    Ok(Post {
        row,
        kind,
        state,
        authors,
        tags,
        group,
    })
}

/// The post at `/blog/{slug}`, if `actor` may read it (drafts and posts in
/// review only for their authors and coordinators).
pub async fn post(svc: &Services, actor: Option<&Actor>, slug: &str) -> AppResult<Post> {
    let mut conn = svc.db.conn().await?;
    let row = store::by_slug(conn.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no post at this address."))?;
    let mut ex = conn.ex();
    let post = load(&mut ex, row).await?;
    if post.readable_by(actor) {
        Ok(post)
    } else {
        Err(AppError::NotFound("There is no post at this address."))
    }
}

/// Which posts a client lists, and which page of them.
#[derive(Debug, Clone, Copy)]
pub struct PostQuery<'a> {
    /// Published, or (for their authors and coordinators) drafts or posts in review.
    pub state: PostState,
    /// Which of them.
    pub listing: Listing<'a>,
    /// Start after the post with this slug (the last one of the previous page).
    pub after: Option<&'a str>,
    /// The most to return.
    pub limit: i64,
    /// How many to skip.
    pub offset: i64,
}

/// A page of posts in one state, newest first. Published posts are listed
/// for anyone; drafts and posts in review only as far as `actor` may read
/// them: every one for coordinators, their own for authors.
pub async fn list_posts(
    svc: &Services,
    actor: Option<&Actor>,
    q: &PostQuery<'_>,
) -> AppResult<Vec<Post>> {
    let author = match q.state {
        PostState::Published => None,
        PostState::Draft | PostState::InReview => match actor {
            None => return Err(convene_domain::Denied::NotSignedIn.into()),
            Some(a) if a.is_coordinator() => None,
            Some(a) => Some(a.user_id),
        },
        PostState::Unlisted | PostState::Archived => {
            return Err(InvalidInput::new(
                "state",
                "Only published posts, drafts and posts in review are listed.",
            )
            .into());
        }
    };
    let mut conn = svc.db.conn().await?;
    let after = match q.after {
        None => None,
        Some(slug) => {
            let row = store::by_slug(conn.ex(), slug).await?;
            let post = match row {
                Some(row) => Some(load(&mut conn.ex(), row).await?),
                None => None,
            };
            match post.filter(|p| p.readable_by(actor)) {
                Some(p) => Some(p.row.id),
                None => {
                    return Err(InvalidInput::new(
                        "before",
                        "There is no post with that slug to continue from; pass the `next` value of the previous page.",
                    )
                    .into());
                }
            }
        }
    };
    let rows = store::listed(
        conn.ex(),
        &Page {
            state: q.state.as_str(),
            listing: q.listing,
            author,
            after,
            limit: q.limit,
            offset: q.offset,
        },
    )
    .await?;
    let mut ex = conn.ex();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(load(&mut ex, row).await?);
    }
    Ok(out)
}

/// Published posts for a listing, newest first, with their authors, tags and groups.
pub async fn published(
    svc: &Services,
    listing: Listing<'_>,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<Post>> {
    let mut conn = svc.db.conn().await?;
    let rows = store::published(conn.ex(), listing, limit, offset).await?;
    let mut ex = conn.ex();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(load(&mut ex, row).await?);
    }
    Ok(out)
}

/// The id of the listed group with this slug.
pub async fn group_id(svc: &Services, slug: &str) -> AppResult<(i64, String)> {
    let mut conn = svc.db.conn().await?;
    groups::by_slug(conn.ex(), slug)
        .await?
        .filter(|g| g.approval == "approved")
        .map(|g| (g.id, g.name))
        .ok_or(AppError::NotFound("There is no group at this address."))
}

/// Posts waiting for review, and the posts `actor` wrote.
pub async fn desk(svc: &Services, actor: &Actor) -> AppResult<(Vec<Post>, Vec<Post>)> {
    let mut conn = svc.db.conn().await?;
    let review = if authorize(Some(actor), &Action::ReviewPosts).is_ok() {
        store::in_review(conn.ex()).await?
    } else {
        Vec::new()
    };
    let mine = store::by_author(conn.ex(), actor.user_id).await?;
    let mut ex = conn.ex();
    let mut a = Vec::new();
    for row in review {
        a.push(load(&mut ex, row).await?);
    }
    let mut b = Vec::new();
    for row in mine {
        b.push(load(&mut ex, row).await?);
    }
    Ok((a, b))
}

async fn free_slug(svc: &Services, base: &str) -> AppResult<String> {
    let mut conn = svc.db.conn().await?;
    let taken = store::slugs_like(conn.ex(), base).await?;
    if !taken.iter().any(|s| s == base) {
        return Ok(base.to_owned());
    }
    Ok((2..)
        .map(|n| format!("{base}-{n}"))
        .find(|s| !taken.contains(s))
        .unwrap_or_else(|| format!("{base}-x")))
}

/// An organizer or coordinator starts a post; it is a draft until submitted.
pub async fn create_post(svc: &Services, actor: &Actor, input: &PostInput) -> AppResult<String> {
    let body_html = render_body(input).await?;
    let mut tx = svc.db.begin().await?;
    let valid = validate(&mut tx, input, body_html).await?;
    authorize(
        Some(actor),
        &Action::WritePost {
            group: valid.group_id,
        },
    )
    .map_err(|_| {
        AppError::NotAllowed(if valid.group_slug.is_some() {
            "You do not have permission to write about this group: its organizers, trusted authors and coordinators do."
        } else {
            "You do not have permission to write posts: organizers, trusted authors and coordinators do."
        })
    })?;
    drop(tx);
    let base = posts::slugify_title(&valid.title);
    let slug = free_slug(svc, &base).await?;
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let id = match store::insert(tx.ex(), &slug, &valid.fields(), actor.user_id, now).await {
        Ok(id) => id,
        Err(StoreError::Duplicate) => {
            return Err(AppError::Conflict(
                "Another post took this address at the same moment; save again.".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    store::set_authors(tx.ex(), id, &[actor.user_id]).await?;
    store::set_tags(tx.ex(), id, &valid.tags).await?;
    store::insert_revision(tx.ex(), id, Some(actor.user_id), now, &valid.fields()).await?;
    crate::media::note_embeds(&mut tx, svc, &valid.body).await?;
    tx.commit().await?;
    Ok(slug)
}

async fn editable(tx: &mut Tx, actor: &Actor, slug: &str) -> AppResult<Post> {
    let row = store::by_slug(tx.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no post at this address."))?;
    let mut ex = tx.ex();
    let post = load(&mut ex, row).await?;
    if !post.editable_by(Some(actor)) {
        return Err(AppError::NotAllowed(if post.is_author(Some(actor)) {
            "You may change this post only while you may write about its group; ask a coordinator."
        } else {
            "You are not an author of this post: only its authors and coordinators may change or submit it."
        }));
    }
    Ok(post)
}

/// An author changes a post; every change is kept as a revision.
pub async fn update_post(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    input: &PostInput,
) -> AppResult<()> {
    let body_html = render_body(input).await?;
    let mut tx = svc.db.begin().await?;
    let post = editable(&mut tx, actor, slug).await?;
    let valid = validate(&mut tx, input, body_html).await?;
    authorize(
        Some(actor),
        &Action::EditPost {
            group: valid.group_id,
            is_author: post.is_author(Some(actor)),
        },
    )
    .map_err(|_| {
        AppError::NotAllowed(
            "You may file a post only under a group you write about (or under none, for the whole community).",
        )
    })?;
    let now = svc.clock.now();
    store::update(tx.ex(), post.row.id, &valid.fields(), now).await?;
    store::set_tags(tx.ex(), post.row.id, &valid.tags).await?;
    store::insert_revision(
        tx.ex(),
        post.row.id,
        Some(actor.user_id),
        now,
        &valid.fields(),
    )
    .await?;
    crate::media::note_embeds(&mut tx, svc, &valid.body).await?;
    tx.commit().await?;
    Ok(())
}

/// A post's body as sanitised HTML, with marks where embeds may go (show
/// it with [`crate::markdown::with_embeds`] or
/// [`crate::markdown::without_embeds`]). Rendered when the post was saved;
/// a post saved before that was kept is rendered now, once, and its HTML
/// kept.
pub async fn post_html(svc: &Services, row: &PostRow) -> AppResult<String> {
    if let Some(html) = &row.body_html {
        return Ok(html.clone());
    }
    let html = crate::markdown::render_stored_off_thread(row.body.clone()).await?;
    let mut conn = svc.db.conn().await?;
    if let Err(e) = store::keep_body_html(conn.ex(), row.id, &row.body, &html).await {
        tracing::warn!(post = row.id, error = %e, "could not keep a post's rendered HTML");
    }
    Ok(html)
}

/// What submitting did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Published at once (a trusted author's post with substance).
    Published,
    /// Waiting for a coordinator.
    InReview,
    /// Held back: the post gives only logistics. Nothing changed; the advice says what to add.
    HeldBack(Vec<&'static str>),
}

/// An author submits a post. A post that gives only logistics is held back
/// with advice, unless `anyway`, when it goes to review; otherwise a trusted
/// author's post is published and anyone else's goes to review.
pub async fn submit_post(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    anyway: bool,
) -> AppResult<Submitted> {
    let mut tx = svc.db.begin().await?;
    let post = editable(&mut tx, actor, slug).await?;
    let check = posts::check_substance(post.kind, &post.row.title, &post.row.body);
    let outcome = if !check.passes && !anyway {
        return Ok(Submitted::HeldBack(check.advice));
    } else if check.passes && actor.is_trusted_author() {
        Submitted::Published
    } else {
        Submitted::InReview
    };
    let state = match outcome {
        Submitted::Published => PostState::Published,
        _ => PostState::InReview,
    };
    store::set_state(
        tx.ex(),
        post.row.id,
        state.as_str(),
        check.passes,
        None,
        svc.clock.now(),
    )
    .await?;
    if state == PostState::Published {
        mailing::queue_mailing(&mut tx, svc, post.row.id).await?;
        crate::federation::publish::queue_post(&mut tx, svc, post.row.id).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// A coordinator approves a post in review, or sends it back to its authors
/// with a note (emailed to them).
pub async fn review_post(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    approve: bool,
    note: &str,
) -> AppResult<()> {
    authorize(Some(actor), &Action::ReviewPosts)?;
    let note = note.trim();
    if !approve && note.is_empty() {
        return Err(InvalidInput::new("note", "Tell the authors what to change.").into());
    }
    let mut tx = svc.db.begin().await?;
    let row = store::by_slug(tx.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no post at this address."))?;
    let mut ex = tx.ex();
    let post = load(&mut ex, row).await?;
    if post.state != PostState::InReview {
        return Err(AppError::Conflict(format!(
            "This post is not waiting for review (it is {}).",
            post.state.label().to_lowercase()
        )));
    }
    let now = svc.clock.now();
    if approve {
        store::set_state(
            tx.ex(),
            post.row.id,
            PostState::Published.as_str(),
            post.row.substance_ok,
            None,
            now,
        )
        .await?;
        mailing::queue_mailing(&mut tx, svc, post.row.id).await?;
        crate::federation::publish::queue_post(&mut tx, svc, post.row.id).await?;
    } else {
        store::set_state(
            tx.ex(),
            post.row.id,
            PostState::Draft.as_str(),
            post.row.substance_ok,
            Some(note),
            now,
        )
        .await?;
        let link = svc.site.link(&format!("/blog/{}/edit", post.row.slug));
        for (id, _) in &post.authors {
            if let Some(u) = users::by_id(tx.ex(), *id).await? {
                let mail = templates::post_sent_back(
                    &svc.site.name,
                    &u.display_name,
                    &post.row.title,
                    note,
                    &link,
                );
                queue_email(&mut tx, svc, &u.email, Some(&u.display_name), mail).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// An author or coordinator changes where a post that went through review
/// is shown: on the blog (`Published`), only by its link (`Unlisted`), or
/// kept for the record at its link but no longer listed and closed to
/// comments (`Archived`). Subscribers are not mailed again.
pub async fn set_visibility(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    to: PostState,
) -> AppResult<()> {
    if !matches!(
        to,
        PostState::Published | PostState::Unlisted | PostState::Archived
    ) {
        return Err(InvalidInput::new(
            "state",
            "A post can be shown on the blog, only by its link, or archived.",
        )
        .into());
    }
    let mut tx = svc.db.begin().await?;
    let post = editable(&mut tx, actor, slug).await?;
    if !matches!(
        post.state,
        PostState::Published | PostState::Unlisted | PostState::Archived
    ) {
        return Err(AppError::Conflict(
            "This post has not been published yet: submit it first.".into(),
        ));
    }
    if post.state == to {
        return Ok(());
    }
    store::set_state(
        tx.ex(),
        post.row.id,
        to.as_str(),
        post.row.substance_ok,
        post.row.review_note.as_deref(),
        svc.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A coordinator features a post on the front page, or stops featuring it.
pub async fn feature_post(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    featured: bool,
) -> AppResult<()> {
    authorize(Some(actor), &Action::ReviewPosts)?;
    let mut tx = svc.db.begin().await?;
    let row = store::by_slug(tx.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no post at this address."))?;
    store::set_featured(tx.ex(), row.id, featured).await?;
    tx.commit().await?;
    Ok(())
}

/// A validator for the blog's feeds: changes whenever any post does, so
/// whenever a published one does.
pub async fn feed_version(svc: &Services) -> AppResult<String> {
    Ok(svc
        .db
        .counter(convene_store::counters::Counter::Posts)
        .await?
        .to_string())
}

/// The kinds, for forms: value and label.
pub fn kinds() -> Vec<(&'static str, &'static str)> {
    PostKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

/// How many revisions a post has.
pub async fn revision_count(svc: &Services, post_id: i64) -> AppResult<i64> {
    let mut conn = svc.db.conn().await?;
    Ok(store::count_revisions(conn.ex(), post_id).await?)
}

/// Posts coordinators featured on the front page, newest first.
pub async fn featured(svc: &Services, limit: i64) -> AppResult<Vec<Post>> {
    let mut conn = svc.db.conn().await?;
    let rows = store::featured(conn.ex(), limit).await?;
    let mut ex = conn.ex();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(load(&mut ex, row).await?);
    }
    Ok(out)
}
