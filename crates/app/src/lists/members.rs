//! Who is on a list: subscribing from the web with a confirmation link
//! (double opt-in), leaving in one click, and a member's own subscriptions.

use crate::mail::queue_email;
use crate::rate_limit;
use crate::{AppError, AppResult, Services};
use chrono::Duration;
use convene_domain::{Action, Actor, EmailAddress, InvalidInput, SecretToken, authorize};
use convene_store::lists::{self as store, ListRow, MemberRow};

/// How long a confirmation link works.
const CONFIRM_HOURS: i64 = 48;

/// The ways a member can receive a list.
pub const DELIVERY_MODES: [(&str, &str); 3] = [
    ("each", "Each message"),
    ("digest", "Daily digest"),
    ("paused", "Paused"),
];

/// A list as pages show it.
#[derive(Debug, Clone)]
pub struct ListView {
    /// The stored list.
    pub row: ListRow,
    /// Its group: slug and name.
    pub group: Option<(String, String)>,
    /// Active members.
    pub members: i64,
    /// The address to write to.
    pub address: String,
}

impl ListView {
    /// An address of the list: `""` for posting, or `join`, `leave`, `owner`.
    pub fn address_for(&self, svc: &Services, suffix: &str) -> String {
        let domain = super::mail_domain(svc);
        if suffix.is_empty() {
            format!("{}@{domain}", self.row.name)
        } else {
            format!("{}-{suffix}@{domain}", self.row.name)
        }
    }

    /// True if `actor` runs the list: coordinators, and a group list's organizers.
    pub fn managed_by(&self, actor: Option<&Actor>) -> bool {
        match &self.group {
            None => actor.is_some_and(Actor::is_coordinator),
            Some(_) => self
                .row
                .group_id
                .is_some_and(|group| authorize(actor, &Action::EditGroup { group }).is_ok()),
        }
    }
}

pub(super) async fn view(svc: &Services, row: ListRow) -> AppResult<ListView> {
    let mut conn = svc.db.conn().await?;
    let members = store::count_active(conn.ex(), row.id).await?;
    let group = match row.group_id {
        Some(id) => convene_store::groups::by_id(conn.ex(), id)
            .await?
            .map(|g| (g.slug, g.name)),
        None => None,
    };
    let address = format!("{}@{}", row.name, super::mail_domain(svc));
    Ok(ListView {
        row,
        group,
        members,
        address,
    })
}

/// Every list, site lists first.
pub async fn all_lists(svc: &Services) -> AppResult<Vec<ListView>> {
    let rows = {
        let mut conn = svc.db.conn().await?;
        store::all(conn.ex()).await?
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(view(svc, row).await?);
    }
    Ok(out)
}

/// The list called `name`.
pub async fn list(svc: &Services, name: &str) -> AppResult<ListView> {
    let row = {
        let mut conn = svc.db.conn().await?;
        store::by_name(conn.ex(), &name.trim().to_ascii_lowercase())
            .await?
            .ok_or(AppError::NotFound("There is no list at this address."))?
    };
    view(svc, row).await
}

/// What asking to join did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinAsked {
    /// A confirmation link is on its way.
    Asked,
    /// The address is already subscribed: nothing was sent.
    AlreadyMember,
    /// The address was sent enough links today: nothing was sent.
    TooMany,
}

/// Confirmation emails per address and list a day: anyone can ask for
/// someone else's address (from the web or with a forged From), so this
/// bounds what a stranger can make convene send to that person.
const JOIN_REQUESTS: rate_limit::Limit = rate_limit::Limit {
    name: "list-join",
    max: 3,
    window: Duration::days(1),
};

/// Records a request to subscribe `email` (already checked and lowercased)
/// and mails it a confirmation link; nothing else changes until the link
/// is followed. Shared by the web form and `{list}-join@`.
pub async fn ask_to_join(
    svc: &Services,
    list: &ListRow,
    email: &str,
    user_id: Option<i64>,
) -> AppResult<JoinAsked> {
    match rate_limit::check(svc, JOIN_REQUESTS, &[&format!("{}:{email}", list.id)]).await {
        Ok(()) => {}
        Err(AppError::RateLimited { .. }) => return Ok(JoinAsked::TooMany),
        Err(e) => return Err(e),
    }
    let confirm = svc.tokens.new_token();
    let member_token = super::new_member_token(svc.tokens.as_ref());
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let asked = store::request(
        tx.ex(),
        list.id,
        email,
        user_id,
        confirm.hash().as_str(),
        now + Duration::hours(CONFIRM_HOURS),
        &member_token,
        now,
    )
    .await?;
    if asked == 0 {
        return Ok(JoinAsked::AlreadyMember);
    }
    let link = svc
        .site
        .link(&format!("/lists/confirm/{}", confirm.expose()));
    let shown = format!("{}@{}", list.name, super::mail_domain(svc));
    let rendered = super::emails::confirm_subscription(&svc.site.name, &shown, email, &link);
    queue_email(&mut tx, svc, email, None, rendered).await?;
    tx.commit().await?;
    Ok(JoinAsked::Asked)
}

/// Asks to subscribe `email` from the list's page. The answer is the same
/// whether or not the address was already subscribed (or sent too many
/// links), so the form tells strangers nothing about who is on a list.
pub async fn request_subscription(
    svc: &Services,
    name: &str,
    email: &str,
    actor: Option<&Actor>,
) -> AppResult<()> {
    let address = EmailAddress::parse(email)?;
    let email = address.as_str().to_ascii_lowercase();
    let list = list(svc, name).await?;
    ask_to_join(svc, &list.row, &email, actor.map(|a| a.user_id)).await?;
    Ok(())
}

/// Follows a confirmation link: the subscription becomes active. A link
/// works once and for 48 hours.
pub async fn confirm(svc: &Services, token: &str) -> AppResult<ListView> {
    let hash = SecretToken::from_client(token.trim()).hash();
    let mut tx = svc.db.begin().await?;
    let member = store::member_by_confirm_hash(tx.ex(), hash.as_str())
        .await?
        .ok_or(AppError::LinkSpent(
            "This confirmation link has already been used or was replaced by a newer one.",
        ))?;
    if member
        .confirm_expires_at
        .is_some_and(|at| at < svc.clock.now())
    {
        return Err(AppError::LinkSpent(
            "This confirmation link has expired. Ask to subscribe again from the list's page.",
        ));
    }
    store::confirm(tx.ex(), member.id, svc.clock.now()).await?;
    tx.commit().await?;
    let row = {
        let mut conn = svc.db.conn().await?;
        store::by_id(conn.ex(), member.list_id)
            .await?
            .ok_or(AppError::NotFound("There is no list at this address."))?
    };
    view(svc, row).await
}

/// The subscription behind an unsubscribe link, with its list.
pub async fn by_member_token(svc: &Services, token: &str) -> AppResult<(MemberRow, ListView)> {
    let member = {
        let mut conn = svc.db.conn().await?;
        store::member_by_token(conn.ex(), token.trim())
            .await?
            .ok_or(AppError::NotFound(
                "This unsubscribe link is not valid: copy the whole link from the email.",
            ))?
    };
    let row = {
        let mut conn = svc.db.conn().await?;
        store::by_id(conn.ex(), member.list_id)
            .await?
            .ok_or(AppError::NotFound("There is no list at this address."))?
    };
    Ok((member, view(svc, row).await?))
}

/// Ends the subscription behind an unsubscribe link (one click, RFC 8058).
/// Doing it twice is harmless.
pub async fn leave_by_token(svc: &Services, token: &str) -> AppResult<ListView> {
    let (member, list) = by_member_token(svc, token).await?;
    let mut tx = svc.db.begin().await?;
    store::leave(tx.ex(), member.id, svc.clock.now()).await?;
    tx.commit().await?;
    Ok(list)
}

/// A signed-in member's subscriptions (by account or by address), with
/// each list's name and shown name.
pub async fn my_subscriptions(
    svc: &Services,
    actor: &Actor,
) -> AppResult<Vec<(MemberRow, String, String)>> {
    let mut conn = svc.db.conn().await?;
    let user = convene_store::users::by_id(conn.ex(), actor.user_id)
        .await?
        .ok_or(AppError::NotFound("There is no such account."))?;
    Ok(store::memberships(conn.ex(), &user.email.to_ascii_lowercase(), actor.user_id).await?)
}

/// One of `actor`'s own subscriptions, or a refusal.
async fn own(svc: &Services, actor: &Actor, member_id: i64) -> AppResult<MemberRow> {
    my_subscriptions(svc, actor)
        .await?
        .into_iter()
        .map(|(m, _, _)| m)
        .find(|m| m.id == member_id)
        .ok_or(AppError::NotFound("You have no such subscription."))
}

/// Changes how `actor` receives one of their lists.
pub async fn set_my_delivery(
    svc: &Services,
    actor: &Actor,
    member_id: i64,
    mode: &str,
) -> AppResult<()> {
    if !DELIVERY_MODES.iter().any(|(m, _)| *m == mode) {
        return Err(
            InvalidInput::new("delivery", "Choose each message, daily digest, or paused.").into(),
        );
    }
    let member = own(svc, actor, member_id).await?;
    let mut tx = svc.db.begin().await?;
    store::set_delivery(tx.ex(), member.id, mode, svc.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// `actor` leaves one of their lists.
pub async fn leave_mine(svc: &Services, actor: &Actor, member_id: i64) -> AppResult<()> {
    let member = own(svc, actor, member_id).await?;
    let mut tx = svc.db.begin().await?;
    store::leave(tx.ex(), member.id, svc.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}
