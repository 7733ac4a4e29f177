//! Adding (or proposing) a group, editing it, confirming it, and reviewing proposals.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, Visitor};
use crate::headers::see_other;
use crate::pages::{FormErrors, PageCtx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::groups::{self, GroupInput, Review};
use convene_domain::groups::LinkKind;

/// How many link rows the form offers.
const LINK_ROWS: usize = 8;

#[derive(Template)]
#[template(path = "groups/form.html")]
struct FormPage {
    ctx: PageCtx,
    action: String,
    input: GroupInput,
    link_rows: Vec<(usize, String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    proposing: bool,
    errors: FormErrors,
}

const FIELDS: [&str; 14] = [
    "name",
    "slug",
    "short_description",
    "description",
    "city",
    "region",
    "country",
    "latitude",
    "longitude",
    "languages",
    "meeting_pattern",
    "founded",
    "status",
    "links",
];

fn form_page(
    state: &AppState,
    visitor: &Visitor,
    title: &str,
    action: String,
    input: GroupInput,
    proposing: bool,
    errors: FormErrors,
) -> FormPage {
    let mut link_rows: Vec<(usize, String, String)> = input
        .links
        .iter()
        .enumerate()
        .map(|(i, (k, u))| (i, k.clone(), u.clone()))
        .collect();
    while link_rows.len() < LINK_ROWS.max(input.links.len() + 2) {
        link_rows.push((
            link_rows.len(),
            if link_rows.is_empty() {
                "website".into()
            } else {
                String::new()
            },
            String::new(),
        ));
    }
    FormPage {
        ctx: PageCtx::new(state, visitor, title),
        action,
        input,
        link_rows,
        kinds: LinkKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        proposing,
        errors,
    }
}

/// The form as sent: plain fields plus `link_kind_N` / `link_url_N` pairs.
fn read_form(pairs: Vec<(String, String)>) -> GroupInput {
    let mut input = GroupInput::default();
    let mut kinds = std::collections::BTreeMap::new();
    let mut urls = std::collections::BTreeMap::new();
    for (k, v) in pairs {
        match k.as_str() {
            "name" => input.name = v,
            "slug" => input.slug = v,
            "short_description" => input.short_description = v,
            "description" => input.description = v,
            "city" => input.city = v,
            "region" => input.region = v,
            "country" => input.country = v,
            "latitude" => input.latitude = v,
            "longitude" => input.longitude = v,
            "languages" => input.languages = v,
            "meeting_pattern" => input.meeting_pattern = v,
            "founded" => input.founded = v,
            "status" => input.status = v,
            _ => {
                if let Some(n) = k
                    .strip_prefix("link_kind_")
                    .and_then(|n| n.parse::<usize>().ok())
                {
                    kinds.insert(n, v);
                } else if let Some(n) = k
                    .strip_prefix("link_url_")
                    .and_then(|n| n.parse::<usize>().ok())
                {
                    urls.insert(n, v);
                }
            }
        }
    }
    input.links = urls
        .into_iter()
        .filter(|(_, u)| !u.trim().is_empty())
        .map(|(n, u)| (kinds.remove(&n).unwrap_or_else(|| "website".into()), u))
        .collect();
    input
}

/// `GET /groups/new`.
pub async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let proposing = !me.actor.is_coordinator();
    let title = if proposing {
        "Propose a group"
    } else {
        "Add a group"
    };
    Ok(render(
        StatusCode::OK,
        &form_page(
            &state,
            &visitor,
            title,
            "/groups/new".into(),
            GroupInput {
                status: "active".into(),
                ..GroupInput::default()
            },
            proposing,
            FormErrors::default(),
        ),
    ))
}

/// `POST /groups/new`: coordinators add, everyone else proposes.
pub async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let input = read_form(pairs);
    let proposing = !me.actor.is_coordinator();
    let result = if proposing {
        groups::propose_group(&state.svc, &me.actor, &input).await
    } else {
        groups::create_group(&state.svc, &me.actor, &input).await
    };
    match result {
        Ok(slug) => Ok(see_other(&format!(
            "/groups/{slug}?done={}",
            if proposing { "proposed" } else { "group-saved" }
        ))),
        Err(e) => {
            let Some((status, errors)) = FormErrors::from_app(&e, &FIELDS) else {
                return Err(e.into());
            };
            let title = if proposing {
                "Propose a group"
            } else {
                "Add a group"
            };
            Ok(render(
                status,
                &form_page(
                    &state,
                    &visitor,
                    title,
                    "/groups/new".into(),
                    input,
                    proposing,
                    errors,
                ),
            ))
        }
    }
}

/// `GET /groups/{slug}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let page = groups::group_page(&state.svc, Some(&me.actor), &slug).await?;
    convene_domain::authorize(
        Some(&me.actor),
        &convene_domain::Action::EditGroup {
            group: page.group.id,
        },
    )?;
    let g = &page.group;
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let input = GroupInput {
        name: g.name.clone(),
        slug: g.slug.clone(),
        short_description: g.short_description.clone(),
        description: g.description.clone(),
        city: g.city.clone(),
        region: g.region.clone(),
        country: g.country.clone(),
        latitude: num(g.latitude),
        longitude: num(g.longitude),
        languages: g.languages.clone(),
        meeting_pattern: g.meeting_pattern.clone(),
        founded: g.founded.clone(),
        status: g.status.clone(),
        links: page
            .links
            .iter()
            .map(|l| (l.kind.clone(), l.url.clone()))
            .collect(),
    };
    Ok(render(
        StatusCode::OK,
        &form_page(
            &state,
            &visitor,
            &format!("Edit {}", g.name),
            format!("/groups/{slug}/edit"),
            input,
            false,
            FormErrors::default(),
        ),
    ))
}

/// `POST /groups/{slug}/edit`.
pub async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let input = read_form(pairs);
    match groups::update_group(&state.svc, &me.actor, &slug, &input).await {
        Ok(new_slug) => Ok(see_other(&format!("/groups/{new_slug}?done=group-saved"))),
        Err(e) => {
            let Some((status, errors)) = FormErrors::from_app(&e, &FIELDS) else {
                return Err(e.into());
            };
            Ok(render(
                status,
                &form_page(
                    &state,
                    &visitor,
                    "Edit the group",
                    format!("/groups/{slug}/edit"),
                    input,
                    false,
                    errors,
                ),
            ))
        }
    }
}

/// `POST /groups/{slug}/confirm`.
pub async fn confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    groups::confirm_group(&state.svc, &me.actor, &slug).await?;
    Ok(see_other(&format!("/groups/{slug}?done=group-confirmed")))
}

/// A coordinator's decision.
#[derive(Debug, serde::Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /groups/{slug}/review`.
pub async fn review(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let (review, done) = if form.decision == "approve" {
        (Review::Approve, "approved")
    } else {
        (Review::Reject(&form.reason), "rejected")
    };
    groups::review_proposal(&state.svc, &me.actor, &slug, review).await?;
    Ok(see_other(&format!("/groups/{slug}?done={done}")))
}

/// `GET /groups/confirm/{token}`: the emailed one-click link shows a button
/// (a mail scanner fetching the link does not spend it).
pub async fn confirm_link_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    convene_app::accounts::link_is_usable(
        &state.svc,
        &token,
        convene_app::accounts::LinkPurpose::ConfirmGroup,
    )
    .await?;
    let page = crate::pages::auth::ConfirmLink {
        ctx: PageCtx::new(&state, &visitor, "Confirm the group's entry"),
        intro: "Press the button to confirm that the group still meets as its entry says.",
        action: format!("/groups/confirm/{token}"),
        button: "Yes, the entry is right",
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /groups/confirm/{token}`.
pub async fn confirm_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let slug = groups::confirm_by_link(&state.svc, &token).await?;
    Ok(see_other(&format!("/groups/{slug}?done=group-confirmed")))
}
