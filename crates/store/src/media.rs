//! Photos attached to posts, events and groups, and what oEmbed said about
//! the video and photo links in posts.

use crate::{Ex, Result, execute, run};
use chrono::{DateTime, Utc};

/// A stored photo.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhotoRow {
    /// Id.
    pub id: i64,
    /// post, event or group.
    pub owner_kind: String,
    /// The post's, event's or group's id.
    pub owner_id: i64,
    /// Order in the gallery.
    pub position: i64,
    /// What a screen reader says.
    pub alt_text: String,
    /// Shown under the photo.
    pub caption: String,
    /// jpeg or png (of the stored copies).
    pub format: String,
    /// Width of the stored full-size copy.
    pub width: i64,
    /// Height of the stored full-size copy.
    pub height: i64,
    /// Size of the stored full-size copy.
    pub bytes: i64,
    /// Where the files are, in the media store.
    pub storage_key: String,
    /// Who uploaded it.
    pub uploaded_by: Option<i64>,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
}

const PHOTO_COLUMNS: &str = "id, owner_kind, owner_id, position, alt_text, caption, format, width, height, bytes, storage_key, uploaded_by, created_at";

/// A photo about to be stored.
#[derive(Debug, Clone)]
pub struct NewPhoto<'a> {
    /// post, event or group.
    pub owner_kind: &'a str,
    /// Its id.
    pub owner_id: i64,
    /// Alt text.
    pub alt_text: &'a str,
    /// Caption.
    pub caption: &'a str,
    /// jpeg or png.
    pub format: &'a str,
    /// Stored width.
    pub width: i64,
    /// Stored height.
    pub height: i64,
    /// Stored bytes.
    pub bytes: i64,
    /// Media store key.
    pub storage_key: &'a str,
    /// Uploader.
    pub uploaded_by: i64,
}

/// Stores a photo at the end of its owner's gallery.
pub async fn insert_photo(ex: Ex<'_>, p: &NewPhoto<'_>, now: DateTime<Utc>) -> Result<i64> {
    Ok(run!(ex, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO photos (owner_kind, owner_id, position, alt_text, caption, format, width, height, bytes, storage_key, uploaded_by, created_at) \
             VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM photos WHERE owner_kind = $1 AND owner_id = $2), $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(p.owner_kind)
        .bind(p.owner_id)
        .bind(p.alt_text)
        .bind(p.caption)
        .bind(p.format)
        .bind(p.width)
        .bind(p.height)
        .bind(p.bytes)
        .bind(p.storage_key)
        .bind(p.uploaded_by)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

/// How many photos an owner has.
pub async fn count_for(ex: Ex<'_>, owner_kind: &str, owner_id: i64) -> Result<i64> {
    Ok(run!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM photos WHERE owner_kind = $1 AND owner_id = $2"
    )
    .bind(owner_kind)
    .bind(owner_id)
    .fetch_one(c)
    .await)?)
}

/// An owner's photos in gallery order.
pub async fn for_owner(ex: Ex<'_>, owner_kind: &str, owner_id: i64) -> Result<Vec<PhotoRow>> {
    let sql = format!(
        "SELECT {PHOTO_COLUMNS} FROM photos WHERE owner_kind = $1 AND owner_id = $2 ORDER BY position, id"
    );
    Ok(run!(ex, |c| sqlx::query_as::<_, PhotoRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(owner_kind)
    .bind(owner_id)
    .fetch_all(c)
    .await)?)
}

/// One photo.
pub async fn photo(ex: Ex<'_>, id: i64) -> Result<Option<PhotoRow>> {
    let sql = format!("SELECT {PHOTO_COLUMNS} FROM photos WHERE id = $1");
    Ok(run!(ex, |c| sqlx::query_as::<_, PhotoRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Changes a photo's words.
pub async fn update_photo(ex: Ex<'_>, id: i64, alt_text: &str, caption: &str) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE photos SET alt_text = $2, caption = $3 WHERE id = $1",
        id,
        alt_text,
        caption
    )?)
}

/// Removes a photo's row (its files are removed by the caller).
pub async fn delete_photo(ex: Ex<'_>, id: i64) -> Result<u64> {
    Ok(execute!(ex, "DELETE FROM photos WHERE id = $1", id)?)
}

/// What is known about a video or photo link.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmbedRow {
    /// The link as written in posts.
    pub url: String,
    /// youtube, vimeo, peertube or flickr.
    pub provider: String,
    /// pending, ready or failed.
    pub state: String,
    /// The title oEmbed gave.
    pub title: Option<String>,
    /// The author oEmbed gave.
    pub author_name: Option<String>,
    /// The stored thumbnail's media key.
    pub thumbnail_key: Option<String>,
    /// Why fetching failed.
    pub detail: Option<String>,
    /// When oEmbed answered (or failed for good).
    pub fetched_at: Option<DateTime<Utc>>,
}

const EMBED_COLUMNS: &str =
    "url, provider, state, title, author_name, thumbnail_key, detail, fetched_at";

/// Records a link as pending unless it is already known; true if it was new.
pub async fn note_embed(ex: Ex<'_>, url: &str, provider: &str, now: DateTime<Utc>) -> Result<bool> {
    Ok(execute!(
        ex,
        "INSERT INTO embeds (url, provider, state, created_at) VALUES ($1, $2, 'pending', $3) ON CONFLICT (url) DO NOTHING",
        url,
        provider,
        now
    )? == 1)
}

/// What is known about `urls`.
pub async fn embeds(ex: Ex<'_>, urls: &[String]) -> Result<Vec<EmbedRow>> {
    if urls.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=urls.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {EMBED_COLUMNS} FROM embeds WHERE url IN ({})",
        marks.join(", ")
    );
    Ok(run!(ex, |c| {
        let mut q = sqlx::query_as::<_, EmbedRow>(sqlx::AssertSqlSafe(sql.clone()));
        for u in urls {
            q = q.bind(u);
        }
        q.fetch_all(c).await
    })?)
}

/// Stores what oEmbed said.
pub async fn embed_ready(
    ex: Ex<'_>,
    url: &str,
    title: &str,
    author_name: Option<&str>,
    thumbnail_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE embeds SET state = 'ready', title = $2, author_name = $3, thumbnail_key = $4, detail = NULL, fetched_at = $5 WHERE url = $1",
        url,
        title,
        author_name,
        thumbnail_key,
        now
    )?)
}

/// Records that a link will be shown as a plain link, and why.
pub async fn embed_failed(ex: Ex<'_>, url: &str, detail: &str, now: DateTime<Utc>) -> Result<u64> {
    Ok(execute!(
        ex,
        "UPDATE embeds SET state = 'failed', detail = $2, fetched_at = $3 WHERE url = $1",
        url,
        detail,
        now
    )?)
}
