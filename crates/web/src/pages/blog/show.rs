//! One post's page, with its comments, photos and the group's next meeting.

use super::*;
use crate::AppState;
use crate::cache::Weigh;
use crate::error::PageError;
use crate::extract::Visitor;
use crate::feed_links::{self, FeedLink};
use crate::pages::calendar_views::{OccView, cached_upcoming, occ_view};
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::AppError;
use convene_app::blog::{self, Post};
use convene_app::calendars::Calendar;
use convene_domain::posts::PostState;
use convene_domain::{Action, authorize};
use convene_store::counters::Counter;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "blog/post.html")]
struct PostPage {
    ctx: PageCtx,
    card: PostCard,
    body_html: String,
    state: &'static str,
    /// Submitted and waiting for a reviewer (only then can it be published).
    in_review: bool,
    public: bool,
    can_edit: bool,
    can_review: bool,
    featured: bool,
    review_note: Option<String>,
    canonical: String,
    cover_image: String,
    events: Vec<OccView>,
    calendar_path: String,
    advice: Vec<&'static str>,
    comments: Arc<CommentViews>,
    can_comment: bool,
    can_moderate: bool,
    shown_at: i64,
    comment_error: Option<String>,
    photos: Vec<crate::pages::media::PhotoView>,
    photo_action: String,
    has_embeds: bool,
    listed: bool,
    archived: bool,
    unlisted: bool,
    next_event: Option<OccView>,
    /// The site blog's feeds, and the group's when the post is about one.
    feeds: Vec<(String, FeedLink)>,
    /// Likes and boosts on the fediverse.
    reactions: (i64, i64),
}

/// The feeds a post's page announces: the site's blog, and its group's.
fn post_feeds(post: &Post) -> Vec<(String, FeedLink)> {
    let mut feeds: Vec<(String, FeedLink)> = feed_links::feeds_of(feed_links::SITE_BLOG)
        .into_iter()
        .map(|f| ("Blog".to_owned(), f))
        .collect();
    if let Some((slug, name)) = &post.group {
        feeds.extend(
            feed_links::feeds_of(&feed_links::group_blog(slug))
                .into_iter()
                .map(|f| (name.clone(), f)),
        );
    }
    feeds
}

/// A comment as the post page shows it.
#[derive(Clone)]
pub struct CommentView {
    id: i64,
    author: String,
    when: String,
    html: String,
}

/// A post's visible comments as its page shows them.
struct CommentViews(Vec<CommentView>);

impl Weigh for CommentViews {
    fn weight(&self) -> usize {
        self.0
            .iter()
            .map(|c| c.author.len() + c.when.len() + c.html.len() + 64)
            .sum()
    }
}

/// A post's visible comments, kept in memory until any comment changes.
///
/// Reading a hundred comments with their text is most of what a busy
/// post's page costs (on SQLite every row crosses from the database's
/// thread to the request's), while comments change seldom. The comments'
/// change counter is the version: every comment written, moderated,
/// reported or removed, and every author who changes their name, raises
/// it in the same transaction, so the next page shows the change.
async fn comment_views(state: &AppState, post_id: i64) -> Result<Arc<CommentViews>, PageError> {
    let version = state.svc.db.counter(Counter::Comments).await?;
    let build = || async {
        let mut views = Vec::new();
        for c in blog::comments(&state.svc, post_id).await? {
            views.push(CommentView {
                id: c.id,
                html: blog::comment_html(&state.svc, &c).await?,
                author: c.author,
                when: c.created_at.format("%-d %B %Y, %H:%M UTC").to_string(),
            });
        }
        Ok::<_, AppError>(CommentViews(views))
    };
    Ok(state
        .roster_cache
        .get_or_build_weighed(
            &format!("post-comments:{post_id}"),
            &version.to_string(),
            build,
        )
        .await?)
}

/// `GET /blog/{slug}`.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    let post = blog::post(&state.svc, actor, &slug).await?;
    post_page(&state, &visitor, &post, q.done.as_deref(), Vec::new()).await
}

pub(super) async fn post_page(
    state: &AppState,
    visitor: &Visitor,
    post: &Post,
    done: Option<&str>,
    advice: Vec<&'static str>,
) -> Result<Response, PageError> {
    post_page_with(state, visitor, post, done, advice, None).await
}

pub(super) async fn post_page_with(
    state: &AppState,
    visitor: &Visitor,
    post: &Post,
    done: Option<&str>,
    advice: Vec<&'static str>,
    comment_error: Option<String>,
) -> Result<Response, PageError> {
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    let calendar = match &post.group {
        Some((slug, _)) => convene_app::calendars::calendar(&state.svc, slug)
            .await
            .unwrap_or(Calendar::Site),
        None => Calendar::Site,
    };
    let events: Vec<OccView> = cached_upcoming(state, &calendar, 5, chrono_tz::Tz::UTC)
        .await?
        .iter()
        .map(|o| occ_view(o, None, ""))
        .collect();
    // A group's post names the group's next meeting.
    let next_event = if matches!(calendar, Calendar::Group(_)) {
        events.iter().find(|o| !o.cancelled).cloned()
    } else {
        None
    };
    let status = if advice.is_empty() && comment_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let comments = comment_views(state, post.row.id).await?;
    let ctx = PageCtx::new(state, visitor, post.row.title.clone()).with_notice(done);
    let embeds = convene_app::media::embed_views(&state.svc, &post.row.body).await?;
    let stored_html = blog::post_html(&state.svc, &post.row).await?;
    let photos = crate::pages::media::gallery(state, "post", post.row.id).await?;
    let reactions =
        convene_app::federation::reactions::counts(&state.svc, &format!("/blog/{}", post.row.slug))
            .await?;
    let mut response = render(
        status,
        &PostPage {
            ctx,
            card: card(post),
            body_html: crate::markdown::with_embeds(&stored_html, &embeds, ""),
            state: post.state.label(),
            in_review: post.state == PostState::InReview,
            public: post.is_public(),
            can_edit: post.editable_by(actor),
            can_review: authorize(actor, &Action::ReviewPosts).is_ok(),
            featured: post.row.featured,
            review_note: post.row.review_note.clone(),
            canonical: state.svc.site.link(&format!("/blog/{}", post.row.slug)),
            cover_image: post.row.cover_image.clone(),
            events,
            calendar_path: calendar.path(),
            advice,
            comments,
            can_comment: actor.is_some()
                && matches!(post.state, PostState::Published | PostState::Unlisted),
            can_moderate: authorize(
                actor,
                &Action::ModerateComments {
                    group: post.row.group_id,
                },
            )
            .is_ok(),
            shown_at: state.svc.clock.now().timestamp(),
            comment_error,
            reactions,
            photos,
            photo_action: format!("/blog/{}/photos", post.row.slug),
            has_embeds: !embeds.is_empty(),
            next_event,
            listed: post.state == PostState::Published,
            archived: post.state == PostState::Archived,
            unlisted: post.state == PostState::Unlisted,
            feeds: post_feeds(post),
        },
    );
    crate::pages::media::allow_frames(&mut response, &crate::markdown::frame_sources(&embeds));
    Ok(response)
}
