//! Reading the site's identity and its logo.

use super::{ACCENT, Accent, LOGO_DATA, LOGO_REF, Logo, LogoRef, NAME, SiteIdentity, TAGLINE};
use crate::{AppResult, Services};
use base64::Engine;
use convene_store::settings;

/// The site's identity as stored, with the configured name as the default.
pub async fn identity(svc: &Services) -> AppResult<SiteIdentity> {
    let mut conn = svc.db.conn().await?;
    let name = settings::get(conn.ex(), NAME).await?;
    let tagline = settings::get(conn.ex(), TAGLINE).await?;
    let accent = settings::get(conn.ex(), ACCENT).await?;
    let logo = settings::get(conn.ex(), LOGO_REF).await?;
    Ok(SiteIdentity {
        name: name
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| svc.site.name.clone()),
        tagline: tagline.unwrap_or_default(),
        accent: accent.as_deref().and_then(Accent::parse),
        logo: logo.as_deref().and_then(parse_ref),
    })
}

fn parse_ref(stored: &str) -> Option<LogoRef> {
    let (ext, hash) = stored.split_once(':')?;
    let (ext, _) = super::logo_format(ext)?;
    Some(LogoRef {
        hash: hash.to_owned(),
        ext,
    })
}

/// The stored logo, when `file` (`<hash>.<ext>`) names the current one.
pub async fn logo(svc: &Services, file: &str) -> AppResult<Option<Logo>> {
    let mut conn = svc.db.conn().await?;
    let Some(at) = settings::get(conn.ex(), LOGO_REF)
        .await?
        .as_deref()
        .and_then(parse_ref)
    else {
        return Ok(None);
    };
    if file != format!("{}.{}", at.hash, at.ext) {
        return Ok(None);
    }
    let Some(data) = settings::get(conn.ex(), LOGO_DATA).await? else {
        return Ok(None);
    };
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) else {
        return Ok(None);
    };
    let content_type = super::logo_format(at.ext).map_or("image/png", |f| f.1);
    Ok(Some(Logo {
        at,
        content_type,
        bytes,
    }))
}
