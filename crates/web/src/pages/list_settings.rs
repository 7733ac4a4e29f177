//! Creating a mailing list and changing its settings: `/lists/new` (a site
//! list for coordinators, `?group=` for a group's organizers) and
//! `/lists/{name}/settings`.

use super::{FormErrors, PageCtx, render};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, Visitor};
use crate::headers::see_other;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use convene_app::lists::settings::{self, ListHome};
use convene_domain::list_settings::{
    ARCHIVES, DEFAULT_MAX_BYTES, ListSettingsInput, POLICIES, POSTERS, REPLY_TO, show_megabytes,
};
use serde::Deserialize;

/// The settings form as sent (and as shown again after a mistake).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SettingsForm {
    /// The list's name (new lists only).
    #[serde(default)]
    name: String,
    /// The group's slug (new group lists only).
    #[serde(default)]
    group: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    policy: String,
    #[serde(default)]
    posters: String,
    #[serde(default)]
    archive: String,
    #[serde(default)]
    subject_prefix: String,
    #[serde(default)]
    footer: String,
    #[serde(default)]
    reply_to: String,
    #[serde(default)]
    max_megabytes: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    rewrite_from: Option<String>,
}

impl SettingsForm {
    fn input(&self) -> ListSettingsInput<'_> {
        ListSettingsInput {
            display_name: &self.display_name,
            description: &self.description,
            policy: &self.policy,
            posters: &self.posters,
            archive: &self.archive,
            subject_prefix: &self.subject_prefix,
            footer: &self.footer,
            reply_to: &self.reply_to,
            max_megabytes: &self.max_megabytes,
            rewrite_from: self.rewrite_from.is_some(),
        }
    }

    fn home(&self) -> ListHome<'_> {
        if self.group.trim().is_empty() {
            ListHome::Site
        } else {
            ListHome::Group(self.group.trim())
        }
    }
}

const FIELDS: [&str; 11] = [
    "name",
    "display_name",
    "description",
    "policy",
    "posters",
    "archive",
    "subject_prefix",
    "footer",
    "reply_to",
    "max_megabytes",
    "rewrite_from",
];

type Choices = Vec<(&'static str, &'static str)>;

#[derive(Template)]
#[template(path = "lists/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    action: String,
    creating: bool,
    form: SettingsForm,
    errors: FormErrors,
    policies: Choices,
    posters: Choices,
    archives: Choices,
    reply_to: Choices,
    mail_domain: String,
}

fn page(
    state: &AppState,
    ctx: PageCtx,
    action: String,
    creating: bool,
    form: SettingsForm,
    errors: FormErrors,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &SettingsPage {
            ctx,
            action,
            creating,
            form,
            errors,
            policies: POLICIES.to_vec(),
            posters: POSTERS.to_vec(),
            archives: ARCHIVES.to_vec(),
            reply_to: REPLY_TO.to_vec(),
            mail_domain: convene_app::lists::mail_domain(&state.svc),
        },
    )
}

/// `?group=` on the new-list form.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    /// The group the list is for.
    #[serde(default)]
    group: String,
}

/// `GET /lists/new`: the form for a new list.
pub async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let form = SettingsForm {
        group: q.group.clone(),
        name: q.group.clone(),
        policy: "open".into(),
        posters: "members".into(),
        archive: "members".into(),
        reply_to: "poster".into(),
        max_megabytes: show_megabytes(DEFAULT_MAX_BYTES),
        ..SettingsForm::default()
    };
    if !settings::may_create(&state.svc, &me.actor, form.home()).await? {
        return Err(convene_app::AppError::NotAllowed(if q.group.is_empty() {
            "Only coordinators create the site's lists; a group's organizers create lists from their group's page."
        } else {
            "Only the group's organizers create its lists."
        })
        .into());
    }
    let ctx = PageCtx::new(&state, &visitor, "A new mailing list");
    Ok(page(
        &state,
        ctx,
        "/lists/new".into(),
        true,
        form,
        FormErrors::default(),
    ))
}

/// `POST /lists/new`.
pub async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match settings::create_list(
        &state.svc,
        &me.actor,
        form.home(),
        &form.name,
        &form.input(),
    )
    .await
    {
        Ok(list) => Ok(see_other(&format!(
            "/lists/{}?done=list-created",
            list.row.name
        ))),
        Err(e) => match FormErrors::from_app(&e, &FIELDS) {
            Some((_, errors)) => {
                let ctx = PageCtx::new(&state, &visitor, "A new mailing list");
                Ok(page(&state, ctx, "/lists/new".into(), true, form, errors))
            }
            None => Err(e.into()),
        },
    }
}

/// `GET /lists/{name}/settings`.
pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(q): Query<super::lists::Done>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let list = settings::for_settings(&state.svc, &me.actor, &name).await?;
    let r = &list.row;
    let form = SettingsForm {
        name: r.name.clone(),
        group: list.group.as_ref().map(|g| g.0.clone()).unwrap_or_default(),
        display_name: r.display_name.clone(),
        description: r.description.clone(),
        policy: r.policy.clone(),
        posters: r.posters.clone(),
        archive: r.archive.clone(),
        subject_prefix: r.subject_prefix.trim_end().to_owned(),
        footer: r.footer.clone(),
        reply_to: r.reply_to.clone(),
        max_megabytes: show_megabytes(r.max_bytes),
        rewrite_from: r.rewrite_from.then(String::new),
    };
    let ctx = PageCtx::new(&state, &visitor, format!("{}: settings", r.display_name))
        .with_notice(q.done.as_deref());
    Ok(page(
        &state,
        ctx,
        format!("/lists/{}/settings", r.name),
        false,
        form,
        FormErrors::default(),
    ))
}

/// `POST /lists/{name}/settings`.
pub async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    CsrfForm(mut form): CsrfForm<SettingsForm>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    match settings::update_settings(&state.svc, &me.actor, &name, &form.input()).await {
        Ok(list) => Ok(see_other(&format!(
            "/lists/{}/settings?done=list-settings-saved",
            list.row.name
        ))),
        Err(e) => match FormErrors::from_app(&e, &FIELDS) {
            Some((_, errors)) => {
                let list = settings::for_settings(&state.svc, &me.actor, &name).await?;
                form.name = list.row.name.clone();
                let ctx = PageCtx::new(
                    &state,
                    &visitor,
                    format!("{}: settings", list.row.display_name),
                );
                Ok(page(
                    &state,
                    ctx,
                    format!("/lists/{}/settings", list.row.name),
                    false,
                    form,
                    errors,
                ))
            }
            None => Err(e.into()),
        },
    }
}
