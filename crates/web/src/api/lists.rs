//! Mailing lists in the API: the lists, the caller's own subscriptions, and
//! the archive (threads by month, one message), under the same visibility
//! rules as the pages.

use super::ApiUser;
use super::openapi::ErrorBody;
use super::{ApiPath, ApiQuery};
use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use convene_app::lists::{self, ListView, archive};
use convene_domain::InvalidInput;
use convene_store::list_archive::ArchivedRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListOut {
    /// Its name (the local part of its address).
    pub name: String,
    /// Its shown name.
    pub display_name: String,
    /// What it is for.
    pub description: String,
    /// The address to write to.
    pub address: String,
    /// The group it belongs to, by slug; none for a site list.
    pub group: Option<String>,
    /// `open`, `moderated` or `announce`.
    #[schema(schema_with = super::openapi::list_policy)]
    pub policy: String,
    /// `public`, `members` or `private`.
    #[schema(schema_with = super::openapi::list_archive)]
    pub archive: String,
    /// Active members.
    pub members: i64,
}

fn list_out(l: &ListView) -> ListOut {
    ListOut {
        name: l.row.name.clone(),
        display_name: l.row.display_name.clone(),
        description: l.row.description.clone(),
        address: l.address.clone(),
        group: l.group.as_ref().map(|g| g.0.clone()),
        policy: l.row.policy.clone(),
        archive: l.row.archive.clone(),
        members: l.members,
    }
}

/// Every list.
#[utoipa::path(get, path = "/api/v1/lists", tag = "lists",
    responses((status = 200, body = Vec<ListOut>)))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<ListOut>>, ApiError> {
    Ok(Json(
        lists::all_lists(&state.svc)
            .await?
            .iter()
            .map(list_out)
            .collect(),
    ))
}

/// One list.
#[utoipa::path(get, path = "/api/v1/lists/{name}", tag = "lists",
    params(("name" = String, Path, description = "The list's name")),
    responses((status = 200, body = ListOut), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ListOut>, ApiError> {
    Ok(Json(list_out(&lists::list(&state.svc, &name).await?)))
}

/// One of the caller's subscriptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionOut {
    /// The list's name.
    pub list: String,
    /// `pending` (waiting for the confirmation link) or `active`.
    #[schema(schema_with = super::openapi::membership_state)]
    pub state: String,
    /// `each` (every message as it comes), `digest` (one daily digest) or
    /// `paused`.
    #[schema(schema_with = super::openapi::delivery)]
    pub delivery: String,
    /// True when bounces paused delivery.
    pub paused_by_bounces: bool,
    /// When the caller's last digest went out (RFC 3339).
    pub last_digest_at: Option<String>,
    /// Why a later digest has not reached the caller, if one has not.
    pub digest_problem: Option<String>,
}

/// The caller's subscriptions as the API shows them.
pub(super) async fn subscriptions(
    state: &AppState,
    actor: &convene_domain::Actor,
) -> Result<Vec<SubscriptionOut>, ApiError> {
    let mut out = Vec::new();
    for (m, name, _) in lists::my_subscriptions(&state.svc, actor).await? {
        let report = lists::digest_report(&state.svc, m.id).await?;
        out.push(SubscriptionOut {
            list: name,
            state: m.state,
            delivery: m.delivery,
            paused_by_bounces: m.bounce_paused_at.is_some(),
            last_digest_at: report.last_sent_at.map(|t| t.to_rfc3339()),
            digest_problem: report.problem.map(|p| p.last_error),
        });
    }
    Ok(out)
}

/// The caller's subscriptions (by account or by address).
#[utoipa::path(get, path = "/api/v1/me/lists", tag = "lists",
    responses((status = 200, body = Vec<SubscriptionOut>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<SubscriptionOut>>, ApiError> {
    Ok(Json(subscriptions(&state, &me.actor).await?))
}

/// An archived message.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    /// Its number (its page is `/lists/{name}/archive/{id}`).
    pub id: i64,
    /// The first message of its thread.
    pub thread: i64,
    /// Its Message-ID, with angle brackets.
    pub message_id: String,
    /// The Message-ID it answers.
    pub in_reply_to: Option<String>,
    /// Subject.
    pub subject: String,
    /// The writer's name.
    pub from_name: String,
    /// When it was written (RFC 3339).
    pub sent_at: String,
    /// How deep it answers within its thread (in a month's listing).
    pub depth: usize,
    /// Its text (only for a single message).
    pub text: Option<String>,
}

fn message_out(m: &ArchivedRow, depth: usize, with_text: bool) -> MessageOut {
    MessageOut {
        id: m.id,
        thread: m.thread_id.unwrap_or(m.id),
        message_id: m.message_id.clone(),
        in_reply_to: m.in_reply_to.clone(),
        subject: m.subject.clone(),
        from_name: m.from_name.clone(),
        sent_at: m.sent_at.to_rfc3339(),
        depth,
        text: with_text.then(|| m.body_text.clone()),
    }
}

/// `?month=YYYY-MM`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct MonthQuery {
    /// The month, `YYYY-MM`; by default (or when empty) the newest month
    /// with messages.
    #[param(pattern = r"^([0-9]{4}-(0[1-9]|1[0-2]))?$")]
    pub month: Option<String>,
}

/// A month of the archive, as threads (each a list of messages in order):
/// the month asked for, or the newest one with messages (none when the
/// archive is empty).
#[utoipa::path(get, path = "/api/v1/lists/{name}/threads", tag = "lists",
    params(("name" = String, Path, description = "The list's name"), MonthQuery),
    responses((status = 200, body = Vec<Vec<MessageOut>>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn threads(
    State(state): State<AppState>,
    me: Option<ApiUser>,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Json<Vec<Vec<MessageOut>>>, ApiError> {
    let actor = me.as_ref().map(|m| &m.0.actor);
    let list = archive::readable(&state.svc, &name, actor).await?;
    let month = match q.month.as_deref().filter(|m| !m.is_empty()) {
        Some(m) if archive::is_month(m) => m.to_owned(),
        Some(_) => {
            return Err(InvalidInput::new(
                "month",
                "Give the month as YYYY-MM, e.g. 2026-11, or leave it out for the newest.",
            )
            .into());
        }
        None => match archive::months(&state.svc, &list).await?.into_iter().max() {
            Some((newest, _)) => newest,
            None => return Ok(Json(Vec::new())),
        },
    };
    Ok(Json(
        archive::month(&state.svc, &list, &month)
            .await?
            .iter()
            .map(|t| {
                t.messages
                    .iter()
                    .map(|(m, d)| message_out(m, *d, false))
                    .collect()
            })
            .collect(),
    ))
}

/// One archived message with its text.
#[utoipa::path(get, path = "/api/v1/lists/{name}/messages/{id}", tag = "lists",
    params(("name" = String, Path, description = "The list's name"), ("id" = i64, Path, description = "The message's number")),
    responses((status = 200, body = MessageOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn message(
    State(state): State<AppState>,
    me: Option<ApiUser>,
    ApiPath((name, id)): ApiPath<(String, i64)>,
) -> Result<Json<MessageOut>, ApiError> {
    let actor = me.as_ref().map(|m| &m.0.actor);
    let list = archive::readable(&state.svc, &name, actor).await?;
    let (row, _) = archive::message(&state.svc, &list, id).await?;
    Ok(Json(message_out(&row, 0, true)))
}
