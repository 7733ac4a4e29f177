//! Server-rendered pages. Every page works without JavaScript; forms follow
//! post/redirect/get with a notice shown after each action.

mod account;
pub mod admin;
pub(crate) mod auth;
mod blog;
pub mod calendar_views;
pub mod calendars;
mod embed;
mod events;
mod groups;
mod home;
pub mod http_cache;
mod invitations;
mod list_archive;
mod list_settings;
mod lists;
pub mod media;
mod setup;
mod weekly;

use crate::AppState;
use crate::extract::Visitor;
use crate::headers::see_other;
use crate::middleware::{SESSION_COOKIE, set_cookie};
use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use convene_app::AppError;
use convene_domain::SecretToken;

/// The largest blog post form accepted (the body itself may be 200,000 bytes;
/// the rest is the other fields and form encoding).
const POST_FORM_BYTES: usize = 1024 * 1024;

/// All page routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/calendar", get(calendars::site_calendar))
        .route("/calendar.ics", get(calendars::site_feed))
        .route("/calendar/past", get(calendars::site_past))
        .route("/calendars/{slug}/past", get(calendars::past))
        .route("/calendars", get(calendars::index).post(calendars::create))
        .route("/calendars/{slug}", get(calendars::show))
        .route("/calendars/{slug}/settings", post(calendars::settings))
        .route("/calendars/{slug}/groups", post(calendars::set_group))
        .route("/calendars/{slug}/sources", post(calendars::add_source))
        .route("/calendars/{slug}/follows", post(calendars::follow))
        .route(
            "/calendars/{slug}/sources/{id}/delete",
            post(calendars::remove_source),
        )
        .route(
            "/calendars/{slug}/import",
            get(calendars::import_reloaded)
                .post(calendars::import)
                .layer(axum::extract::DefaultBodyLimit::max(3 * 1024 * 1024)),
        )
        .route(
            "/calendars/{slug}/events/new",
            get(calendars::new_event_form).post(calendars::create_event),
        )
        .route("/groups/{slug}/events.ics", get(calendars::group_feed))
        .route("/events/repeat-choices", get(events::repeat_choices))
        .route("/static/event-form.js", get(events::event_form_script))
        .route("/events/{id}", get(events::show))
        .route(
            "/events/{id}/edit",
            get(events::edit_form).post(events::update),
        )
        .route("/events/{id}/cancel", post(events::cancel))
        .route("/events/{id}/delete", post(events::delete))
        .route(
            "/events/{id}/occurrence",
            get(events::occurrence_form).post(events::occurrence),
        )
        .route(
            "/events/{id}/following",
            get(events::following_form).post(events::following),
        )
        .route("/events/{id}/rsvp", post(events::rsvp))
        .route("/events/{id}/attendees", get(events::attendees))
        .route("/account/calendar-feed", post(events::new_member_feed))
        .route("/account/time-zone", post(events::set_time_zone))
        .route("/my-events/{token}", get(events::member_feed))
        .route("/embed/widget.js", get(embed::widget))
        .route("/embed/embed.css", get(embed::stylesheet))
        .route("/embed/calendars/{slug}", get(embed::calendar))
        .route("/embed/calendar", get(embed::site_calendar))
        .route("/embed/calendar.json", get(embed::site_json))
        .route("/blog", get(blog::index))
        .route(
            "/blog/new",
            get(blog::new_form)
                .post(blog::create)
                .layer(axum::extract::DefaultBodyLimit::max(POST_FORM_BYTES)),
        )
        .route("/blog/desk", get(blog::desk))
        .route("/blog/kind/{kind}", get(blog::by_kind))
        .route("/blog/kind/{kind}/{file}", get(blog::kind_feed))
        .route("/blog/tag/{tag}", get(blog::by_tag))
        .route("/blog/tag/{tag}/{file}", get(blog::tag_feed))
        .route("/blog/{slug}", get(blog::show))
        .route(
            "/blog/{slug}/edit",
            get(blog::edit_form)
                .post(blog::update)
                .layer(axum::extract::DefaultBodyLimit::max(POST_FORM_BYTES)),
        )
        .route("/blog/{slug}/submit", post(blog::submit))
        .route("/blog/{slug}/review", post(blog::review))
        .route("/blog/{slug}/feature", post(blog::feature))
        .route("/blog/{slug}/visibility", post(blog::visibility))
        .route("/blog/{slug}/comments", post(blog::comment))
        .route(
            "/blog/{slug}/photos",
            post(media::post_photo).layer(axum::extract::DefaultBodyLimit::max(
                media::PHOTO_FORM_BYTES,
            )),
        )
        .route(
            "/events/{id}/photos",
            post(media::event_photo).layer(axum::extract::DefaultBodyLimit::max(
                media::PHOTO_FORM_BYTES,
            )),
        )
        .route(
            "/groups/{slug}/photos",
            post(media::group_photo).layer(axum::extract::DefaultBodyLimit::max(
                media::PHOTO_FORM_BYTES,
            )),
        )
        .route("/photos/{id}/delete", post(media::remove))
        .route("/media/{*key}", get(media::file))
        .route("/static/embeds.js", get(media::embeds_script))
        .route("/blog/moderation", get(blog::moderation))
        .route("/blog/subscribe", post(blog::subscribe))
        .route(
            "/unsubscribe/{token}",
            get(blog::unsubscribe_form).post(blog::unsubscribe),
        )
        .route("/comments/{id}/report", post(blog::report))
        .route("/comments/{id}/moderate", post(blog::moderate))
        .route("/groups/{slug}/blog", get(blog::group))
        .route("/stories", get(blog::stories))
        .route("/lists", get(lists::index))
        .route("/lists/{name}", get(lists::show))
        .route(
            "/lists/new",
            get(list_settings::new_form).post(list_settings::create),
        )
        .route(
            "/lists/{name}/settings",
            get(list_settings::edit_form).post(list_settings::update),
        )
        .route("/lists/{name}/subscribe", post(lists::subscribe))
        .route(
            "/lists/{name}/archive",
            get(list_archive::index).post(list_archive::new_thread),
        )
        .route("/lists/{name}/archive/{item}", get(list_archive::item))
        .route(
            "/lists/{name}/archive/{id}/attachments/{number}",
            get(list_archive::attachment),
        )
        .route(
            "/lists/{name}/archive/{id}/reply",
            post(list_archive::reply),
        )
        .route("/lists/{name}/moderation", get(lists::moderation))
        .route("/lists/{name}/moderation/{id}", post(lists::decide))
        .route("/lists/{name}/feed.atom", get(list_archive::feed))
        .route(
            "/lists/confirm/{token}",
            get(lists::confirm_form).post(lists::confirm),
        )
        .route(
            "/unsubscribe/list/{token}",
            get(lists::unsubscribe_form).post(lists::unsubscribe),
        )
        .route("/weekly", get(weekly::index).post(weekly::subscribe))
        .route("/weekly.atom", get(weekly::feed))
        .route(
            "/weekly/confirm/{token}",
            get(weekly::confirm_form).post(weekly::confirm),
        )
        .route(
            "/unsubscribe/weekly/{token}",
            get(weekly::unsubscribe_form).post(weekly::unsubscribe),
        )
        .route("/account/lists", get(lists::mine))
        .route("/account/lists/{id}", post(lists::change_mine))
        .route("/signin", get(auth::signin_form).post(auth::signin))
        .route("/signout", post(auth::signout))
        .route("/signup", get(auth::signup_form).post(auth::signup))
        .route("/verify/{token}", get(auth::verify_form).post(auth::verify))
        .route(
            "/signin/link",
            get(auth::magic_form).post(auth::magic_request),
        )
        .route(
            "/signin/link/{token}",
            get(auth::magic_confirm_form).post(auth::magic_confirm),
        )
        .route(
            "/password/forgot",
            get(auth::forgot_form).post(auth::forgot),
        )
        .route(
            "/password/reset/{token}",
            get(auth::reset_form).post(auth::reset),
        )
        .route("/setup/{token}", get(setup::setup_form).post(setup::setup))
        .route(
            "/invitations/{token}",
            get(invitations::accept_form).post(invitations::accept),
        )
        .route("/account", get(account::account))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .merge(admin::routes())
        .merge(groups::routes())
        .merge(feed_routes())
}

/// The blog's feeds, at the addresses [`crate::feed_links`] gives the pages
/// and the feeds' self links.
fn feed_routes() -> Router<AppState> {
    use crate::feed_links::{self, FeedFormat};
    use axum::extract::{Path, State};
    use axum::http::HeaderMap;
    let mut router = Router::new();
    for format in FeedFormat::ALL {
        router = router
            .route(
                &feed_links::feed(feed_links::SITE_BLOG, format),
                get(
                    move |State(state): State<AppState>, headers: HeaderMap| async move {
                        blog::site_feed(&state, &headers, format).await
                    },
                ),
            )
            .route(
                &feed_links::group_feed_route(format),
                get(
                    move |State(state): State<AppState>,
                          headers: HeaderMap,
                          Path(slug): Path<String>| async move {
                        blog::group_feed(&state, &headers, &slug, format).await
                    },
                ),
            )
            .route(
                &feed_links::old_group_feed_route(format),
                get(move |Path(slug): Path<String>| async move {
                    blog::moved_group_feed(&slug, format)
                }),
            );
    }
    router
}

/// What the layout needs on every page.
#[derive(Debug, Clone)]
pub struct PageCtx {
    /// The page's title (before the site name).
    pub title: String,
    /// The site's name.
    pub site_name: String,
    /// The site's tagline; empty for none.
    pub tagline: String,
    /// The logo's address, if one was uploaded.
    pub logo: Option<String>,
    /// The accent colour's stylesheet, if a coordinator chose a colour.
    pub theme: Option<String>,
    /// The stylesheet's content-hashed address.
    pub stylesheet: String,
    /// The page's meta description.
    pub description: String,
    /// The page's own address, so "Sign in" comes back to it.
    pub here: String,
    /// The signed-in person's name, if any.
    pub user_name: Option<String>,
    /// True for coordinators (shows the Admin link).
    pub is_coordinator: bool,
    /// The CSRF token for forms on the page.
    pub csrf: String,
    /// A success message after an action.
    pub notice: Option<&'static str>,
}

impl PageCtx {
    /// The context for `visitor` looking at a page titled `title`.
    pub fn new(state: &AppState, visitor: &Visitor, title: impl Into<String>) -> Self {
        let mut ctx = Self::bare(title, &state.svc.site.name);
        ctx.user_name = visitor
            .signed_in
            .as_ref()
            .map(|s| s.user.display_name.clone());
        ctx.is_coordinator = visitor
            .signed_in
            .as_ref()
            .is_some_and(|s| s.actor.is_coordinator());
        ctx.csrf = visitor.csrf.clone();
        ctx
    }

    /// The context for nobody in particular (error pages), with the
    /// identity of the request being answered.
    fn bare(title: impl Into<String>, configured_name: &str) -> Self {
        let title = title.into();
        let scope = crate::layout::scope();
        let (site_name, tagline, logo, theme) = match &scope {
            Some(s) => (
                s.identity.name.clone(),
                s.identity.tagline.clone(),
                s.identity.logo.as_ref().map(|l| l.path()),
                s.identity.accent.as_ref().map(crate::layout::theme_href),
            ),
            None => (configured_name.to_owned(), String::new(), None, None),
        };
        let description = if tagline.is_empty() {
            format!(
                "{title} on {site_name}, the home of a family of user groups: where they meet, their calendars, blog and mailing lists."
            )
        } else {
            format!("{title} on {site_name}: {tagline}")
        };
        Self {
            title,
            site_name,
            tagline,
            logo,
            theme,
            stylesheet: crate::layout::stylesheet_href(),
            description,
            here: scope.map(|s| s.here).unwrap_or_default(),
            user_name: None,
            is_coordinator: false,
            csrf: String::new(),
            notice: None,
        }
    }

    /// Replaces the default meta description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The sign-in link that brings the visitor back to this page.
    pub fn signin_href(&self) -> String {
        signin_href(&self.here)
    }

    /// Adds the notice for `code` (from a `?done=` redirect), if known.
    pub fn with_notice(mut self, code: Option<&str>) -> Self {
        self.notice = code.and_then(notice_text);
        self
    }
}

/// The fixed success messages; a redirect names one by code, so nothing a
/// stranger puts in a URL is ever shown as a message.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "signed-in" => "You are signed in.",
        "signed-out" => "You are signed out.",
        "verified" => "Your email address is confirmed and you are signed in.",
        "password-set" => "Your new password is saved and you are signed in.",
        "welcome" => "Welcome! Your account is ready and you are signed in.",
        "invited" => "The invitation is on its way.",
        "resent" => "The invitation was sent again with a new link.",
        "revoked" => "The invitation was withdrawn; its link no longer works.",
        "retried" => "The job is queued again.",
        "token-revoked" => "The API token was revoked.",
        "signup-opened" => "Sign-up is open: anyone can create an account.",
        "signup-closed" => "Sign-up is closed: new people join by invitation only.",
        "proposed" => {
            "Thank you! A coordinator will look at your proposal; you will get an email when they have."
        }
        "group-saved" => "The group's entry is saved.",
        "held-accepted" => "The entry is listed as a group; edit it to add what it lacks.",
        "held-dismissed" => "The entry is dismissed; later imports of the same file leave it out.",
        "message-sent" => "Your message is on its way to the organizers.",
        "group-confirmed" => "Thank you: the entry is confirmed as current.",
        "approved" => "The group is approved and listed; the proposer gets an email.",
        "rejected" => "The proposal is rejected; the proposer gets an email with your reason.",
        "reverted" => "The entry is back as it was in that revision (recorded as a new revision).",
        "calendar-created" => {
            "The calendar is ready. Add events, include groups, or subscribe it to outside calendars below."
        }
        "calendar-saved" => "The calendar is saved.",
        "source-added" => {
            "The outside calendar is subscribed; its events arrive within a minute or two."
        }
        "source-removed" => "The outside calendar and its events are removed.",
        "followed" => "The follow is sent; the account's events show here once it accepts.",
        "event-saved" => "The event is saved.",
        "event-cancelled" => "The event is cancelled; it stays listed, struck through.",
        "event-deleted" => "The event is deleted.",
        "rsvp-going" => "You are going; a confirmation with the event attached is on its way.",
        "rsvp-waitlisted" => {
            "Every seat is taken, so you are on the waitlist; we will email you if a seat frees up."
        }
        "rsvp-saved" => "Your answer is saved.",
        "time-zone-saved" => "Your time zone is saved; calendars show times in it.",
        "post-saved" => "The post is saved.",
        "post-published" => "The post is published.",
        "post-in-review" => "Thank you! A coordinator will read the post before it is published.",
        "post-sent-back" => "The post is back with its authors, with your note.",
        "comment-shown" => "Your comment is published.",
        "comment-held" => {
            "Thank you! Your first comment waits for a moderator; later ones appear at once."
        }
        "comment-reported" => "Thank you; the moderators will look at it.",
        "comment-moderated" => "Done.",
        "photo-added" => "The photo is in the gallery.",
        "list-check-inbox" => {
            "Check your inbox: we sent a link to confirm the subscription. Nothing happens until it is followed."
        }
        "list-joined" => "You are subscribed. Messages to the list will reach you.",
        "list-changed" => "Your subscription is changed.",
        "list-created" => {
            "The list is ready. Subscribe yourself below; its settings are a link away."
        }
        "list-settings-saved" => "The list's settings are saved.",
        "list-moderated" => "Done.",
        "list-posted" => "Your message is on its way to the list's members.",
        "list-held" => {
            "Your message waits for a moderator: a new member's first message is read before it goes out."
        }
        "photo-removed" => "The photo is removed.",
        "settings-saved" => "The site's identity is saved; every page shows it now.",
        "subscribed" => "Subscribed: new posts will reach you by email, each with a link to stop.",
        "weekly-subscribed" => {
            "Subscribed: the weekly email comes on Mondays, from next week, each with a link to stop."
        }
        "weekly-check-inbox" => {
            "Check your inbox: we sent a link to confirm the address. Nothing is sent until it is followed."
        }
        "weekly-confirmed" => {
            "Confirmed: the weekly email comes on Mondays, from next week, each with a link to stop."
        }
        _ => return None,
    })
}

/// Errors on a form: one per field, shown by the field and in a summary.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub Vec<(&'static str, String)>);

impl FormErrors {
    /// The error for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// True when there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The error to show for `e` on a form with `fields`, or `None` if `e`
    /// is not about the form's input (and should become an error page).
    pub fn from_app(e: &AppError, fields: &[&'static str]) -> Option<(StatusCode, Self)> {
        let (status, _, message) = crate::error::classify(e);
        let field = match e {
            AppError::Invalid(i) if fields.contains(&i.field) => i.field,
            AppError::Invalid(_)
            | AppError::BadCredentials
            | AppError::Conflict(_)
            | AppError::RateLimited { .. }
            | AppError::SignupClosed => "",
            _ => return None,
        };
        Some((status, Self(vec![(field, message)])))
    }
}

/// Renders a template into a response, or a plain 500 if rendering fails.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: PageCtx,
    status: u16,
    heading: &'a str,
    message: &'a str,
}

/// A page in the layout saying what went wrong and what to do.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::UNAUTHORIZED => "Please sign in",
        StatusCode::GONE => "This link no longer works",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    let ctx = PageCtx::bare(heading, "");
    render(
        status,
        &ErrorPage {
            ctx,
            status: status.as_u16(),
            heading,
            message,
        },
    )
}

/// The 404 page for unknown addresses.
pub async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "There is nothing at this address. Check the link, or start again from the home page.",
    )
}

/// A redirect after a successful action that also starts a session.
pub fn signed_in_redirect(state: &AppState, session: &SecretToken, to: &str) -> Response {
    let https = state.svc.site.is_https();
    let cookie = set_cookie(
        SESSION_COOKIE.name(https),
        session.expose(),
        convene_app::accounts::SESSION_DAYS * 24 * 3600,
        https,
    );
    let mut response = see_other(to);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// Only same-site paths are followed after sign-in (no open redirects).
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n
        }
        _ => "/account",
    }
}

/// `/signin`, with `next` set to `here` when that is a page worth
/// returning to.
pub fn signin_href(here: &str) -> String {
    let back = safe_next(Some(here));
    if back == "/account"
        || here.is_empty()
        || here == "/"
        || here.starts_with("/signin")
        || here.starts_with("/signup")
    {
        return "/signin".to_owned();
    }
    let mut out = String::from("/signin?");
    out.push_str(&serde_urlencoded::to_string([("next", back)]).unwrap_or_default());
    out
}

/// A `?done=code` query, for notices after post/redirect/get.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    /// The notice code.
    pub done: Option<String>,
}
