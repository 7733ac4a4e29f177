//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! completed by [`conventions`] with what every operation shares: the error
//! answers its extractors can give (400 for an unreadable path or query
//! value, 401 for a missing or bad token, 404 for an unknown path value, 413
//! and 422 for bodies), each in the [`ErrorBody`] shape, a description on
//! every answer, and unique operation ids.

use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub use crate::error::{ErrorBody, ErrorDetail};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `convene admin token EMAIL`."))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "convene API", description = "The JSON API of a convene site.", license(name = "AGPL-3.0-or-later")),
    paths(
        super::me::me,
        super::groups::list,
        super::groups::get_one,
        super::groups::create,
        super::groups::update,
        super::events::list,
        super::events::get_one,
        super::events::occurrences,
        super::events::create,
        super::events::update,
        super::events::cancel,
        super::posts::list,
        super::posts::get_one,
        super::posts::create,
        super::posts::update,
        super::posts::publish,
        super::posts::comments,
        super::posts::comment,
        super::invitations::list,
        super::invitations::create,
        super::invitations::resend,
        super::invitations::revoke,
        super::lists::list,
        super::lists::get_one,
        super::lists::threads,
        super::lists::message,
        super::lists::mine,
        super::my_lists::join,
        super::my_lists::change,
        super::my_lists::leave,
        super::jobs::list,
        super::jobs::retry,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// The whole document.
pub fn openapi() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    conventions(&mut doc);
    doc
}

/// `GET /api/v1/openapi.json`: built once, served from memory.
pub async fn document() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| openapi().to_string());
    ([(header::CONTENT_TYPE, "application/json")], body.as_str())
}

/// What an answer means when an operation does not say more.
fn standard_description(status: &str) -> &'static str {
    match status {
        "200" => "Done; the result is in the body.",
        "201" => "Created; the new resource is in the body.",
        "202" => "Accepted; it waits for a confirmation or a moderator.",
        "204" => "Done; there is no body.",
        "400" => {
            "A path or query value could not be read as its documented type; `error.field` names it."
        }
        "401" => {
            "No bearer token, or one that is unknown, revoked or expired (see `WWW-Authenticate`)."
        }
        "403" => "The token's account may not do this.",
        "404" => "There is nothing at this address (an unknown id, slug or name).",
        "409" => "It conflicts with the resource's current state; `error.message` says how.",
        "413" => "The request body is larger than this operation accepts.",
        "422" => {
            "A value was read but is not acceptable; `error.field` names it and `error.message` says what to send."
        }
        "429" => "Too many attempts; wait for `Retry-After` seconds.",
        "500" => "Something went wrong on the server's side; it is logged. Try again later.",
        _ => "See the error's message.",
    }
}

fn error_response(status: &str) -> Value {
    json!({
        "description": standard_description(status),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    })
}

/// Where a value in one answer is used next, as OpenAPI links that clients
/// (and schemathesis's stateful tests) follow: (operation, status, the
/// operation it leads to, its parameter, where the value is).
const LINKS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "events_create",
        "201",
        "events_get_one",
        "id",
        "$response.body#/id",
    ),
    (
        "events_create",
        "201",
        "events_update",
        "id",
        "$response.body#/id",
    ),
    (
        "events_create",
        "201",
        "events_occurrences",
        "id",
        "$response.body#/id",
    ),
    (
        "events_create",
        "201",
        "events_cancel",
        "id",
        "$response.body#/id",
    ),
    (
        "events_list",
        "200",
        "events_get_one",
        "id",
        "$response.body#/0/id",
    ),
    (
        "groups_create",
        "201",
        "groups_get_one",
        "slug",
        "$response.body#/slug",
    ),
    (
        "groups_create",
        "201",
        "groups_update",
        "slug",
        "$response.body#/slug",
    ),
    (
        "groups_list",
        "200",
        "groups_get_one",
        "slug",
        "$response.body#/0/slug",
    ),
    (
        "posts_create",
        "201",
        "posts_get_one",
        "slug",
        "$response.body#/slug",
    ),
    (
        "posts_create",
        "201",
        "posts_update",
        "slug",
        "$response.body#/slug",
    ),
    (
        "posts_create",
        "201",
        "posts_publish",
        "slug",
        "$response.body#/slug",
    ),
    (
        "posts_create",
        "201",
        "posts_comments",
        "slug",
        "$response.body#/slug",
    ),
    (
        "posts_publish",
        "200",
        "posts_comment",
        "slug",
        "$response.body#/slug",
    ),
    (
        "posts_list",
        "200",
        "posts_get_one",
        "slug",
        "$response.body#/posts/0/slug",
    ),
    (
        "posts_list",
        "200",
        "posts_comment",
        "slug",
        "$response.body#/posts/0/slug",
    ),
    (
        "invitations_list",
        "200",
        "invitations_resend",
        "id",
        "$response.body#/0/id",
    ),
    (
        "invitations_list",
        "200",
        "invitations_revoke",
        "id",
        "$response.body#/0/id",
    ),
    (
        "lists_list",
        "200",
        "lists_get_one",
        "name",
        "$response.body#/0/name",
    ),
    (
        "lists_list",
        "200",
        "lists_threads",
        "name",
        "$response.body#/0/name",
    ),
    (
        "lists_mine",
        "200",
        "lists_change",
        "name",
        "$response.body#/0/list",
    ),
    (
        "lists_mine",
        "200",
        "lists_leave",
        "name",
        "$response.body#/0/list",
    ),
    (
        "lists_threads",
        "200",
        "lists_message",
        "id",
        "$response.body#/0/0/id",
    ),
    (
        "jobs_list",
        "200",
        "jobs_retry",
        "id",
        "$response.body#/0/id",
    ),
];

/// Adds [`LINKS`] to the answers they start from.
fn add_links(paths: &mut Map<String, Value>) {
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let Some(id) = op["operationId"].as_str().map(str::to_owned) else {
                continue;
            };
            for (_, status, to, param, value) in LINKS.iter().filter(|l| l.0 == id) {
                let mut parameters = json!({ *param: value });
                // The message's list is the one the threads were read from.
                if *to == "lists_message" {
                    parameters["name"] = json!("$request.path.name");
                }
                if let Some(response) = op["responses"].get_mut(*status) {
                    response["links"][*to] = json!({
                        "operationId": to,
                        "parameters": parameters,
                    });
                }
            }
        }
    }
}

/// Completes every operation in `doc` with what the API's extractors and
/// error type make true of all of them.
fn conventions(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    complete_operations(paths);
    add_links(paths);
}

fn complete_operations(paths: &mut Map<String, Value>) {
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            complete_operation(method, op);
        }
    }
}

fn complete_operation(method: &str, op: &mut Map<String, Value>) {
    let params: Vec<Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let has = |place: &str| params.iter().any(|p| p["in"] == place);
    let (in_path, in_query) = (has("path"), has("query"));
    let has_body = op.contains_key("requestBody");
    let takes_token = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|reqs| reqs.iter().any(|r| r.get("bearer").is_some()));
    // Unique across the document: the tag names the resource.
    if let (Some(tag), Some(id)) = (
        op.get("tags")
            .and_then(|t| t.get(0))
            .and_then(Value::as_str)
            .map(str::to_owned),
        op.get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned),
    ) {
        op.insert("operationId".into(), json!(format!("{tag}_{id}")));
    } else if let Some(id) = op.get("operationId").and_then(Value::as_str) {
        op.insert("operationId".into(), json!(format!("{method}_{id}")));
    }
    let responses = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(responses) = responses else {
        return;
    };
    let mut add = |status: &str| {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| error_response(status));
    };
    if in_path || in_query {
        add("400");
    }
    if takes_token {
        add("401");
    }
    if in_path {
        add("404");
    }
    if has_body {
        add("413");
        add("422");
    }
    add("500");
    for (status, response) in responses.iter_mut() {
        if let Some(r) = response.as_object_mut()
            && r.get("description")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        {
            r.insert("description".into(), json!(standard_description(status)));
        }
    }
}

/// A string schema that takes only `values`.
fn closed_set<'a>(values: impl IntoIterator<Item = &'a str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.into_iter().map(str::to_owned)))
        .description(Some(description))
        .build()
}

/// A string schema that takes only `values`, or empty for "any".
fn closed_set_or_empty<'a>(values: impl IntoIterator<Item = &'a str>, description: &str) -> Object {
    closed_set(std::iter::once("").chain(values), description)
}

/// A kind of post to list, or empty for all.
pub fn post_kind_filter() -> Object {
    closed_set_or_empty(
        convene_domain::posts::PostKind::ALL.map(|k| k.as_str()),
        "The kind of post; empty for all.",
    )
}

/// The group statuses to list, or empty for all.
pub fn group_status_filter() -> Object {
    use convene_domain::groups::GroupStatus;
    closed_set_or_empty(
        [
            GroupStatus::Active,
            GroupStatus::Dormant,
            GroupStatus::Closed,
        ]
        .map(GroupStatus::as_str),
        "Whether the group still meets; empty for all.",
    )
}

/// A group's status as a client sends it; empty for active.
pub fn group_status_in() -> Object {
    use convene_domain::groups::GroupStatus;
    closed_set_or_empty(
        [
            GroupStatus::Active,
            GroupStatus::Dormant,
            GroupStatus::Closed,
        ]
        .map(GroupStatus::as_str),
        "Whether the group still meets; empty (or left out) for active.",
    )
}

/// An event's status as a client sends it; empty for confirmed.
pub fn event_status_in() -> Object {
    use convene_domain::events::EventStatus;
    closed_set_or_empty(
        [
            EventStatus::Confirmed,
            EventStatus::Tentative,
            EventStatus::Cancelled,
        ]
        .map(EventStatus::as_str),
        "confirmed, tentative or cancelled; empty (or left out) for confirmed.",
    )
}

/// The job state to list, or empty for dead jobs.
pub fn job_state_filter() -> Object {
    closed_set_or_empty(
        convene_app::admin::JOB_STATES,
        "The jobs' state; empty (or left out) for dead jobs.",
    )
}

/// The kinds of post.
pub fn post_kind() -> Object {
    closed_set(
        convene_domain::posts::PostKind::ALL.map(|k| k.as_str()),
        "The kind of post.",
    )
}

/// The states of a post.
pub fn post_state() -> Object {
    closed_set(
        convene_domain::posts::PostState::ALL.map(|k| k.as_str()),
        "Where the post is: draft, in review, published, unlisted or archived.",
    )
}

/// Which posts a listing asks for.
pub fn listed_post_state() -> Object {
    closed_set(
        ["", "published", "draft", "review", "in_review"],
        "published (default); with a token, draft or review (in_review) for the posts its account may read.",
    )
}

/// Whether a group still meets.
pub fn group_status() -> Object {
    use convene_domain::groups::GroupStatus;
    closed_set(
        [
            GroupStatus::Active,
            GroupStatus::Dormant,
            GroupStatus::Closed,
        ]
        .map(GroupStatus::as_str),
        "Whether the group still meets.",
    )
}

/// The continents by code, or empty when unknown.
pub fn continent() -> Object {
    closed_set(
        std::iter::once("").chain(convene_places::Continent::all().map(|c| c.code())),
        "AF, AN, AS, EU, NA, OC or SA; empty when unknown.",
    )
}

/// A continent to filter by, or empty for all.
pub fn continent_filter() -> Object {
    closed_set_or_empty(
        convene_places::Continent::all().map(|c| c.code()),
        "A continent's code; empty for all.",
    )
}

/// The kinds of link a group has.
pub fn link_kind() -> Object {
    closed_set(
        convene_domain::groups::LinkKind::ALL.map(|k| k.as_str()),
        "What the link is.",
    )
}

/// An event's or occurrence's status.
pub fn event_status() -> Object {
    use convene_domain::events::EventStatus;
    closed_set(
        [
            EventStatus::Confirmed,
            EventStatus::Tentative,
            EventStatus::Cancelled,
        ]
        .map(EventStatus::as_str),
        "confirmed, tentative or cancelled.",
    )
}

/// A role.
pub fn role() -> Object {
    use convene_domain::Role;
    closed_set(
        [
            Role::Coordinator,
            Role::Organizer,
            Role::CalendarEditor,
            Role::TrustedAuthor,
        ]
        .map(Role::as_str),
        "The role.",
    )
}

/// How a list works.
pub fn list_policy() -> Object {
    closed_set(
        convene_domain::list_settings::POLICIES.map(|(v, _)| v),
        "open, moderated or announce.",
    )
}

/// Who reads a list's archive.
pub fn list_archive() -> Object {
    closed_set(
        convene_domain::list_settings::ARCHIVES.map(|(v, _)| v),
        "public, members or private.",
    )
}

/// How a member receives a list.
pub fn delivery() -> Object {
    closed_set(
        convene_app::lists::DELIVERY_MODES.map(|(v, _)| v),
        "each, digest or paused.",
    )
}

/// Where a subscription is.
pub fn membership_state() -> Object {
    closed_set(
        ["pending", "active"],
        "pending (waiting for the confirmation link) or active.",
    )
}

/// A job's state.
pub fn job_state() -> Object {
    closed_set(convene_app::admin::JOB_STATES, "The job's state.")
}

/// Where a new comment went.
pub fn comment_state() -> Object {
    closed_set(["visible", "held"], "visible, or held for a moderator.")
}
