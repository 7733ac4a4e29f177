//! The API's OpenAPI document is valid OpenAPI 3.1 by an independent
//! validator (Python's openapi-spec-validator), and the API answers what it
//! documents: every error an operation's path, query, token or body can
//! cause is in the document, in the `ErrorBody` shape the server sends.
//!
//! The validator needs `python3` with `openapi-spec-validator`
//! (`pip install openapi-spec-validator`); without it that test prints a
//! notice and passes, unless `CONVENE_REQUIRE_ORACLE=1` (CI). CI also runs
//! schemathesis against a served site (`.ci/schemathesis`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const VALIDATOR: &str = include_str!("oracle/validate_openapi.py");

fn validator_available() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .is_ok_and(|o| o.status.success())
}

async fn document(app: &TestApp) -> Value {
    let r = app
        .send(call("GET", "/api/v1/openapi.json", None, None))
        .await;
    r.assert_status(StatusCode::OK);
    r.json()
}

/// Every operation in the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.clone(), path.clone(), op.clone()));
        }
    }
    out
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1_for_an_independent_validator() {
    if !validator_available() {
        if std::env::var("CONVENE_REQUIRE_ORACLE").as_deref() == Ok("1") {
            panic!("CONVENE_REQUIRE_ORACLE=1 but python3 with openapi-spec-validator is missing");
        }
        eprintln!(
            "skipped: python3 with openapi-spec-validator is not installed (pip install openapi-spec-validator)"
        );
        return;
    }
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    let script = dir.path().join("validate_openapi.py");
    std::fs::write(&file, doc.to_string()).unwrap();
    std::fs::write(&script, VALIDATOR).unwrap();
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&file)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "openapi-spec-validator refuses the document:\n{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.starts_with("valid OpenAPI 3.1"), "{said}");
}

#[tokio::test]
async fn every_operation_documents_the_errors_its_request_can_cause() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let ops = operations(&doc);
    assert!(ops.len() >= 30, "only {} operations", ops.len());
    let mut ids = BTreeSet::new();
    for (method, path, op) in &ops {
        let at = format!("{} {path}", method.to_uppercase());
        let id = op["operationId"].as_str().unwrap();
        assert!(ids.insert(id.to_owned()), "{at}: operationId {id} repeats");
        let responses = op["responses"].as_object().unwrap();
        for (status, r) in responses {
            assert!(
                r["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{at} {status} has no description"
            );
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    r["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{at} {status} is not an ErrorBody"
                );
            }
        }
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let in_path = params.iter().any(|p| p["in"] == "path");
        let in_query = params.iter().any(|p| p["in"] == "query");
        let token = op["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        for (name, link) in responses
            .values()
            .filter_map(|r| r["links"].as_object())
            .flatten()
        {
            let to = link["operationId"].as_str().unwrap();
            assert!(
                ops.iter().any(|(_, _, o)| o["operationId"] == to),
                "{at}: link {name} leads to no operation {to}"
            );
        }
        let mut needed = vec!["500"];
        if in_path || in_query {
            needed.push("400");
        }
        if in_path {
            needed.push("404");
        }
        if token {
            needed.push("401");
        }
        if op.get("requestBody").is_some() {
            needed.extend(["413", "422"]);
        }
        for status in needed {
            assert!(
                responses.contains_key(status),
                "{at} can answer {status} but does not document it"
            );
        }
        for p in &params {
            if p["in"] == "path" {
                assert_eq!(p["required"], true, "{at}: path parameter {}", p["name"]);
            } else {
                assert_ne!(
                    p["required"], true,
                    "{at}: query parameter {} is required",
                    p["name"]
                );
            }
        }
    }
    // Closed sets of values are enums.
    let schemas = &doc["components"]["schemas"];
    for (schema, field, value) in [
        ("ListOut", "policy", "announce"),
        ("ListOut", "archive", "members"),
        ("SubscriptionOut", "delivery", "digest"),
        ("SubscriptionOut", "state", "pending"),
        ("DeliveryIn", "delivery", "paused"),
        ("PostIn", "kind", "meeting_report"),
        ("PostSummaryOut", "state", "in_review"),
        ("GroupOut", "status", "dormant"),
        ("GroupOut", "continent", "SA"),
        ("LinkOut", "kind", "blog_feed"),
        ("EventOut", "status", "tentative"),
        ("EventIn", "status", "cancelled"),
        ("JobOut", "state", "dead"),
        ("RoleOut", "role", "calendar_editor"),
        ("NewInvitation", "role", "trusted_author"),
        ("CommentedOut", "state", "held"),
    ] {
        let values = schemas[schema]["properties"][field]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema}.{field} is not an enum"));
        assert!(
            values.contains(&json!(value)),
            "{schema}.{field}: {values:?}"
        );
    }
    let threads = &doc["paths"]["/api/v1/lists/{name}/threads"]["get"]["parameters"];
    let month = threads
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "month")
        .unwrap();
    assert_ne!(month["required"], true, "month must be optional");
    assert_eq!(month["in"], "query");
}

#[tokio::test]
async fn unreadable_path_and_query_values_get_a_400_in_the_error_shape_and_change_nothing() {
    let app = TestApp::new().await;
    let _coord = coordinator(&app).await;
    let auth = bearer(&app, "coord@example.org").await;
    let before = app.fingerprint().await;
    for (method, path, field) in [
        ("POST", "/api/v1/jobs/99999999999999999999/retry", "id"),
        ("POST", "/api/v1/jobs/abc/retry", "id"),
        ("DELETE", "/api/v1/invitations/1e3", "id"),
        ("POST", "/api/v1/invitations/-/resend", "id"),
        ("GET", "/api/v1/lists/organizers/messages/x1", "id"),
        ("GET", "/api/v1/groups?limit=ten", "query"),
        ("GET", "/api/v1/groups?fresh=maybe", "query"),
        ("GET", "/api/v1/jobs?state=dead&state=done", "query"),
        ("GET", "/api/v1/events/1.5/occurrences", "id"),
    ] {
        let r = app.send(call(method, path, Some(&auth), None)).await;
        r.assert_status(StatusCode::BAD_REQUEST);
        let body = r.json();
        assert_eq!(body["error"]["code"], "invalid", "{method} {path}");
        assert_eq!(body["error"]["field"], field, "{method} {path}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(field) || field == "query",
            "{method} {path}: {message}"
        );
    }
    // An id that reads as a number is the operation's business: here a
    // conflict (no dead job has it), in the same shape.
    let r = app
        .send(call("POST", "/api/v1/jobs/12345/retry", Some(&auth), None))
        .await;
    r.assert_status(StatusCode::CONFLICT);
    assert_eq!(r.json()["error"]["code"], "conflict", "{}", r.body);
    // A malformed month is named; a missing one means the newest (none yet).
    let r = app
        .send(call(
            "GET",
            "/api/v1/lists/organizers/threads?month=2026-13",
            Some(&auth),
            None,
        ))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "month");
    let r = app
        .send(call(
            "GET",
            "/api/v1/lists/organizers/threads",
            Some(&auth),
            None,
        ))
        .await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.json(), json!([]));
    // Values outside a documented closed set are refused, even where
    // another parameter makes them unused.
    for (path, field) in [
        ("/api/v1/groups?q=python&continent=Atlantis", "continent"),
        ("/api/v1/groups?status=sleeping", "status"),
        ("/api/v1/jobs?state=null", "state"),
    ] {
        let r = app.send(call("GET", path, Some(&auth), None)).await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["field"], field, "{path}");
    }
    assert_eq!(app.fingerprint().await, before);
}
