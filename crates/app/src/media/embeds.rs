//! Video and photo links in posts: each new one is noted and its title and
//! thumbnail are fetched once, through the provider's oEmbed endpoint, by a
//! job. The thumbnail is re-encoded and served by convene, so a visitor's
//! browser asks the provider for nothing until they press "play".

use super::process::process_in_turn;
use crate::jobs::{BackgroundJob, JobContext, JobError, enqueue};
use crate::{AppError, AppResult, Services};
use convene_domain::media::{Embed, embed_links, recognise_embed};
use convene_store::{Tx, media};
use serde::{Deserialize, Serialize};

/// Largest oEmbed answer read.
const MAX_OEMBED_BYTES: usize = 64 * 1024;
/// Largest thumbnail read.
const MAX_THUMBNAIL_BYTES: usize = 4 * 1024 * 1024;
/// The one size embed thumbnails are kept in (the player's 16:9 box).
const THUMBNAIL_SIZES: [(&str, u32); 1] = [("small", 640)];

/// Notes every embeddable link in `markdown` and queues a fetch for the new
/// ones, inside the transaction that saves the text.
pub async fn note_embeds(tx: &mut Tx, svc: &Services, markdown: &str) -> AppResult<()> {
    let now = svc.clock.now();
    for embed in embed_links(markdown) {
        if media::note_embed(tx.ex(), &embed.url, embed.provider.as_str(), now).await? {
            enqueue(
                tx,
                svc,
                &FetchEmbed {
                    url: embed.url.clone(),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// What the page needs to show one link as a click-to-load box.
#[derive(Debug, Clone)]
pub struct EmbedView {
    /// The recognised link.
    pub embed: Embed,
    /// The title, once oEmbed gave it.
    pub title: Option<String>,
    /// Who made it, once oEmbed gave it.
    pub author: Option<String>,
    /// The stored thumbnail's media key.
    pub thumbnail_key: Option<String>,
}

/// What is known about the embeddable links in `markdown`.
pub async fn embed_views(svc: &Services, markdown: &str) -> AppResult<Vec<EmbedView>> {
    let links = embed_links(markdown);
    if links.is_empty() {
        return Ok(Vec::new());
    }
    let urls: Vec<String> = links.iter().map(|e| e.url.clone()).collect();
    let mut conn = svc.db.conn().await?;
    let rows = media::embeds(conn.ex(), &urls).await?;
    Ok(links
        .into_iter()
        .map(|embed| {
            let row = rows
                .iter()
                .find(|r| r.url == embed.url && r.state == "ready");
            EmbedView {
                title: row.and_then(|r| r.title.clone()),
                author: row.and_then(|r| r.author_name.clone()),
                thumbnail_key: row.and_then(|r| r.thumbnail_key.clone()),
                embed,
            }
        })
        .collect())
}

/// Fetches one link's oEmbed title and thumbnail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FetchEmbed {
    /// The link as written.
    pub url: String,
}

#[derive(Debug, Deserialize)]
struct OEmbed {
    title: Option<String>,
    author_name: Option<String>,
    thumbnail_url: Option<String>,
}

/// A title or name from another site, made safe to keep: one line, no
/// control characters, not too long.
fn clean_text(s: &str, max: usize) -> Option<String> {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.is_empty() {
        return None;
    }
    Some(words.chars().take(max).collect())
}

impl BackgroundJob for FetchEmbed {
    const KIND: &'static str = "fetch_embed";
    const MAX_ATTEMPTS: i64 = 4;

    fn idempotency_key(&self) -> Option<String> {
        Some(format!("fetch_embed:{}", self.url))
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let svc = &ctx.services;
        let Some(embed) = recognise_embed(&self.url) else {
            return Err(JobError::Permanent(format!(
                "{} is not a video or photo link",
                self.url
            )));
        };
        let answer = ctx
            .fetcher
            .get_as(&embed.oembed_url, &[], MAX_OEMBED_BYTES, "convene oEmbed")
            .await
            .map_err(|e| JobError::Retry(format!("oEmbed for {}: {e}", self.url)))?;
        match answer.status {
            200 => {}
            // The provider says the video is private, gone, or may not be
            // embedded: it stays a plain link.
            401 | 403 | 404 | 501 => {
                mark_failed(
                    svc,
                    &self.url,
                    &format!("the provider answered {}", answer.status),
                )
                .await?;
                return Ok(());
            }
            other => {
                return Err(JobError::Retry(format!(
                    "oEmbed for {} answered {other}",
                    self.url
                )));
            }
        }
        let Ok(oembed) = serde_json::from_slice::<OEmbed>(&answer.body) else {
            mark_failed(svc, &self.url, "the oEmbed answer is not JSON").await?;
            return Ok(());
        };
        let title = oembed
            .title
            .as_deref()
            .and_then(|t| clean_text(t, 200))
            .unwrap_or_else(|| format!("Video on {}", embed.provider.label()));
        let author = oembed
            .author_name
            .as_deref()
            .and_then(|a| clean_text(a, 100));
        let thumbnail_key = match oembed.thumbnail_url.as_deref() {
            Some(thumb) if thumb.starts_with("https://") || thumb.starts_with("http://") => {
                store_thumbnail(&ctx, &self.url, thumb).await
            }
            _ => None,
        };
        let retry = |e: convene_store::StoreError| JobError::Retry(e.to_string());
        let mut tx = svc.db.begin().await.map_err(retry)?;
        media::embed_ready(
            tx.ex(),
            &self.url,
            &title,
            author.as_deref(),
            thumbnail_key.as_deref(),
            svc.clock.now(),
        )
        .await
        .map_err(retry)?;
        // Feed entries show the title and thumbnail: they are built again.
        convene_store::posts::bump(tx.ex()).await.map_err(retry)?;
        tx.commit().await.map_err(retry)?;
        Ok(())
    }
}

/// Records that `url` stays a plain link.
async fn mark_failed(svc: &Services, url: &str, detail: &str) -> Result<(), JobError> {
    let mut conn = svc
        .db
        .conn()
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?;
    media::embed_failed(conn.ex(), url, detail, svc.clock.now())
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?;
    Ok(())
}

/// Fetches, cleans and stores a thumbnail; `None` (and a log line) when it
/// cannot be had, since the title alone is worth showing.
async fn store_thumbnail(ctx: &JobContext, url: &str, thumb: &str) -> Option<String> {
    let fetched = match ctx
        .fetcher
        .get_as(thumb, &[], MAX_THUMBNAIL_BYTES, "convene oEmbed")
        .await
    {
        Ok(f) if f.status == 200 => f,
        Ok(f) => {
            tracing::info!(url, thumb, status = f.status, "embed thumbnail not fetched");
            return None;
        }
        Err(e) => {
            tracing::info!(url, thumb, error = %e, "embed thumbnail not fetched");
            return None;
        }
    };
    let processed = process_in_turn(fetched.body, &THUMBNAIL_SIZES)
        .await
        .map_err(|e| tracing::info!(url, thumb, error = %e, "embed thumbnail unreadable"))
        .ok()?;
    let variant = processed.variants.first()?;
    let key = format!(
        "embeds/{}/small.{}",
        super::key_for(url),
        processed.extension()
    );
    match ctx.services.media.put(&key, &variant.bytes).await {
        Ok(()) => Some(key),
        Err(e) => {
            tracing::warn!(url, error = %e, "embed thumbnail not stored");
            None
        }
    }
}

impl From<AppError> for JobError {
    fn from(e: AppError) -> Self {
        JobError::Retry(e.to_string())
    }
}
