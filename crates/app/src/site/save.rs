//! A coordinator changes the site's identity.

use super::{ACCENT, Accent, LOGO_DATA, LOGO_REF, NAME, TAGLINE};
use crate::{AppResult, Services};
use base64::Engine;
use convene_domain::{Action, Actor, InvalidInput, authorize};
use convene_store::settings;
use sha2::{Digest, Sha256};

/// The longest site name, in characters (it heads every page and email).
pub const MAX_NAME_CHARS: usize = 80;
/// The longest tagline, in characters.
pub const MAX_TAGLINE_CHARS: usize = 160;
/// The largest logo accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// What the settings form sends.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct IdentityInput {
    /// The site's name.
    #[serde(default)]
    pub name: String,
    /// The tagline; empty for none.
    #[serde(default)]
    pub tagline: String,
    /// `#rrggbb`, or empty for convene's own blue.
    #[serde(default)]
    pub accent: String,
    /// Remove the stored logo.
    #[serde(default)]
    pub remove_logo: bool,
}

/// A logo sent with the form (absent when the file field was left empty).
#[derive(Debug, Clone)]
pub struct LogoUpload {
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

fn plain_words(field: &'static str, what: &str, text: &str, max: usize) -> AppResult<String> {
    let text = text.trim();
    if text.chars().count() > max {
        return Err(InvalidInput::new(
            field,
            format!(
                "The {what} may be at most {max} characters long; it has {}.",
                text.chars().count()
            ),
        )
        .into());
    }
    if text.contains(['<', '>']) || text.chars().any(char::is_control) {
        return Err(InvalidInput::new(
            field,
            format!("The {what} is shown as plain text in pages and emails; write it without < or > and on one line."),
        )
        .into());
    }
    Ok(text.to_owned())
}

/// Checks that `bytes` is a PNG, JPEG or WebP image a browser can show,
/// and returns its extension.
fn logo_extension(bytes: &[u8]) -> AppResult<&'static str> {
    let refuse = || {
        InvalidInput::new(
            "logo",
            format!(
                "The logo must be a PNG, JPEG or WebP image of at most {} KB.",
                MAX_LOGO_BYTES / 1024
            ),
        )
    };
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(refuse().into());
    }
    let format = image::guess_format(bytes).map_err(|_| refuse())?;
    let ext = match format {
        image::ImageFormat::Png => "png",
        image::ImageFormat::Jpeg => "jpg",
        image::ImageFormat::WebP => "webp",
        _ => return Err(refuse().into()),
    };
    // The header alone can be forged; the image must decode.
    let decoded = image::ImageReader::with_format(std::io::Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| refuse())?;
    if decoded.0 == 0 || decoded.1 == 0 || decoded.0 > 4096 || decoded.1 > 4096 {
        return Err(refuse().into());
    }
    Ok(ext)
}

/// Saves the site's identity; nothing is stored unless every field is good.
pub async fn save_identity(
    svc: &Services,
    actor: &Actor,
    input: &IdentityInput,
    logo: Option<&LogoUpload>,
) -> AppResult<()> {
    authorize(Some(actor), &Action::AdministerSite)?;
    let name = plain_words("name", "site name", &input.name, MAX_NAME_CHARS)?;
    if name.is_empty() {
        return Err(InvalidInput::new("name", "Give the site a name; it heads every page.").into());
    }
    let tagline = plain_words("tagline", "tagline", &input.tagline, MAX_TAGLINE_CHARS)?;
    let accent = match input.accent.trim() {
        "" => String::new(),
        given => Accent::parse(given)
            .ok_or_else(|| {
                InvalidInput::new(
                    "accent",
                    "Give the accent colour as # and six hexadecimal digits, like #1d4ed8.",
                )
            })?
            .hex(),
    };
    let logo = match logo {
        Some(upload) => {
            let ext = logo_extension(&upload.bytes)?;
            let digest = Sha256::digest(&upload.bytes);
            let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
            Some((
                format!("{ext}:{hash}"),
                base64::engine::general_purpose::STANDARD.encode(&upload.bytes),
            ))
        }
        None => None,
    };
    let mut tx = svc.db.begin().await?;
    settings::set(tx.ex(), NAME, &name).await?;
    settings::set(tx.ex(), TAGLINE, &tagline).await?;
    settings::set(tx.ex(), ACCENT, &accent).await?;
    if let Some((reference, data)) = logo {
        settings::set(tx.ex(), LOGO_DATA, &data).await?;
        settings::set(tx.ex(), LOGO_REF, &reference).await?;
    } else if input.remove_logo {
        settings::set(tx.ex(), LOGO_REF, "").await?;
        settings::set(tx.ex(), LOGO_DATA, "").await?;
    }
    tx.commit().await?;
    Ok(())
}
