//! The shared blog's pages: listings (all, by group, kind and tag), a post,
//! writing and submitting, the review desk, and the Atom, RSS and JSON
//! feeds of every listing.

use super::calendar_views::{OccView, cached_upcoming, occ_view};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::feed_links::{self, FeedFormat, FeedLink};
use crate::headers::see_other;
use crate::pages::{FormErrors, PageCtx, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use convene_app::AppError;
use convene_app::blog::{self, Post, PostInput, Submitted};
use convene_app::calendars::Calendar;
use convene_domain::posts::{PostKind, PostState};
use convene_domain::{Action, authorize};
use convene_store::posts::Listing;
use serde::Deserialize;
use std::sync::Arc;

/// Posts per listing page.
const PAGE_SIZE: i64 = 20;

/// Entries per feed.
const FEED_SIZE: i64 = 30;
/// Listing pages kept in memory, per listing.
const CACHED_PAGES: i64 = 3;

/// A post as listings show it.
#[derive(Clone)]
pub struct PostCard {
    slug: String,
    title: String,
    summary: String,
    kind: &'static str,
    kind_slug: &'static str,
    authors: String,
    published: String,
    published_iso: String,
    group: Option<(String, String)>,
    tags: Vec<String>,
}

fn summary_of(p: &Post) -> String {
    crate::markdown::summary(&p.row.summary, &p.row.body)
}

fn card(p: &Post) -> PostCard {
    let at = p.row.published_at.unwrap_or(p.row.updated_at);
    PostCard {
        slug: p.row.slug.clone(),
        title: p.row.title.clone(),
        summary: summary_of(p),
        kind: p.kind.label(),
        kind_slug: p.kind.as_str(),
        authors: p
            .authors
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        published: at.format("%-d %B %Y").to_string(),
        published_iso: at.to_rfc3339(),
        group: p.group.clone(),
        tags: p.tags.clone(),
    }
}

/// A listing: its heading, filter, path and feeds.
struct Scope {
    group_slug: Option<String>,
    heading: String,
    path: String,
    listing: ListingOwned,
    calendar: Calendar,
}

#[derive(Debug, Default, Clone)]
struct ListingOwned {
    group_id: Option<i64>,
    kind: Option<String>,
    tag: Option<String>,
    stories: bool,
    continent: Option<String>,
    country: Option<String>,
}

impl ListingOwned {
    fn as_listing(&self) -> Listing<'_> {
        Listing {
            group_id: self.group_id,
            kind: self.kind.as_deref(),
            tag: self.tag.as_deref(),
            stories: self.stories,
            continent: self.continent.as_deref(),
            country: self.country.as_deref(),
        }
    }
}

#[derive(Template)]
#[template(path = "blog/list.html")]
struct ListPage {
    ctx: PageCtx,
    heading: String,
    path: String,
    cards: Vec<PostCard>,
    page: i64,
    more: bool,
    can_write: bool,
    events: Vec<OccView>,
    calendar_path: String,
    kinds: Vec<(&'static str, &'static str)>,
    feeds: Vec<FeedLink>,
    places: Option<StoryPlaces>,
    subscribe_group: Option<String>,
}

/// The place filter of `/stories`.
pub struct StoryPlaces {
    continents: Vec<(&'static str, &'static str)>,
    continent: String,
    country: String,
}

/// `?page=`.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// 1-based page.
    pub page: Option<i64>,
    /// Notice code.
    pub done: Option<String>,
}

async fn scope_for(state: &AppState, what: &str, value: &str) -> Result<Scope, PageError> {
    Ok(match what {
        "group" => {
            let cal = convene_app::calendars::calendar(&state.svc, value).await?;
            let (id, name) = blog::group_id(&state.svc, value).await?;
            Scope {
                group_slug: Some(value.to_owned()),
                heading: format!("{name}: blog"),
                path: feed_links::group_blog(value),
                listing: ListingOwned {
                    group_id: Some(id),
                    ..ListingOwned::default()
                },
                calendar: cal,
            }
        }
        "kind" => {
            let kind = PostKind::parse(value)
                .ok_or(AppError::NotFound("There is no such kind of post."))?;
            Scope {
                group_slug: None,
                heading: format!("Blog: {}", kind.label()),
                path: feed_links::kind_blog(kind.as_str()),
                listing: ListingOwned {
                    kind: Some(kind.as_str().to_owned()),
                    ..ListingOwned::default()
                },
                calendar: Calendar::Site,
            }
        }
        "tag" => Scope {
            group_slug: None,
            heading: format!("Blog: posts tagged {value}"),
            path: feed_links::tag_blog(value),
            listing: ListingOwned {
                tag: Some(value.to_owned()),
                ..ListingOwned::default()
            },
            calendar: Calendar::Site,
        },
        _ => Scope {
            group_slug: None,
            heading: "Blog".to_owned(),
            path: feed_links::SITE_BLOG.to_owned(),
            listing: ListingOwned::default(),
            calendar: Calendar::Site,
        },
    })
}

async fn list(
    state: &AppState,
    visitor: &Visitor,
    scope: Scope,
    q: &PageQuery,
) -> Result<Response, PageError> {
    list_with(state, visitor, scope, q, None).await
}

async fn list_with(
    state: &AppState,
    visitor: &Visitor,
    scope: Scope,
    q: &PageQuery,
    places: Option<StoryPlaces>,
) -> Result<Response, PageError> {
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let (cards, more) = listing_page(state, &scope, page).await?;
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    let can_write = authorize(actor, &Action::WritePost { group: None }).is_ok()
        || actor.is_some_and(|a| !a.grants.is_empty());
    let events = cached_upcoming(state, &scope.calendar, 5, chrono_tz::Tz::UTC)
        .await?
        .iter()
        .map(|o| occ_view(o, None, ""))
        .collect();
    let ctx = PageCtx::new(state, visitor, scope.heading.clone()).with_notice(q.done.as_deref());
    let feeds = if places.is_none() {
        feed_links::feeds_of(&scope.path)
    } else {
        Vec::new()
    };
    Ok(render(
        StatusCode::OK,
        &ListPage {
            ctx,
            heading: scope.heading,
            path: scope.path,
            cards,
            page,
            more,
            can_write,
            events,
            calendar_path: scope.calendar.path(),
            kinds: blog::kinds(),
            feeds,
            subscribe_group: if places.is_none() && visitor.signed_in.is_some() {
                Some(scope.group_slug.clone().unwrap_or_default())
            } else {
                None
            },
            places,
        },
    ))
}

/// The cards of one page of a listing, and whether there is a next page.
/// The first pages, which nearly every visitor reads, are kept in memory
/// until any post changes.
async fn listing_page(
    state: &AppState,
    scope: &Scope,
    page: i64,
) -> Result<(Vec<PostCard>, bool), PageError> {
    let build = || async {
        let posts = blog::published(
            &state.svc,
            scope.listing.as_listing(),
            PAGE_SIZE + 1,
            (page - 1) * PAGE_SIZE,
        )
        .await?;
        let more = posts.len() as i64 > PAGE_SIZE;
        let cards: Vec<PostCard> = posts.iter().take(PAGE_SIZE as usize).map(card).collect();
        Ok::<_, AppError>((cards, more))
    };
    if page > CACHED_PAGES {
        return Ok(build().await?);
    }
    let version = blog::feed_version(&state.svc).await?;
    let key = format!("bloglist:{:?}:{page}", scope.listing);
    let cached = state
        .calendar_cache
        .get_or_build(&key, &version, build)
        .await?;
    Ok((cached.0.clone(), cached.1))
}

/// `GET /blog`.
pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let scope = scope_for(&state, "all", "").await?;
    list(&state, &visitor, scope, &q).await
}

/// `GET /blog/kind/{kind}`.
pub async fn by_kind(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(kind): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let scope = scope_for(&state, "kind", &kind).await?;
    list(&state, &visitor, scope, &q).await
}

/// `GET /blog/tag/{tag}`.
pub async fn by_tag(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(tag): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let scope = scope_for(&state, "tag", &tag).await?;
    list(&state, &visitor, scope, &q).await
}

/// `?continent=&country=` on `/stories`.
#[derive(Debug, Default, Deserialize)]
pub struct StoriesQuery {
    /// Continent code.
    pub continent: Option<String>,
    /// Country name or code.
    pub country: Option<String>,
    /// 1-based page.
    pub page: Option<i64>,
}

/// `GET /stories`: how groups started, what a typical meeting is like, and
/// interviews, by continent and country.
pub async fn stories(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<StoriesQuery>,
) -> Result<Response, PageError> {
    let continent = q
        .continent
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .and_then(convene_places::Continent::from_code)
        .map(|c| c.code().to_owned());
    let country = match q
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(c) => Some(
            convene_places::country(c)
                .or_else(|| convene_places::country_by_name(c))
                .map(|c| c.code.clone())
                .ok_or_else(|| {
                    convene_domain::InvalidInput::new(
                        "country",
                        "We do not know this country; use its name or its two-letter code.",
                    )
                })?,
        ),
    };
    let places = StoryPlaces {
        continents: convene_places::Continent::all()
            .iter()
            .map(|c| (c.code(), c.name()))
            .collect(),
        continent: continent.clone().unwrap_or_default(),
        country: country.clone().unwrap_or_default(),
    };
    let scope = Scope {
        group_slug: None,
        heading: "Stories from groups around the world".to_owned(),
        path: "/stories".to_owned(),
        listing: ListingOwned {
            stories: true,
            continent,
            country,
            ..ListingOwned::default()
        },
        calendar: Calendar::Site,
    };
    let page = PageQuery {
        page: q.page,
        done: None,
    };
    list_with(&state, &visitor, scope, &page, Some(places)).await
}

/// `GET /groups/{slug}/blog`.
pub async fn group(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let scope = scope_for(&state, "group", &slug).await?;
    list(&state, &visitor, scope, &q).await
}

#[derive(Template)]
#[template(path = "blog/post.html")]
struct PostPage {
    ctx: PageCtx,
    card: PostCard,
    body_html: String,
    state: &'static str,
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
    comments: Vec<CommentView>,
    can_comment: bool,
    can_moderate: bool,
    shown_at: i64,
    comment_error: Option<String>,
    photos: Vec<super::media::PhotoView>,
    photo_action: String,
    has_embeds: bool,
    listed: bool,
    archived: bool,
    unlisted: bool,
    next_event: Option<OccView>,
    /// The site blog's feeds, and the group's when the post is about one.
    feeds: Vec<(String, FeedLink)>,
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
pub struct CommentView {
    id: i64,
    author: String,
    when: String,
    html: String,
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

async fn post_page(
    state: &AppState,
    visitor: &Visitor,
    post: &Post,
    done: Option<&str>,
    advice: Vec<&'static str>,
) -> Result<Response, PageError> {
    post_page_with(state, visitor, post, done, advice, None).await
}

async fn post_page_with(
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
    let mut comments = Vec::new();
    for c in blog::comments(&state.svc, post.row.id).await? {
        comments.push(CommentView {
            id: c.id,
            html: blog::comment_html(&state.svc, &c).await?,
            author: c.author,
            when: c.created_at.format("%-d %B %Y, %H:%M UTC").to_string(),
        });
    }
    let ctx = PageCtx::new(state, visitor, post.row.title.clone()).with_notice(done);
    let embeds = convene_app::media::embed_views(&state.svc, &post.row.body).await?;
    let stored_html = blog::post_html(&state.svc, &post.row).await?;
    let photos = super::media::gallery(state, "post", post.row.id).await?;
    let mut response = render(
        status,
        &PostPage {
            ctx,
            card: card(post),
            body_html: crate::markdown::with_embeds(&stored_html, &embeds, ""),
            state: post.state.label(),
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
    super::media::allow_frames(&mut response, &crate::markdown::frame_sources(&embeds));
    Ok(response)
}

#[derive(Template)]
#[template(path = "blog/form.html")]
struct FormPage {
    ctx: PageCtx,
    heading: String,
    action: String,
    input: PostInput,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

const FIELDS: [&str; 7] = [
    "title",
    "summary",
    "body",
    "kind",
    "group",
    "cover_image",
    "tags",
];

fn form(
    state: &AppState,
    visitor: &Visitor,
    heading: &str,
    action: String,
    input: PostInput,
    errors: FormErrors,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &FormPage {
            ctx: PageCtx::new(state, visitor, heading),
            heading: heading.to_owned(),
            action,
            input,
            kinds: blog::kinds(),
            errors,
        },
    )
}

/// `?group=` to start a post about a group.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    /// Group slug.
    pub group: Option<String>,
}

/// `GET /blog/new`.
pub async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    visitor.require()?;
    let input = PostInput {
        kind: "meeting_report".into(),
        group: q.group.unwrap_or_default(),
        ..PostInput::default()
    };
    Ok(form(
        &state,
        &visitor,
        "Write a post",
        "/blog/new".into(),
        input,
        FormErrors::default(),
    ))
}

/// `POST /blog/new`.
pub async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(input): CsrfForm<PostInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match blog::create_post(&state.svc, &me.actor, &input).await {
        Ok(slug) => Ok(see_other(&format!("/blog/{slug}?done=post-saved"))),
        Err(e) => match FormErrors::from_app(&e, &FIELDS) {
            Some((_, errors)) => Ok(form(
                &state,
                &visitor,
                "Write a post",
                "/blog/new".into(),
                input,
                errors,
            )),
            None => Err(e.into()),
        },
    }
}

/// `GET /blog/{slug}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let post = blog::post(&state.svc, Some(&me.actor), &slug).await?;
    if !post.editable_by(Some(&me.actor)) {
        return Err(AppError::Denied(convene_domain::Denied::Forbidden).into());
    }
    let input = PostInput {
        title: post.row.title.clone(),
        summary: post.row.summary.clone(),
        body: post.row.body.clone(),
        kind: post.kind.as_str().to_owned(),
        group: post.group.as_ref().map(|g| g.0.clone()).unwrap_or_default(),
        cover_image: post.row.cover_image.clone(),
        tags: post.tags.join(", "),
    };
    Ok(form(
        &state,
        &visitor,
        "Edit the post",
        format!("/blog/{slug}/edit"),
        input,
        FormErrors::default(),
    ))
}

/// `POST /blog/{slug}/edit`.
pub async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(input): CsrfForm<PostInput>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match blog::update_post(&state.svc, &me.actor, &slug, &input).await {
        Ok(()) => Ok(see_other(&format!("/blog/{slug}?done=post-saved"))),
        Err(e) => match FormErrors::from_app(&e, &FIELDS) {
            Some((_, errors)) => Ok(form(
                &state,
                &visitor,
                "Edit the post",
                format!("/blog/{slug}/edit"),
                input,
                errors,
            )),
            None => Err(e.into()),
        },
    }
}

/// The submit form: `anyway` after the advice was shown.
#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    anyway: String,
}

/// `POST /blog/{slug}/submit`.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<SubmitForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match blog::submit_post(&state.svc, &me.actor, &slug, f.anyway == "yes").await? {
        Submitted::Published => Ok(see_other(&format!("/blog/{slug}?done=post-published"))),
        Submitted::InReview => Ok(see_other(&format!("/blog/{slug}?done=post-in-review"))),
        Submitted::HeldBack(advice) => {
            let post = blog::post(&state.svc, Some(&me.actor), &slug).await?;
            post_page(&state, &visitor, &post, None, advice).await
        }
    }
}

/// The review form.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

/// `POST /blog/{slug}/review`.
pub async fn review(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<ReviewForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let approve = f.decision == "approve";
    blog::review_post(&state.svc, &me.actor, &slug, approve, &f.note).await?;
    let done = if approve {
        "post-published"
    } else {
        "post-sent-back"
    };
    Ok(see_other(&format!("/blog/{slug}?done={done}")))
}

/// The feature form.
#[derive(Debug, Deserialize)]
pub struct FeatureForm {
    #[serde(default)]
    featured: String,
}

/// `POST /blog/{slug}/feature`.
pub async fn feature(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<FeatureForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    blog::feature_post(&state.svc, &me.actor, &slug, f.featured == "yes").await?;
    Ok(see_other(&format!("/blog/{slug}?done=post-saved")))
}

/// The visibility form.
#[derive(Debug, Deserialize)]
pub struct VisibilityForm {
    /// published, unlisted or archived.
    state: String,
}

/// `POST /blog/{slug}/visibility`: listed, unlisted or archived.
pub async fn visibility(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<VisibilityForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let to = PostState::parse(&f.state).ok_or_else(|| {
        AppError::from(convene_domain::InvalidInput::new(
            "state",
            "Choose whether the post is listed, unlisted or archived.",
        ))
    })?;
    blog::set_visibility(&state.svc, &me.actor, &slug, to).await?;
    Ok(see_other(&format!("/blog/{slug}?done=post-saved")))
}

#[derive(Template)]
#[template(path = "blog/desk.html")]
struct DeskPage {
    ctx: PageCtx,
    review: Vec<PostCard>,
    mine: Vec<(PostCard, &'static str)>,
}

/// `GET /blog/desk`: the author's posts and, for coordinators, the review queue.
pub async fn desk(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (review, mine) = blog::desk(&state.svc, &me.actor).await?;
    Ok(render(
        StatusCode::OK,
        &DeskPage {
            ctx: PageCtx::new(&state, &visitor, "Your posts"),
            review: review.iter().map(card).collect(),
            mine: mine.iter().map(|p| (card(p), p.state.label())).collect(),
        },
    ))
}

fn content_type(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Atom => "application/atom+xml; charset=utf-8",
        FeedFormat::Rss => "application/rss+xml; charset=utf-8",
        FeedFormat::Json => "application/feed+json; charset=utf-8",
    }
}

async fn feed(
    state: &AppState,
    headers: &HeaderMap,
    scope: Scope,
    format: FeedFormat,
) -> Result<Response, PageError> {
    let version = blog::feed_version(&state.svc).await?;
    let self_path = feed_links::feed(&scope.path, format);
    let etag = format!("\"{version}-{:x}\"", super::http_cache::fxhash(&self_path));
    let svc = state.svc.clone();
    let key = format!("blogfeed:{self_path}");
    let built: Arc<(Bytes, DateTime<Utc>)> = state
        .calendar_cache
        .get_or_build(&key, &version, || async move {
            let posts = blog::published(&svc, scope.listing.as_listing(), FEED_SIZE, 0).await?;
            let site = &svc.site;
            let updated = posts
                .iter()
                .map(|p| p.row.updated_at)
                .max()
                .unwrap_or_else(|| svc.clock.now());
            let mut embeds = Vec::with_capacity(posts.len());
            let mut stored = Vec::with_capacity(posts.len());
            for p in &posts {
                embeds.push(convene_app::media::embed_views(&svc, &p.row.body).await?);
                stored.push(blog::post_html(&svc, &p.row).await?);
            }
            let entries = posts
                .iter()
                .zip(embeds.iter().zip(&stored))
                .map(|(p, (embeds, stored))| convene_feeds::Entry {
                    id: site.link(&format!("/blog/{}", p.row.slug)),
                    url: site.link(&format!("/blog/{}", p.row.slug)),
                    title: p.row.title.clone(),
                    summary: Some(summary_of(p)),
                    content_html: crate::markdown::with_embeds(
                        stored,
                        embeds,
                        site.base_url.as_str(),
                    ),
                    published: p.row.published_at.unwrap_or(p.row.created_at),
                    updated: p.row.updated_at,
                    authors: p
                        .authors
                        .iter()
                        .map(|(_, n)| convene_feeds::Person {
                            name: n.clone(),
                            url: None,
                        })
                        .collect(),
                    tags: p.tags.clone(),
                    image: Some(p.row.cover_image.clone()).filter(|c| !c.is_empty()),
                })
                .collect();
            let feed = convene_feeds::Feed {
                id: site.link(&scope.path),
                title: format!("{} — {}", scope.heading, site.name),
                subtitle: None,
                home_url: site.link(&scope.path),
                self_url: site.link(&self_path),
                updated,
                language: Some("en".into()),
                icon: None,
                entries,
            };
            let self_url = site.link(&self_path);
            let body = match format {
                FeedFormat::Atom => convene_feeds::atom(&feed, &self_url),
                FeedFormat::Rss => convene_feeds::rss(&feed, &self_url),
                FeedFormat::Json => convene_feeds::json_feed(&feed, &self_url),
            };
            Ok::<_, PageError>((Bytes::from(body), updated))
        })
        .await?;
    Ok(super::http_cache::conditional(
        headers,
        &etag,
        built.1,
        content_type(format),
        built.0.clone(),
    ))
}

/// `GET /blog/feed.{atom,rss,json}`.
pub async fn site_feed(
    state: &AppState,
    headers: &HeaderMap,
    format: FeedFormat,
) -> Result<Response, PageError> {
    let scope = scope_for(state, "all", "").await?;
    feed(state, headers, scope, format).await
}

fn format_of(file: &str) -> Result<FeedFormat, PageError> {
    Ok(FeedFormat::from_file(file).ok_or(AppError::NotFound("There is no such feed."))?)
}

/// `GET /blog/kind/{kind}/{file}`.
pub async fn kind_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((kind, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let format = format_of(&file)?;
    let scope = scope_for(&state, "kind", &kind).await?;
    feed(&state, &headers, scope, format).await
}

/// `GET /blog/tag/{tag}/{file}`.
pub async fn tag_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((tag, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let format = format_of(&file)?;
    let scope = scope_for(&state, "tag", &tag).await?;
    feed(&state, &headers, scope, format).await
}

/// `GET /groups/{slug}/blog/feed.{atom,rss,json}`.
pub async fn group_feed(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
    format: FeedFormat,
) -> Result<Response, PageError> {
    let scope = scope_for(state, "group", slug).await?;
    feed(state, headers, scope, format).await
}

/// `GET /groups/{slug}/feed.{atom,rss,json}`, where group feeds used to be:
/// a permanent redirect, which feed readers follow and remember.
pub fn moved_group_feed(slug: &str, format: FeedFormat) -> Response {
    crate::headers::moved_permanently(&feed_links::feed(&feed_links::group_blog(slug), format))
}

/// The comment form.
#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
    /// Left empty by people; bots fill it.
    #[serde(default)]
    website: String,
    /// When the form was shown (seconds since 1970).
    #[serde(default)]
    shown_at: i64,
}

/// `POST /blog/{slug}/comments`.
pub async fn comment(
    State(state): State<AppState>,
    visitor: Visitor,
    crate::extract::ClientIp(ip): crate::extract::ClientIp,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<CommentForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let bot = blog::BotChecks {
        honeypot: f.website,
        seconds_to_fill: state.svc.clock.now().timestamp() - f.shown_at,
        ip,
    };
    match blog::add_comment(&state.svc, &me.actor, &slug, &f.body, &bot).await {
        Ok(blog::Commented::Visible) => Ok(see_other(&format!(
            "/blog/{slug}?done=comment-shown#comments"
        ))),
        Ok(blog::Commented::Held) => Ok(see_other(&format!(
            "/blog/{slug}?done=comment-held#comments"
        ))),
        Err(AppError::Invalid(e)) => {
            let post = blog::post(&state.svc, Some(&me.actor), &slug).await?;
            post_page_with(&state, &visitor, &post, None, Vec::new(), Some(e.message)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /comments/{id}/report`.
pub async fn report(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<crate::extract::NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    blog::report_comment(&state.svc, &me.actor, id).await?;
    Ok(see_other("/blog?done=comment-reported"))
}

/// The moderation form.
#[derive(Debug, Deserialize)]
pub struct ModerationForm {
    #[serde(default)]
    decision: String,
}

/// `POST /comments/{id}/moderate`.
pub async fn moderate(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ModerationForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let decision = blog::Moderation::parse(&f.decision).ok_or_else(|| {
        convene_domain::InvalidInput::new("decision", "Choose approve, hide, spam or ban.")
    })?;
    blog::moderate(&state.svc, &me.actor, id, decision).await?;
    Ok(see_other("/blog/moderation?done=comment-moderated"))
}

#[derive(Template)]
#[template(path = "blog/moderation.html")]
struct ModerationPage {
    ctx: PageCtx,
    queue: Vec<(convene_store::comments::CommentRow, String)>,
}

/// `GET /blog/moderation`: comments waiting for the signed-in moderator.
pub async fn moderation(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let mut queue = Vec::new();
    for c in blog::moderation_queue(&state.svc, &me.actor).await? {
        let html = blog::comment_html(&state.svc, &c).await?;
        queue.push((c, html));
    }
    Ok(render(
        StatusCode::OK,
        &ModerationPage {
            ctx: PageCtx::new(&state, &visitor, "Comments to moderate")
                .with_notice(q.done.as_deref()),
            queue,
        },
    ))
}

/// The subscribe form.
#[derive(Debug, Deserialize)]
pub struct SubscribeForm {
    /// A group's slug, or empty for every post.
    #[serde(default)]
    group: String,
}

/// `POST /blog/subscribe`.
pub async fn subscribe(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(f): CsrfForm<SubscribeForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    // The slug goes back into the redirect only as the use-case accepted it.
    let group = Some(f.group.trim()).filter(|g| !g.is_empty());
    blog::subscribe(&state.svc, &me.actor, group).await?;
    let back = match group {
        Some(g) => format!("/groups/{g}/blog?done=subscribed"),
        None => "/blog?done=subscribed".to_owned(),
    };
    Ok(see_other(&back))
}

#[derive(Template)]
#[template(path = "blog/unsubscribe.html")]
struct UnsubscribePage {
    ctx: PageCtx,
    token: String,
    done: bool,
}

/// `GET /unsubscribe/{token}`: asks before ending the subscription (a link
/// scanner must not unsubscribe anyone by fetching it).
pub async fn unsubscribe_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Response {
    render(
        StatusCode::OK,
        &UnsubscribePage {
            ctx: PageCtx::new(&state, &visitor, "Stop these emails"),
            token,
            done: false,
        },
    )
}

/// `POST /unsubscribe/{token}`: one click, from the page or straight from a
/// mail program (`List-Unsubscribe=One-Click`, RFC 8058); needs no session.
pub async fn unsubscribe(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    blog::unsubscribe(&state.svc, &token).await?;
    Ok(render(
        StatusCode::OK,
        &UnsubscribePage {
            ctx: PageCtx::new(&state, &visitor, "Unsubscribed"),
            token,
            done: true,
        },
    ))
}
