//! The site's identity, set by coordinators at run time: its name, a
//! tagline, a logo and an accent colour. Stored in the settings table, so a
//! change needs no restart.

mod colour;
mod load;
mod save;

pub use colour::{Accent, ThemeColours};
pub use load::{identity, logo};
pub use save::{
    IdentityInput, LogoUpload, MAX_LOGO_BYTES, MAX_NAME_CHARS, MAX_TAGLINE_CHARS, save_identity,
};

/// What every page shows of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteIdentity {
    /// The site's name (the start-up configuration's until a coordinator sets one).
    pub name: String,
    /// A line under the name; empty for none.
    pub tagline: String,
    /// The accent colour, if a coordinator chose one.
    pub accent: Option<Accent>,
    /// The uploaded logo, if any.
    pub logo: Option<LogoRef>,
}

/// Where the stored logo is served: its content hash names it, so its
/// address changes whenever it does and it can be cached for a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoRef {
    /// Hex digest of the image bytes (first 16 characters).
    pub hash: String,
    /// File extension: png, jpg or webp.
    pub ext: &'static str,
}

impl LogoRef {
    /// The logo's address on this site.
    pub fn path(&self) -> String {
        format!("/site/logo/{}.{}", self.hash, self.ext)
    }
}

/// A stored logo.
#[derive(Debug, Clone)]
pub struct Logo {
    /// Where it is served.
    pub at: LogoRef,
    /// `image/png` and so on.
    pub content_type: &'static str,
    /// The image.
    pub bytes: Vec<u8>,
}

/// The formats a logo may have: extension and content type.
pub(crate) fn logo_format(ext: &str) -> Option<(&'static str, &'static str)> {
    Some(match ext {
        "png" => ("png", "image/png"),
        "jpg" => ("jpg", "image/jpeg"),
        "webp" => ("webp", "image/webp"),
        _ => return None,
    })
}

const NAME: &str = "site_name";
const TAGLINE: &str = "site_tagline";
const ACCENT: &str = "site_accent";
/// `<ext>:<hash>`.
const LOGO_REF: &str = "site_logo_ref";
/// The image, base64.
const LOGO_DATA: &str = "site_logo_data";
