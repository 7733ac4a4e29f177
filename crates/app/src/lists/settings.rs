//! Creating lists and changing their settings: coordinators run the site's
//! lists, a group's organizers run that group's lists.

use super::members::{ListView, list, view};
use crate::{AppError, AppResult, Services};
use convene_domain::list_settings::{ListSettings, ListSettingsInput};
use convene_domain::lists::check_list_name;
use convene_domain::{Action, Actor, InvalidInput, authorize};
use convene_store::StoreError;
use convene_store::lists::{self as store, ListFields, ListRow};

/// Where a new list belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListHome<'a> {
    /// A list of the whole site, run by coordinators.
    Site,
    /// A list of the group with this slug, run by its organizers.
    Group(&'a str),
}

fn fields(s: &ListSettings) -> ListFields<'_> {
    ListFields {
        display_name: &s.display_name,
        description: &s.description,
        policy: &s.policy,
        posters: &s.posters,
        archive: &s.archive,
        subject_prefix: &s.subject_prefix,
        footer: &s.footer,
        reply_to: &s.reply_to,
        max_bytes: s.max_bytes,
        rewrite_from: s.rewrite_from,
    }
}

/// True if `actor` may create a list in `home` (false for a group that
/// does not exist).
pub async fn may_create(svc: &Services, actor: &Actor, home: ListHome<'_>) -> AppResult<bool> {
    let mut conn = svc.db.conn().await?;
    Ok(match home {
        ListHome::Site => actor.is_coordinator(),
        ListHome::Group(slug) => convene_store::groups::by_slug(conn.ex(), slug)
            .await?
            .is_some_and(|g| authorize(Some(actor), &Action::EditGroup { group: g.id }).is_ok()),
    })
}

/// Creates the list `name` in `home` with `input`'s settings. Nothing is
/// stored unless every value is good and the name is free.
pub async fn create_list(
    svc: &Services,
    actor: &Actor,
    home: ListHome<'_>,
    name: &str,
    input: &ListSettingsInput<'_>,
) -> AppResult<ListView> {
    let mut tx = svc.db.begin().await?;
    // The group is found first and the permission checked against it, in
    // the transaction that stores the list.
    let group_id = match home {
        ListHome::Site => None,
        ListHome::Group(slug) => Some(
            convene_store::groups::by_slug(tx.ex(), slug)
                .await?
                .ok_or(AppError::NotFound("There is no such group."))?
                .id,
        ),
    };
    let allowed = match group_id {
        None => actor.is_coordinator(),
        Some(group) => authorize(Some(actor), &Action::EditGroup { group }).is_ok(),
    };
    if !allowed {
        return Err(AppError::NotAllowed(match home {
            ListHome::Site => "Only coordinators create the site's lists.",
            ListHome::Group(_) => "Only the group's organizers create its lists.",
        }));
    }
    let name = check_list_name(name)?;
    let settings = ListSettings::parse(input)?;
    let id = match store::insert_list(
        tx.ex(),
        &name,
        group_id,
        &fields(&settings),
        svc.clock.now(),
    )
    .await
    {
        Ok(id) => id,
        Err(StoreError::Duplicate) => {
            return Err(InvalidInput::new(
                "name",
                format!("There is already a list called \"{name}\"; choose another name."),
            )
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    let row = {
        let mut conn = svc.db.conn().await?;
        store::by_id(conn.ex(), id)
            .await?
            .ok_or(AppError::NotFound("There is no list at this address."))?
    };
    view(svc, row).await
}

/// The list `name` for one of its moderators to change.
pub async fn for_settings(svc: &Services, actor: &Actor, name: &str) -> AppResult<ListView> {
    let list = list(svc, name).await?;
    if !list.managed_by(Some(actor)) {
        return Err(AppError::NotAllowed(
            "Only the list's moderators change its settings.",
        ));
    }
    Ok(list)
}

/// Changes the settings of the list `name`. Nothing changes unless every
/// value is good.
pub async fn update_settings(
    svc: &Services,
    actor: &Actor,
    name: &str,
    input: &ListSettingsInput<'_>,
) -> AppResult<ListView> {
    let list = for_settings(svc, actor, name).await?;
    let settings = ListSettings::parse(input)?;
    let mut tx = svc.db.begin().await?;
    store::update_list(tx.ex(), list.row.id, &fields(&settings), svc.clock.now()).await?;
    tx.commit().await?;
    super::list(svc, &list.row.name).await
}

/// A group's lists, as stored (one query: the group's page shows them).
pub async fn group_lists(svc: &Services, group_id: i64) -> AppResult<Vec<ListRow>> {
    let mut conn = svc.db.conn().await?;
    Ok(store::for_group(conn.ex(), group_id).await?)
}
