//! Photos and videos of meetings: galleries on posts, events and groups,
//! and click-to-load video and photo links in posts.

mod embeds;
mod files;
mod process;

pub use embeds::{EmbedView, FetchEmbed, embed_views, note_embeds};
pub use files::{FsMediaStore, MediaStore, is_valid_key};
pub use process::{Processed, VARIANTS, Variant, decode_slots, process_in_turn, process_photo};

use crate::{AppError, AppResult, Services};
use convene_domain::media::{MAX_PHOTOS_PER_GALLERY, check_alt_text, check_caption};
use convene_domain::{Action, Actor, InvalidInput, authorize};
use convene_store::media::{self as store, NewPhoto, PhotoRow};

/// What a gallery belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    /// A blog post, by slug.
    Post(&'a str),
    /// An event, by id.
    Event(i64),
    /// A group, by slug.
    Group(&'a str),
}

/// A photo as pages show it.
#[derive(Debug, Clone)]
pub struct Photo {
    /// The stored row.
    pub row: PhotoRow,
}

impl Photo {
    /// The media key of one of its copies (large, medium or small).
    pub fn key(&self, variant: &str) -> String {
        let ext = if self.row.format == "png" {
            "png"
        } else {
            "jpg"
        };
        format!("{}/{variant}.{ext}", self.row.storage_key)
    }
}

/// A photo being uploaded.
#[derive(Debug)]
pub struct PhotoUpload {
    /// The file as sent.
    pub bytes: Vec<u8>,
    /// Alt text.
    pub alt: String,
    /// Caption.
    pub caption: String,
}

/// A short, file-name-safe key derived from `text`.
pub(crate) fn key_for(text: &str) -> String {
    let hash = convene_domain::SecretToken::from_client(text).hash();
    hash.as_str()[..32].to_owned()
}

/// The stored kind and id of `owner`, if `actor` may see it and, when
/// `edit` is set, change its gallery.
async fn resolve(
    svc: &Services,
    actor: Option<&Actor>,
    owner: Owner<'_>,
    edit: bool,
) -> AppResult<(&'static str, i64)> {
    let denied = || AppError::from(convene_domain::Denied::Forbidden);
    match owner {
        Owner::Post(slug) => {
            let post = crate::blog::post(svc, actor, slug).await?;
            if edit && !post.editable_by(actor) {
                return Err(denied());
            }
            Ok(("post", post.row.id))
        }
        Owner::Event(id) => {
            let (_, cal) = crate::calendars::event(svc, id).await?;
            if edit && !cal.editable_by(actor) {
                return Err(denied());
            }
            Ok(("event", id))
        }
        Owner::Group(slug) => {
            let mut conn = svc.db.conn().await?;
            let group = convene_store::groups::by_slug(conn.ex(), slug)
                .await?
                .ok_or(AppError::NotFound("There is no group at this address."))?;
            if edit {
                authorize(actor, &Action::EditGroup { group: slug })?;
            }
            Ok(("group", group.id))
        }
    }
}

/// The kind and id of `owner` as a reader `actor` sees it.
pub async fn owner_for_reader(
    svc: &Services,
    actor: Option<&Actor>,
    owner: Owner<'_>,
) -> AppResult<(&'static str, i64)> {
    resolve(svc, actor, owner, false).await
}

/// The gallery of `owner`, in order.
pub async fn gallery(svc: &Services, owner_kind: &str, owner_id: i64) -> AppResult<Vec<Photo>> {
    let mut conn = svc.db.conn().await?;
    Ok(store::for_owner(conn.ex(), owner_kind, owner_id)
        .await?
        .into_iter()
        .map(|row| Photo { row })
        .collect())
}

/// Adds a photo to `owner`'s gallery: checked, cleaned of metadata and
/// stored in three sizes, then recorded. Returns the new photo's id.
pub async fn add_photo(
    svc: &Services,
    actor: &Actor,
    owner: Owner<'_>,
    upload: PhotoUpload,
) -> AppResult<i64> {
    let (kind, id) = resolve(svc, Some(actor), owner, true).await?;
    let alt = check_alt_text(&upload.alt)?;
    let caption = check_caption(&upload.caption)?;
    {
        let mut conn = svc.db.conn().await?;
        if store::count_for(conn.ex(), kind, id).await? >= MAX_PHOTOS_PER_GALLERY as i64 {
            return Err(InvalidInput::new(
                "photo",
                format!("A gallery holds at most {MAX_PHOTOS_PER_GALLERY} photos; remove one before adding another."),
            )
            .into());
        }
    }
    let processed = process::process_in_turn(upload.bytes, &VARIANTS).await?;
    let storage_key = format!("photos/{}", key_for(svc.tokens.new_token().expose()));
    let ext = processed.extension();
    for v in &processed.variants {
        let key = format!("{storage_key}/{}.{ext}", v.name);
        if let Err(e) = svc.media.put(&key, &v.bytes).await {
            let _ = svc.media.delete(&storage_key).await;
            return Err(AppError::Internal(format!("cannot store the photo: {e}")));
        }
    }
    let large = &processed.variants[0];
    let new = NewPhoto {
        owner_kind: kind,
        owner_id: id,
        alt_text: &alt,
        caption: &caption,
        format: processed.format,
        width: i64::from(large.width),
        height: i64::from(large.height),
        bytes: large.bytes.len() as i64,
        storage_key: &storage_key,
        uploaded_by: actor.user_id,
    };
    let mut tx = svc.db.begin().await?;
    let stored = async {
        let photo = store::insert_photo(tx.ex(), &new, svc.clock.now()).await?;
        touch_owner(&mut tx, kind).await?;
        Ok::<i64, AppError>(photo)
    }
    .await;
    match stored {
        Ok(photo) => {
            tx.commit().await?;
            Ok(photo)
        }
        Err(e) => {
            drop(tx);
            let _ = svc.media.delete(&storage_key).await;
            Err(e)
        }
    }
}

/// Marks what owns a gallery as changed, so cached pages and feeds follow.
async fn touch_owner(tx: &mut convene_store::Tx, kind: &str) -> AppResult<()> {
    if kind == "event" {
        convene_store::calendars::bump(tx.ex()).await?;
    }
    Ok(())
}

/// The page a gallery is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GalleryPage {
    /// `/blog/{slug}`.
    Post(String),
    /// `/events/{id}`.
    Event(i64),
    /// `/groups/{slug}`.
    Group(String),
}

impl GalleryPage {
    /// The page's path.
    pub fn path(&self) -> String {
        match self {
            Self::Post(slug) => format!("/blog/{slug}"),
            Self::Event(id) => format!("/events/{id}"),
            Self::Group(slug) => format!("/groups/{slug}"),
        }
    }
}

/// Removes a photo from its gallery (and its files); returns the page the
/// gallery is on.
pub async fn remove_photo(svc: &Services, actor: &Actor, photo_id: i64) -> AppResult<GalleryPage> {
    let row = {
        let mut conn = svc.db.conn().await?;
        store::photo(conn.ex(), photo_id)
            .await?
            .ok_or(AppError::NotFound("There is no such photo."))?
    };
    let owner_slug = owner_slug(svc, &row).await?;
    let owner = match row.owner_kind.as_str() {
        "post" => Owner::Post(&owner_slug),
        "group" => Owner::Group(&owner_slug),
        _ => Owner::Event(row.owner_id),
    };
    resolve(svc, Some(actor), owner, true).await?;
    let mut tx = svc.db.begin().await?;
    store::delete_photo(tx.ex(), photo_id).await?;
    touch_owner(&mut tx, &row.owner_kind).await?;
    tx.commit().await?;
    if let Err(e) = svc.media.delete(&row.storage_key).await {
        tracing::warn!(photo_id, error = %e, "photo files not removed");
    }
    Ok(match row.owner_kind.as_str() {
        "post" => GalleryPage::Post(owner_slug),
        "group" => GalleryPage::Group(owner_slug),
        _ => GalleryPage::Event(row.owner_id),
    })
}

/// The slug of a post's or group's gallery owner (empty for events).
async fn owner_slug(svc: &Services, row: &PhotoRow) -> AppResult<String> {
    let mut conn = svc.db.conn().await?;
    Ok(match row.owner_kind.as_str() {
        "post" => convene_store::posts::by_id(conn.ex(), row.owner_id)
            .await?
            .map(|p| p.slug)
            .unwrap_or_default(),
        "group" => convene_store::groups::by_id(conn.ex(), row.owner_id)
            .await?
            .map(|g| g.slug)
            .unwrap_or_default(),
        _ => String::new(),
    })
}

/// The bytes of a served copy, if `key` names one. Only keys of stored
/// photos and embed thumbnails are served.
pub async fn file(svc: &Services, key: &str) -> AppResult<Option<Vec<u8>>> {
    if !is_valid_key(key) || !(key.starts_with("photos/") || key.starts_with("embeds/")) {
        return Ok(None);
    }
    svc.media
        .get(key)
        .await
        .map_err(|e| AppError::Internal(format!("cannot read {key}: {e}")))
}
