//! Photo galleries on posts, events and groups: upload, removal, and the
//! stored copies themselves; and the script behind click-to-load embeds.

use super::error_page;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, Visitor};
use crate::headers::see_other;
use crate::middleware::CsrfToken;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use convene_app::media::{self, Owner, Photo, PhotoUpload};
use convene_domain::media::MAX_PHOTO_BYTES;

/// The largest photo upload request: the file plus the form's other fields.
pub const PHOTO_FORM_BYTES: usize = MAX_PHOTO_BYTES + 64 * 1024;

/// A photo as the gallery template shows it.
#[derive(Debug, Clone)]
pub struct PhotoView {
    /// Id (for the remove button).
    pub id: i64,
    /// 400 px copy.
    pub small: String,
    /// 1024 px copy.
    pub medium: String,
    /// 2048 px copy.
    pub large: String,
    /// Alt text.
    pub alt: String,
    /// Caption.
    pub caption: String,
    /// Width of the small copy.
    pub width: i64,
    /// Height of the small copy.
    pub height: i64,
}

impl PhotoView {
    fn from_photo(p: &Photo) -> Self {
        let (w, h) = (p.row.width.max(1), p.row.height.max(1));
        let scale = 400.0 / (w.max(h) as f64);
        let (sw, sh) = if scale < 1.0 {
            (
                ((w as f64) * scale).round() as i64,
                ((h as f64) * scale).round() as i64,
            )
        } else {
            (w, h)
        };
        Self {
            id: p.row.id,
            small: format!("/media/{}", p.key("small")),
            medium: format!("/media/{}", p.key("medium")),
            large: format!("/media/{}", p.key("large")),
            alt: p.row.alt_text.clone(),
            caption: p.row.caption.clone(),
            width: sw,
            height: sh,
        }
    }
}

/// The gallery of a post, event or group, for a page.
pub async fn gallery(
    state: &AppState,
    owner_kind: &str,
    owner_id: i64,
) -> Result<Vec<PhotoView>, PageError> {
    Ok(media::gallery(&state.svc, owner_kind, owner_id)
        .await?
        .iter()
        .map(PhotoView::from_photo)
        .collect())
}

/// Reads a photo form (`csrf`, `photo`, `alt`, `caption`), or the page
/// saying why it cannot be.
async fn read_form(
    mut form: Multipart,
    CsrfToken(expected, fresh): CsrfToken,
) -> Result<PhotoUpload, Response> {
    let too_big = || {
        error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "The photo could not be received: a photo may be at most {} MB.",
                MAX_PHOTO_BYTES / (1024 * 1024)
            ),
        )
    };
    let mut sent_csrf = String::new();
    let mut upload = PhotoUpload {
        bytes: Vec::new(),
        alt: String::new(),
        caption: String::new(),
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(too_big()),
        };
        match field.name().unwrap_or_default() {
            "csrf" => sent_csrf = field.text().await.unwrap_or_default(),
            "alt" => upload.alt = field.text().await.map_err(|_| too_big())?,
            "caption" => upload.caption = field.text().await.map_err(|_| too_big())?,
            "photo" => upload.bytes = field.bytes().await.map_err(|_| too_big())?.to_vec(),
            _ => {}
        }
    }
    if fresh || sent_csrf.is_empty() || sent_csrf != expected {
        return Err(error_page(
            StatusCode::FORBIDDEN,
            "This form has expired or was not sent from this site's own page. Go back, reload the page and try again.",
        ));
    }
    Ok(upload)
}

async fn upload(
    state: &AppState,
    visitor: &Visitor,
    csrf: CsrfToken,
    form: Multipart,
    owner: Owner<'_>,
    back: &str,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let upload = match read_form(form, csrf).await {
        Ok(u) => u,
        Err(page) => return Ok(page),
    };
    media::add_photo(&state.svc, &me.actor, owner, upload).await?;
    Ok(see_other(&format!("{back}?done=photo-added#photos")))
}

/// `POST /blog/{slug}/photos`.
pub async fn post_photo(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    axum::Extension(csrf): axum::Extension<CsrfToken>,
    form: Multipart,
) -> Result<Response, PageError> {
    let back = format!("/blog/{slug}");
    upload(&state, &visitor, csrf, form, Owner::Post(&slug), &back).await
}

/// `POST /events/{id}/photos`.
pub async fn event_photo(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    axum::Extension(csrf): axum::Extension<CsrfToken>,
    form: Multipart,
) -> Result<Response, PageError> {
    let back = format!("/events/{id}");
    upload(&state, &visitor, csrf, form, Owner::Event(id), &back).await
}

/// `POST /groups/{slug}/photos`.
pub async fn group_photo(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    axum::Extension(csrf): axum::Extension<CsrfToken>,
    form: Multipart,
) -> Result<Response, PageError> {
    let back = format!("/groups/{slug}");
    upload(&state, &visitor, csrf, form, Owner::Group(&slug), &back).await
}

/// `POST /photos/{id}/delete`: back to the page the photo was on.
pub async fn remove(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let me = visitor.require()?;
    let back = media::remove_photo(&state.svc, &me.actor, id).await?.path();
    Ok(see_other(&format!("{back}?done=photo-removed#photos")))
}

/// `GET /media/{*key}`: a stored photo copy or embed thumbnail. Keys are
/// random and files never change, so they are cached for a year.
pub async fn file(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    // The key is echoed in the ETag: only a well-formed one gets that far.
    if !media::is_valid_key(&key) {
        return Ok(error_page(StatusCode::NOT_FOUND, "There is no such file."));
    }
    let content_type = if key.ends_with(".jpg") {
        "image/jpeg"
    } else if key.ends_with(".png") {
        "image/png"
    } else {
        return Ok(error_page(StatusCode::NOT_FOUND, "There is no such file."));
    };
    let etag = format!("\"{}\"", key.replace('/', "-"));
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let Some(bytes) = media::file(&state.svc, &key).await? else {
        return Ok(error_page(StatusCode::NOT_FOUND, "There is no such file."));
    };
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// Lets a page frame the players of its embeds (each page lists only the
/// players it links to; every other page frames nothing).
pub fn allow_frames(response: &mut Response, origins: &[String]) {
    if origins.is_empty() {
        return;
    }
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src {}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        origins.join(" ")
    );
    if let Ok(v) = HeaderValue::from_str(&policy) {
        response.headers_mut().insert("content-security-policy", v);
    }
}

/// `GET /static/embeds.js`: reveals the play buttons of click-to-load boxes
/// and, on a press, puts the provider's player in the box.
pub async fn embeds_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/embeds.js"),
    )
}
