//! Every change to an entry, kept as a revision that can be looked at and
//! gone back to.

use super::input::{LinkSpec, ValidGroup};
use crate::{AppError, AppResult, Services};
use convene_domain::{Action, Actor, authorize};
use convene_store::Tx;
use convene_store::groups::{self, GroupFields, LinkRow, RevisionRow};
use serde::{Deserialize, Serialize};

/// One field's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The field's name.
    pub field: String,
    /// Before (empty for a new entry).
    pub old: String,
    /// After.
    pub new: String,
}

fn field_values(f: &GroupFields) -> Vec<(&'static str, String)> {
    let num = |v: Option<f64>| v.map(|x| format!("{x}")).unwrap_or_default();
    vec![
        ("name", f.name.clone()),
        ("slug", f.slug.clone()),
        ("short_description", f.short_description.clone()),
        ("description", f.description.clone()),
        ("city", f.city.clone()),
        ("region", f.region.clone()),
        ("country", f.country.clone()),
        ("latitude", num(f.latitude)),
        ("longitude", num(f.longitude)),
        ("languages", f.languages.clone()),
        ("meeting_pattern", f.meeting_pattern.clone()),
        ("founded", f.founded.clone()),
        ("status", f.status.clone()),
    ]
}

fn links_text(links: &[LinkSpec]) -> String {
    links
        .iter()
        .map(|(k, u, _)| format!("{k} {u}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The links as stored, in the (kind, url, label) shape of [`ValidGroup`].
pub(crate) fn stored_links(rows: &[LinkRow]) -> Vec<LinkSpec> {
    rows.iter()
        .map(|l| (l.kind.clone(), l.url.clone(), l.label.clone()))
        .collect()
}

/// What differs between `old` (none for a new entry) and `new`.
pub(crate) fn diff(old: Option<(&GroupFields, &[LinkSpec])>, new: &ValidGroup) -> Vec<Change> {
    let mut out = Vec::new();
    let old_values = old.map(|(f, _)| field_values(f));
    for (i, (field, value)) in field_values(&new.fields).into_iter().enumerate() {
        let before = old_values
            .as_ref()
            .map(|v| v[i].1.clone())
            .unwrap_or_default();
        if before != value {
            out.push(Change {
                field: field.to_owned(),
                old: before,
                new: value,
            });
        }
    }
    let before = old.map(|(_, l)| links_text(l)).unwrap_or_default();
    let after = links_text(&new.links);
    if before != after {
        out.push(Change {
            field: "links".into(),
            old: before,
            new: after,
        });
    }
    out
}

/// Stores the revision for `changes` in `tx`.
pub(crate) async fn record(
    tx: &mut Tx,
    svc: &Services,
    group_id: i64,
    user_id: Option<i64>,
    summary: &str,
    changes: &[Change],
) -> AppResult<()> {
    let json = serde_json::to_string(changes).map_err(|e| AppError::Internal(e.to_string()))?;
    groups::insert_revision(tx.ex(), group_id, user_id, svc.clock.now(), summary, &json).await?;
    Ok(())
}

/// The revisions of the entry `slug`, newest first, with their changes (coordinators only).
pub async fn history(
    svc: &Services,
    actor: &Actor,
    slug: &str,
) -> AppResult<Vec<(RevisionRow, Vec<Change>)>> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let mut conn = svc.db.conn().await?;
    let group = groups::by_slug(conn.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no such group."))?;
    let revs = groups::revisions(conn.ex(), group.id).await?;
    Ok(revs
        .into_iter()
        .map(|r| {
            let changes = serde_json::from_str(&r.changes).unwrap_or_default();
            (r, changes)
        })
        .collect())
}

/// Puts the entry back as it was right after revision `revision_id`, by
/// replaying the history up to it, and records that as a new revision.
pub async fn revert_to(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    revision_id: i64,
) -> AppResult<String> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let mut tx = svc.db.begin().await?;
    let group = groups::by_slug(tx.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no such group."))?;
    let mut revs = groups::revisions(tx.ex(), group.id).await?;
    revs.reverse();
    if !revs.iter().any(|r| r.id == revision_id) {
        return Err(AppError::NotFound(
            "That revision does not belong to this group.",
        ));
    }
    let current_links = stored_links(&groups::links(tx.ex(), group.id).await?);
    let mut values: std::collections::BTreeMap<String, String> = field_values(&group.fields())
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    values.insert("links".into(), links_text(&current_links));
    // Undo, newest first, every revision after the target.
    for r in revs.iter().rev().take_while(|r| r.id != revision_id) {
        let changes: Vec<Change> =
            serde_json::from_str(&r.changes).map_err(|e| AppError::Internal(e.to_string()))?;
        for c in changes {
            values.insert(c.field, c.old);
        }
    }
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let input = super::GroupInput {
        name: get("name"),
        slug: get("slug"),
        short_description: get("short_description"),
        description: get("description"),
        city: get("city"),
        region: get("region"),
        country: get("country"),
        latitude: get("latitude"),
        longitude: get("longitude"),
        languages: get("languages"),
        meeting_pattern: get("meeting_pattern"),
        founded: get("founded"),
        status: get("status"),
        links: get("links")
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(k, u)| (k.to_owned(), u.to_owned()))
            .collect(),
    };
    let valid = super::validate(&input)?;
    let changes = diff(Some((&group.fields(), &current_links)), &valid);
    if valid.fields.slug != group.slug {
        super::edit::refuse_calendar_slug(&mut tx, &valid.fields.slug).await?;
    }
    match groups::update(tx.ex(), group.id, &valid.fields, None, svc.clock.now()).await {
        Ok(()) => {}
        Err(convene_store::StoreError::Duplicate) => {
            return Err(AppError::Conflict(format!(
                "Another group has the address /groups/{} now, so this revision cannot be put back as it was.",
                valid.fields.slug
            )));
        }
        Err(e) => return Err(e.into()),
    }
    groups::replace_links(tx.ex(), group.id, &valid.links).await?;
    record(
        &mut tx,
        svc,
        group.id,
        Some(actor.user_id),
        &format!("reverted to revision {revision_id}"),
        &changes,
    )
    .await?;
    tx.commit().await?;
    Ok(valid.fields.slug)
}
