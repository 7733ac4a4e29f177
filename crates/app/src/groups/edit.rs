//! Creating, proposing, approving, changing and confirming entries.

use super::input::{GroupInput, ValidGroup, validate};
use super::revisions::{diff, record, stored_links};
use crate::mail::{queue_email, templates};
use crate::{AppError, AppResult, Services};
use convene_domain::{Action, Actor, InvalidInput, authorize};
use convene_store::groups::{self, Origin};
use convene_store::{StoreError, Tx, users};

/// A slug that is free (no group's, no regional calendar's): `base`, else
/// `base-2`, `base-3`...
async fn free_slug(svc: &Services, base: &str) -> AppResult<String> {
    let mut conn = svc.db.conn().await?;
    let mut taken = groups::slugs_like(conn.ex(), base).await?;
    taken.extend(
        convene_store::calendars::all(conn.ex())
            .await?
            .into_iter()
            .map(|c| c.slug),
    );
    if !taken.iter().any(|s| s == base) {
        return Ok(base.to_owned());
    }
    let stem: String = base.chars().take(60).collect();
    Ok((2..)
        .map(|n| format!("{stem}-{n}"))
        .find(|s| !taken.contains(s))
        .unwrap_or_else(|| format!("{stem}-x")))
}

/// The conflict answer for a taken slug. The failed transaction is given up
/// first (PostgreSQL refuses further queries in it), and the free slug is
/// looked up outside it.
async fn slug_taken(svc: &Services, tx: Tx, slug: &str) -> AppError {
    drop(tx);
    match free_slug(svc, slug).await {
        Ok(free) => AppError::Conflict(format!(
            "Another group already has the address /groups/{slug}. {free} is free; use it or choose another."
        )),
        Err(e) => e,
    }
}

/// Groups and regional calendars share one namespace: a group's calendar
/// lives at `/calendars/{slug}` beside the regional ones, so a group may
/// not take a regional calendar's slug (and [`crate::calendars`] refuses
/// the other way round).
pub(crate) async fn refuse_calendar_slug(tx: &mut Tx, slug: &str) -> AppResult<()> {
    match convene_store::calendars::by_slug(tx.ex(), slug).await? {
        Some(c) => Err(AppError::Conflict(format!(
            "The regional calendar {} already has the address /calendars/{slug}, which a group's calendar would share; choose another address for the group.",
            c.name
        ))),
        None => Ok(()),
    }
}

async fn insert(
    svc: &Services,
    actor: &Actor,
    input: &GroupInput,
    approval: &str,
) -> AppResult<(i64, ValidGroup)> {
    let valid = validate(input)?;
    let mut tx = svc.db.begin().await?;
    refuse_calendar_slug(&mut tx, &valid.fields.slug).await?;
    let origin = Origin {
        approval,
        proposed_by: Some(actor.user_id),
        source: "web",
        imported_at: None,
    };
    let id = match groups::insert(tx.ex(), &valid.fields, origin, svc.clock.now()).await {
        Ok(id) => id,
        Err(StoreError::Duplicate) => return Err(slug_taken(svc, tx, &valid.fields.slug).await),
        Err(e) => return Err(e.into()),
    };
    groups::replace_links(tx.ex(), id, &valid.links).await?;
    let summary = if approval == "pending" {
        "proposed"
    } else {
        "created"
    };
    record(
        &mut tx,
        svc,
        id,
        Some(actor.user_id),
        summary,
        &diff(None, &valid),
    )
    .await?;
    tx.commit().await?;
    Ok((id, valid))
}

/// A coordinator adds an entry directly. Returns its slug.
pub async fn create_group(svc: &Services, actor: &Actor, input: &GroupInput) -> AppResult<String> {
    authorize(Some(actor), &Action::AdministerSite)?;
    Ok(insert(svc, actor, input, "approved").await?.1.fields.slug)
}

/// Any signed-in person proposes a group; it waits for a coordinator.
pub async fn propose_group(svc: &Services, actor: &Actor, input: &GroupInput) -> AppResult<String> {
    authorize(Some(actor), &Action::ManageOwnAccount)?;
    Ok(insert(svc, actor, input, "pending").await?.1.fields.slug)
}

/// A coordinator's decision on a proposal.
#[derive(Debug, Clone)]
pub enum Review<'a> {
    /// List it.
    Approve,
    /// Do not list it, for this reason (mailed to the proposer).
    Reject(&'a str),
}

/// Approves or rejects a pending proposal and tells the proposer by email.
pub async fn review_proposal(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    review: Review<'_>,
) -> AppResult<()> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let mut tx = svc.db.begin().await?;
    let group = groups::by_slug(tx.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no such group."))?;
    if group.approval != "pending" {
        return Err(AppError::Conflict(
            "This proposal was already reviewed.".into(),
        ));
    }
    let now = svc.clock.now();
    let proposer = match group.proposed_by {
        Some(id) => users::by_id(tx.ex(), id).await?,
        None => None,
    };
    match review {
        Review::Approve => {
            groups::set_approval(tx.ex(), group.id, "approved", None, now).await?;
            groups::confirm(tx.ex(), group.id, Some(actor.user_id), now).await?;
            record(&mut tx, svc, group.id, Some(actor.user_id), "approved", &[]).await?;
            if let Some(p) = &proposer {
                let link = svc.site.link(&format!("/groups/{}", group.slug));
                queue_email(
                    &mut tx,
                    svc,
                    &p.email,
                    Some(&p.display_name),
                    templates::proposal_approved(
                        &svc.site.name,
                        &p.display_name,
                        &group.name,
                        &link,
                    ),
                )
                .await?;
            }
        }
        Review::Reject(reason) => {
            let reason = convene_domain::groups::check_text("reason", reason, 2000)?;
            if reason.is_empty() {
                return Err(InvalidInput::new(
                    "reason",
                    "Say why, so the proposer can do better next time.",
                )
                .into());
            }
            groups::set_approval(tx.ex(), group.id, "rejected", Some(&reason), now).await?;
            record(&mut tx, svc, group.id, Some(actor.user_id), "rejected", &[]).await?;
            if let Some(p) = &proposer {
                queue_email(
                    &mut tx,
                    svc,
                    &p.email,
                    Some(&p.display_name),
                    templates::proposal_rejected(
                        &svc.site.name,
                        &p.display_name,
                        &group.name,
                        &reason,
                    ),
                )
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// An organizer of the group (or a coordinator) changes its entry; the
/// change is kept as a revision. Returns the (maybe new) slug.
pub async fn update_group(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    input: &GroupInput,
) -> AppResult<String> {
    // The group is read first and the permission checked against its id,
    // in the transaction that saves the change: whatever the slug named
    // when the role was given, only this group's organizers pass.
    let mut tx = svc.db.begin().await?;
    let group = groups::by_slug(tx.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no such group."))?;
    authorize(Some(actor), &Action::EditGroup { group: group.id })?;
    // An empty slug keeps the address the group has.
    let mut input = input.clone();
    if input.slug.trim().is_empty() {
        input.slug = slug.to_owned();
    }
    let valid = validate(&input)?;
    if valid.fields.slug != group.slug && !actor.is_coordinator() {
        return Err(InvalidInput::new(
            "slug",
            "Only a coordinator can change a group's address, since links to it would break.",
        )
        .into());
    }
    let old_links = stored_links(&groups::links(tx.ex(), group.id).await?);
    let changes = diff(Some((&group.fields(), &old_links)), &valid);
    if changes.is_empty() {
        return Ok(group.slug);
    }
    if valid.fields.slug != group.slug {
        refuse_calendar_slug(&mut tx, &valid.fields.slug).await?;
    }
    let now = svc.clock.now();
    match groups::update(tx.ex(), group.id, &valid.fields, None, now).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => return Err(slug_taken(svc, tx, &valid.fields.slug).await),
        Err(e) => return Err(e.into()),
    }
    groups::replace_links(tx.ex(), group.id, &valid.links).await?;
    // Editing the entry is also confirming it is current.
    groups::confirm(tx.ex(), group.id, Some(actor.user_id), now).await?;
    record(
        &mut tx,
        svc,
        group.id,
        Some(actor.user_id),
        "edited",
        &changes,
    )
    .await?;
    tx.commit().await?;
    Ok(valid.fields.slug)
}

/// An organizer (or coordinator) says the entry is still right.
pub async fn confirm_group(svc: &Services, actor: &Actor, slug: &str) -> AppResult<()> {
    let mut tx = svc.db.begin().await?;
    let group = groups::by_slug(tx.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("There is no such group."))?;
    authorize(Some(actor), &Action::EditGroup { group: group.id })?;
    groups::confirm(tx.ex(), group.id, Some(actor.user_id), svc.clock.now()).await?;
    record(
        &mut tx,
        svc,
        group.id,
        Some(actor.user_id),
        "confirmed as current",
        &[],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
