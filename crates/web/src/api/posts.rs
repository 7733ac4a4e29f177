//! `/api/v1/posts`: the shared blog for programs. Reading needs no token
//! (drafts and posts in review only with the token of an author or a
//! coordinator); writing, submitting and commenting go through the same
//! use-cases, and so the same rules, as the blog's pages.

use super::openapi::ErrorBody;
use super::{ApiJson, ApiUser};
use super::{ApiPath, ApiQuery};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::ClientIp;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use convene_app::Services;
use convene_app::blog::{self, BotChecks, Commented, Post, PostInput, PostQuery, Submitted};
use convene_domain::InvalidInput;
use convene_domain::posts::{PostKind, PostState};
use convene_store::posts::Listing;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Posts per page unless `limit` says otherwise.
const DEFAULT_LIMIT: i64 = 20;
/// The most posts one page holds.
const MAX_LIMIT: i64 = 100;
/// The highest page number served.
const MAX_PAGE: i64 = 10_000;

/// A post as lists show it (without its body).
#[derive(Debug, Serialize, ToSchema)]
pub struct PostSummaryOut {
    /// Stable address: /blog/{slug}.
    pub slug: String,
    /// Title.
    pub title: String,
    /// The summary its authors wrote, or the start of its text.
    pub summary: String,
    /// meeting_report, announcement, how_we_started, typical_meeting, interview or article.
    #[schema(schema_with = super::openapi::post_kind)]
    pub kind: String,
    /// Slug of the group it is about; null for the whole community.
    pub group: Option<String>,
    /// Name of that group.
    pub group_name: Option<String>,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// Its authors' names, in order.
    pub authors: Vec<String>,
    /// draft, in_review, published, unlisted or archived.
    #[schema(schema_with = super::openapi::post_state)]
    pub state: String,
    /// Shown on the front page.
    pub featured: bool,
    /// Cover image URL, if any.
    pub cover_image: Option<String>,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When it was first published; null before that.
    pub published_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its page.
    pub url: String,
}

/// One post, with its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostOut {
    /// What lists show.
    #[serde(flatten)]
    pub post: PostSummaryOut,
    /// Markdown, as its authors wrote it.
    pub body: String,
    /// The body rendered to HTML that is safe to show (no script, event
    /// handlers or `javascript:` links).
    pub html: String,
    /// A reviewer's note on a post sent back; only for those who may change it.
    pub review_note: Option<String>,
}

fn summary_out(svc: &Services, p: &Post) -> PostSummaryOut {
    PostSummaryOut {
        slug: p.row.slug.clone(),
        title: p.row.title.clone(),
        summary: crate::markdown::summary(&p.row.summary, &p.row.body),
        kind: p.kind.as_str().to_owned(),
        group: p.group.as_ref().map(|g| g.0.clone()),
        group_name: p.group.as_ref().map(|g| g.1.clone()),
        tags: p.tags.clone(),
        authors: p.authors.iter().map(|(_, name)| name.clone()).collect(),
        state: p.state.as_str().to_owned(),
        featured: p.row.featured,
        cover_image: Some(p.row.cover_image.clone()).filter(|c| !c.is_empty()),
        created_at: p.row.created_at,
        published_at: p.row.published_at,
        updated_at: p.row.updated_at,
        url: svc.site.link(&format!("/blog/{}", p.row.slug)),
    }
}

async fn post_out(
    svc: &Services,
    p: &Post,
    actor: Option<&convene_domain::Actor>,
) -> Result<PostOut, ApiError> {
    let html = crate::markdown::without_embeds(&blog::post_html(svc, &p.row).await?);
    Ok(PostOut {
        post: summary_out(svc, p),
        body: p.row.body.clone(),
        html,
        review_note: p.row.review_note.clone().filter(|_| p.editable_by(actor)),
    })
}

/// A page of posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostList {
    /// Newest first.
    pub posts: Vec<PostSummaryOut>,
    /// Pass as `before` for the next page; null on the last page.
    pub next: Option<String>,
}

/// Which posts, and which page of them.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    /// Only posts about this group (its slug).
    pub group: Option<String>,
    /// Only this kind: meeting_report, announcement, how_we_started,
    /// typical_meeting, interview or article; empty for all.
    #[param(schema_with = super::openapi::post_kind_filter)]
    pub kind: Option<String>,
    /// Only posts with this tag.
    pub tag: Option<String>,
    /// published (default); with a token, draft or review for the posts its
    /// account may read (its own; every one for coordinators).
    #[param(schema_with = super::openapi::listed_post_state)]
    pub state: Option<String>,
    /// Posts per page, 1 to 100 (default 20).
    pub limit: Option<i64>,
    /// Continue after this post: the `next` of the previous page.
    pub before: Option<String>,
    /// Page number from 1 (instead of `before`).
    pub page: Option<i64>,
}

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// The listing's state, exactly as documented (a closed set).
fn listed_state(s: Option<&str>) -> Result<PostState, InvalidInput> {
    match s {
        None | Some("" | "published") => Ok(PostState::Published),
        Some("draft") => Ok(PostState::Draft),
        Some("review" | "in_review") => Ok(PostState::InReview),
        Some(_) => Err(InvalidInput::new(
            "state",
            "Ask for state published, draft or review.",
        )),
    }
}

/// Posts, newest first: published ones for anyone; drafts or posts in
/// review (`state`) for their authors and coordinators.
#[utoipa::path(get, path = "/api/v1/posts", tag = "posts", params(ListQuery),
    responses((status = 200, body = PostList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    me: Option<ApiUser>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<PostList>, ApiError> {
    let svc = &state.svc;
    let actor = me.as_ref().map(|m| &m.0.actor);
    let post_state = listed_state(q.state.as_deref())?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let before = nonempty(q.before.as_deref());
    let offset = match (before, q.page) {
        (Some(_), Some(_)) => {
            return Err(InvalidInput::new("page", "Give either before or page, not both.").into());
        }
        (_, Some(page)) => (page.clamp(1, MAX_PAGE) - 1) * limit,
        _ => 0,
    };
    let group_id = match nonempty(q.group.as_deref()) {
        Some(slug) => Some(blog::group_id(svc, slug).await?.0),
        None => None,
    };
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(PostKind::ALL.into_iter().find(|p| p.as_str() == k).ok_or_else(|| {
            InvalidInput::new(
                "kind",
                "Ask for kind meeting_report, announcement, how_we_started, typical_meeting, interview or article.",
            )
        })?),
        None => None,
    };
    let tag = nonempty(q.tag.as_deref()).map(|t| t.trim_start_matches('#').to_lowercase());
    let mut posts = blog::list_posts(
        svc,
        actor,
        &PostQuery {
            state: post_state,
            listing: Listing {
                group_id,
                kind: kind.map(PostKind::as_str),
                tag: tag.as_deref(),
                ..Listing::default()
            },
            after: before,
            limit: limit + 1,
            offset,
        },
    )
    .await?;
    let more = posts.len() as i64 > limit;
    posts.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(Json(PostList {
        next: more
            .then(|| posts.last().map(|p| p.row.slug.clone()))
            .flatten(),
        posts: posts.iter().map(|p| summary_out(svc, p)).collect(),
    }))
}

/// One post; a draft or a post in review only for its authors and coordinators.
#[utoipa::path(get, path = "/api/v1/posts/{slug}", tag = "posts",
    params(("slug" = String, Path, description = "The post's slug")),
    responses((status = 200, body = PostOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    me: Option<ApiUser>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<PostOut>, ApiError> {
    let actor = me.as_ref().map(|m| &m.0.actor);
    let post = blog::post(&state.svc, actor, &slug).await?;
    Ok(Json(post_out(&state.svc, &post, actor).await?))
}

/// A post as a client sends it; a change replaces every field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PostIn {
    /// Title (required), one line, at most 150 characters.
    pub title: String,
    /// One or two plain sentences for lists and feeds, at most 300
    /// characters; the start of the body when empty.
    pub summary: String,
    /// Markdown, at most 200,000 bytes.
    pub body: String,
    /// meeting_report, announcement, how_we_started, typical_meeting, interview or article.
    #[schema(schema_with = super::openapi::post_kind)]
    pub kind: String,
    /// Slug of the group it is about; empty for the whole community.
    pub group: String,
    /// Cover image URL (https://...), or empty.
    pub cover_image: String,
    /// Up to 10 tags: lowercase letters, digits and dashes.
    pub tags: Vec<String>,
}

impl PostIn {
    /// The form-shaped input of the use-cases, after the check only a list of
    /// tags needs (the form takes them as one line).
    fn input(self) -> Result<PostInput, InvalidInput> {
        if let Some(bad) = self
            .tags
            .iter()
            .find(|t| t.contains(|c: char| c == ',' || c.is_whitespace()))
        {
            return Err(InvalidInput::new(
                "tags",
                format!(
                    "{bad:?} is not one tag; give each tag as its own string, like \"web-dev\"."
                ),
            ));
        }
        Ok(PostInput {
            title: self.title,
            summary: self.summary,
            body: self.body,
            kind: self.kind,
            group: self.group,
            cover_image: self.cover_image,
            tags: self.tags.join(", "),
        })
    }
}

/// Starts a post as a draft (organizers about their group or the whole
/// community, trusted authors, coordinators).
#[utoipa::path(post, path = "/api/v1/posts", tag = "posts", request_body = PostIn,
    responses((status = 201, body = PostOut, headers(("Location" = String, description = "The new post in the API"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(body): ApiJson<PostIn>,
) -> Result<Response, ApiError> {
    let svc = &state.svc;
    let slug = blog::create_post(svc, &me.actor, &body.input()?).await?;
    let post = blog::post(svc, Some(&me.actor), &slug).await?;
    let mut r = (
        StatusCode::CREATED,
        Json(post_out(svc, &post, Some(&me.actor)).await?),
    )
        .into_response();
    let location = svc.site.link(&format!("/api/v1/posts/{slug}"));
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// Replaces a post's fields (its authors and coordinators); the earlier
/// text is kept as a revision.
#[utoipa::path(put, path = "/api/v1/posts/{slug}", tag = "posts", request_body = PostIn,
    params(("slug" = String, Path, description = "The post's slug")),
    responses((status = 200, body = PostOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<PostIn>,
) -> Result<Json<PostOut>, ApiError> {
    let svc = &state.svc;
    blog::update_post(svc, &me.actor, &slug, &body.input()?).await?;
    let post = blog::post(svc, Some(&me.actor), &slug).await?;
    Ok(Json(post_out(svc, &post, Some(&me.actor)).await?))
}

/// Submitting a post.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PublishIn {
    /// Send a post the substance check held back to a coordinator's review
    /// anyway.
    pub anyway: bool,
}

/// A post held back by the substance check: an [`ErrorBody`] with code
/// `held_back`, field `body` and the advice.
fn held_back(advice: Vec<&'static str>) -> Response {
    let body = ErrorBody {
        error: crate::error::ErrorDetail {
            code: "held_back".to_owned(),
            message: "This post gives only logistics (when, where, food), which belong to the event. \
                      Add what the advice suggests, or submit with \"anyway\": true to have a coordinator review it."
                .to_owned(),
            field: Some("body".to_owned()),
            advice: Some(advice.into_iter().map(str::to_owned).collect()),
        },
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// Submits a post: a trusted author's or a coordinator's is published, an
/// organizer's goes to review. A post that gives only logistics is held
/// back with advice (422) and nothing changes, unless `anyway` is true,
/// when it goes to review. The body may be left out.
#[utoipa::path(post, path = "/api/v1/posts/{slug}/publish", tag = "posts", request_body(content = Option<PublishIn>),
    params(("slug" = String, Path, description = "The post's slug")),
    responses((status = 200, description = "Published, or in review: see `state`", body = PostOut),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "Held back by the substance check (code `held_back`, with `advice`), or a malformed body", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(slug): ApiPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let svc = &state.svc;
    let f: PublishIn = if body.iter().all(u8::is_ascii_whitespace) {
        PublishIn::default()
    } else {
        serde_json::from_slice::<Option<PublishIn>>(&body)
            .map_err(|e| {
                InvalidInput::new(
                    "body",
                    format!("Send {{\"anyway\": true}}, or nothing: {e}"),
                )
            })?
            .unwrap_or_default()
    };
    match blog::submit_post(svc, &me.actor, &slug, f.anyway).await? {
        Submitted::Published | Submitted::InReview => {
            let post = blog::post(svc, Some(&me.actor), &slug).await?;
            Ok(Json(post_out(svc, &post, Some(&me.actor)).await?).into_response())
        }
        Submitted::HeldBack(advice) => Ok(held_back(advice)),
    }
}

/// A comment that is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentOut {
    /// Id.
    pub id: i64,
    /// Its writer's name.
    pub author: String,
    /// Markdown.
    pub body: String,
    /// The body rendered to HTML that is safe to show.
    pub html: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A post's shown comments, oldest first.
#[utoipa::path(get, path = "/api/v1/posts/{slug}/comments", tag = "posts",
    params(("slug" = String, Path, description = "The post's slug")),
    responses((status = 200, body = Vec<CommentOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn comments(
    State(state): State<AppState>,
    me: Option<ApiUser>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<CommentOut>>, ApiError> {
    let svc = &state.svc;
    let post = blog::post(svc, me.as_ref().map(|m| &m.0.actor), &slug).await?;
    let mut out = Vec::new();
    for c in blog::comments(svc, post.row.id).await? {
        out.push(CommentOut {
            id: c.id,
            html: blog::comment_html(svc, &c).await?,
            author: c.author,
            body: c.body,
            created_at: c.created_at,
        });
    }
    Ok(Json(out))
}

/// A new comment.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CommentIn {
    /// Markdown, at most 5,000 characters.
    pub body: String,
}

/// Where a new comment went.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentedOut {
    /// `visible`, or `held` for a moderator (a new account's first comment).
    #[schema(schema_with = super::openapi::comment_state)]
    pub state: String,
    /// What happens next, in words.
    pub message: String,
}

/// A member comments on a published post. A new account's first comment
/// waits for a moderator (202); later ones are shown at once (201).
#[utoipa::path(post, path = "/api/v1/posts/{slug}/comments", tag = "posts", request_body = CommentIn,
    params(("slug" = String, Path, description = "The post's slug")),
    responses((status = 201, body = CommentedOut), (status = 202, description = "Held for a moderator", body = CommentedOut),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn comment(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<CommentIn>,
) -> Result<Response, ApiError> {
    let checks = BotChecks::without_form(ip);
    let (status, out) =
        match blog::add_comment(&state.svc, &me.actor, &slug, &body.body, &checks).await? {
            Commented::Visible => (
                StatusCode::CREATED,
                CommentedOut {
                    state: "visible".to_owned(),
                    message: "Your comment is shown.".to_owned(),
                },
            ),
            Commented::Held => (
                StatusCode::ACCEPTED,
                CommentedOut {
                    state: "held".to_owned(),
                    message: "Thank you. A new account's first comment is shown once a moderator has read it."
                        .to_owned(),
                },
            ),
        };
    Ok((status, Json(out)).into_response())
}
