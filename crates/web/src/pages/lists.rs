//! Mailing list pages: the lists, subscribing with a confirmation link,
//! one-click unsubscribe, and a member's own subscriptions.

use super::{PageCtx, render};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, Visitor};
use crate::headers::see_other;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::lists::{self, ListView};
use serde::Deserialize;

/// A list as the pages show it.
pub struct ListCard {
    name: String,
    display_name: String,
    description: String,
    address: String,
    join: String,
    leave: String,
    owner: String,
    members: i64,
    group: Option<(String, String)>,
    policy: &'static str,
    archive: &'static str,
}

fn card(state: &AppState, l: &ListView) -> ListCard {
    ListCard {
        name: l.row.name.clone(),
        display_name: l.row.display_name.clone(),
        description: l.row.description.clone(),
        address: l.address.clone(),
        join: l.address_for(&state.svc, "join"),
        leave: l.address_for(&state.svc, "leave"),
        owner: l.address_for(&state.svc, "owner"),
        members: l.members,
        group: l.group.clone(),
        policy: match l.row.policy.as_str() {
            "announce" => "Announcements only: moderators post, members read.",
            "moderated" => "Moderated: every message is read by a moderator first.",
            _ => {
                "Open discussion among members; a new member's first message waits for a moderator."
            }
        },
        archive: match l.row.archive.as_str() {
            "public" => "The archive is public.",
            "members" => "The archive is for members.",
            _ => "The archive is private.",
        },
    }
}

#[derive(Template)]
#[template(path = "lists/index.html")]
struct IndexPage {
    ctx: PageCtx,
    lists: Vec<ListCard>,
}

/// `?done=` after an action.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    /// The notice to show.
    pub done: Option<String>,
}

/// `GET /lists`.
pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let lists = lists::all_lists(&state.svc)
        .await?
        .iter()
        .map(|l| card(&state, l))
        .collect();
    Ok(render(
        StatusCode::OK,
        &IndexPage {
            ctx: PageCtx::new(&state, &visitor, "Mailing lists").with_notice(q.done.as_deref()),
            lists,
        },
    ))
}

#[derive(Template)]
#[template(path = "lists/show.html")]
struct ShowPage {
    ctx: PageCtx,
    list: ListCard,
    email: String,
    error: Option<String>,
    can_moderate: bool,
    /// The signed-in visitor's own subscription: state and delivery.
    mine: Option<(String, String)>,
    /// True when `mine` is an active subscription.
    subscribed: bool,
}

async fn show_page(
    state: &AppState,
    visitor: &Visitor,
    name: &str,
    done: Option<&str>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let list = lists::list(&state.svc, name).await?;
    let email = visitor
        .signed_in
        .as_ref()
        .map(|s| s.user.email.clone())
        .unwrap_or_default();
    let mine = match &visitor.signed_in {
        Some(me) => lists::my_subscriptions(&state.svc, &me.actor)
            .await?
            .into_iter()
            .find(|(m, _, _)| m.list_id == list.row.id)
            .map(|(m, _, _)| (m.state, m.delivery)),
        None => None,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &ShowPage {
            ctx: PageCtx::new(state, visitor, list.row.display_name.clone()).with_notice(done),
            can_moderate: list.managed_by(visitor.signed_in.as_ref().map(|s| &s.actor)),
            list: card(state, &list),
            email,
            error,
            subscribed: mine.as_ref().is_some_and(|(s, _)| s == "active"),
            mine,
        },
    ))
}

/// `GET /lists/{name}`.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    show_page(&state, &visitor, &name, q.done.as_deref(), None).await
}

/// The subscribe form.
#[derive(Debug, Deserialize)]
pub struct SubscribeForm {
    /// The address to subscribe.
    email: String,
}

/// `POST /lists/{name}/subscribe`: mails a confirmation link; signed in or not.
pub async fn subscribe(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    CsrfForm(f): CsrfForm<SubscribeForm>,
) -> Result<Response, PageError> {
    let actor = visitor.signed_in.as_ref().map(|s| &s.actor);
    match lists::request_subscription(&state.svc, &name, &f.email, actor).await {
        Ok(()) => Ok(see_other(&format!("/lists/{name}?done=list-check-inbox"))),
        Err(convene_app::AppError::Invalid(e)) => {
            show_page(&state, &visitor, &name, None, Some(e.message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "lists/confirm.html")]
struct ConfirmPage {
    ctx: PageCtx,
    token: String,
}

/// `GET /lists/confirm/{token}`: asks before confirming (a link scanner
/// fetching the link must not subscribe anyone).
pub async fn confirm_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Response {
    render(
        StatusCode::OK,
        &ConfirmPage {
            ctx: PageCtx::new(&state, &visitor, "Confirm your subscription"),
            token,
        },
    )
}

/// `POST /lists/confirm/{token}`.
pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let list = lists::confirm(&state.svc, &token).await?;
    Ok(see_other(&format!(
        "/lists/{}?done=list-joined",
        list.row.name
    )))
}

#[derive(Template)]
#[template(path = "lists/unsubscribe.html")]
struct UnsubscribePage {
    ctx: PageCtx,
    token: String,
    list: String,
    email: String,
    done: bool,
}

/// `GET /unsubscribe/list/{token}`: asks first.
pub async fn unsubscribe_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (member, list) = lists::by_member_token(&state.svc, &token).await?;
    Ok(render(
        StatusCode::OK,
        &UnsubscribePage {
            ctx: PageCtx::new(&state, &visitor, "Leave the list"),
            token,
            list: list.row.display_name.clone(),
            email: member.email,
            done: false,
        },
    ))
}

/// `POST /unsubscribe/list/{token}`: one click, from the page or straight
/// from a mail program (`List-Unsubscribe=One-Click`, RFC 8058).
pub async fn unsubscribe(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let list = lists::leave_by_token(&state.svc, &token).await?;
    Ok(render(
        StatusCode::OK,
        &UnsubscribePage {
            ctx: PageCtx::new(&state, &visitor, "You have left the list"),
            token,
            list: list.row.display_name.clone(),
            email: String::new(),
            done: true,
        },
    ))
}

/// A subscription on the member's page.
pub struct SubscriptionView {
    id: i64,
    list: String,
    display_name: String,
    state: String,
    delivery: String,
    paused_by_bounces: bool,
    /// For a digest member: when their last digest went out (shown, and
    /// RFC 3339 for `<time>`).
    last_digest: Option<(String, String)>,
    /// Why a later digest has not reached them.
    digest_problem: Option<String>,
}

#[derive(Template)]
#[template(path = "lists/mine.html")]
struct MinePage {
    ctx: PageCtx,
    subscriptions: Vec<SubscriptionView>,
    modes: Vec<(&'static str, &'static str)>,
}

/// `GET /account/lists`: every list the member is on, in one place.
pub async fn mine(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let mut subscriptions = Vec::new();
    for (m, name, display_name) in lists::my_subscriptions(&state.svc, &me.actor).await? {
        let report = lists::digest_report(&state.svc, m.id).await?;
        subscriptions.push(SubscriptionView {
            id: m.id,
            list: name,
            display_name,
            state: m.state,
            delivery: m.delivery,
            paused_by_bounces: m.bounce_paused_at.is_some(),
            last_digest: report
                .last_sent_at
                .map(|t| (t.format("%-d %B %Y, %H:%M UTC").to_string(), t.to_rfc3339())),
            digest_problem: report.problem.map(|p| {
                let when = p.updated_at.format("%-d %B %Y, %H:%M UTC");
                if p.state == "failed" {
                    format!(
                        "Issue {} of volume {} could not be delivered ({when}): {}",
                        p.issue, p.volume, p.last_error
                    )
                } else {
                    format!(
                        "Issue {} of volume {} is waiting for another try ({when}): {}",
                        p.issue, p.volume, p.last_error
                    )
                }
            }),
        });
    }
    Ok(render(
        StatusCode::OK,
        &MinePage {
            ctx: PageCtx::new(&state, &visitor, "Your mailing lists")
                .with_notice(q.done.as_deref()),
            subscriptions,
            modes: lists::DELIVERY_MODES.to_vec(),
        },
    ))
}

/// The delivery form.
#[derive(Debug, Deserialize)]
pub struct DeliveryForm {
    /// each, digest or paused; `leave` ends the subscription.
    delivery: String,
}

/// `POST /account/lists/{id}`: changes delivery, or leaves.
pub async fn change_mine(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<DeliveryForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    if f.delivery == "leave" {
        lists::leave_mine(&state.svc, &me.actor, id).await?;
    } else {
        lists::set_my_delivery(&state.svc, &me.actor, id, &f.delivery).await?;
    }
    Ok(see_other("/account/lists?done=list-changed"))
}

/// A held message on the moderation page.
pub struct HeldView {
    id: i64,
    subject: String,
    from: String,
    reason: String,
    when: String,
    body: String,
}

#[derive(Template)]
#[template(path = "lists/moderation.html")]
struct ModerationPage {
    ctx: PageCtx,
    name: String,
    display_name: String,
    held: Vec<HeldView>,
    digest_failures: Vec<DigestFailureView>,
}

/// A digest copy that did not go out, on the moderation page.
pub struct DigestFailureView {
    email: String,
    issue: String,
    state: String,
    error: String,
    when: String,
}

/// `GET /lists/{name}/moderation`: the held messages.
pub async fn moderation(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (list, held) = lists::moderation::queue(&state.svc, &me.actor, &name).await?;
    let held = held
        .into_iter()
        .map(|m| HeldView {
            id: m.id,
            subject: m.subject,
            from: if m.from_name.is_empty() {
                m.from_email
            } else {
                format!("{} <{}>", m.from_name, m.from_email)
            },
            reason: m.hold_reason.unwrap_or_default(),
            when: m.received_at.format("%-d %B %Y, %H:%M UTC").to_string(),
            body: m.body_text.chars().take(2000).collect(),
        })
        .collect();
    let digest_failures = lists::digest_failures(&state.svc, list.row.id)
        .await?
        .into_iter()
        .map(|f| DigestFailureView {
            email: f.email,
            issue: format!("Vol {}, Issue {}", f.volume, f.issue),
            state: if f.state == "failed" {
                "given up".into()
            } else {
                "will be tried again".into()
            },
            error: f.last_error,
            when: f.updated_at.format("%-d %B %Y, %H:%M UTC").to_string(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ModerationPage {
            ctx: PageCtx::new(
                &state,
                &visitor,
                format!("{}: moderation", list.row.display_name),
            )
            .with_notice(q.done.as_deref()),
            name: list.row.name.clone(),
            display_name: list.row.display_name.clone(),
            held,
            digest_failures,
        },
    ))
}

/// A moderator's decision.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    /// approve, reject or discard.
    decision: String,
    /// Mailed to the writer when rejecting.
    #[serde(default)]
    reason: String,
}

/// `POST /lists/{name}/moderation/{id}`.
pub async fn decide(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((name, id)): Path<(String, i64)>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    use lists::moderation::Decision;
    let me = visitor.require()?;
    let decision = Decision::parse(&f.decision).ok_or_else(|| {
        convene_app::AppError::from(convene_domain::InvalidInput::new(
            "decision",
            "Choose approve, reject or discard.",
        ))
    })?;
    lists::moderation::decide(&state.svc, &me.actor, &name, id, decision, &f.reason).await?;
    Ok(see_other(&format!(
        "/lists/{name}/moderation?done=list-moderated"
    )))
}
