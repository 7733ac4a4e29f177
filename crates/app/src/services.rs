//! What every use-case needs: the database, the clock, the token source and
//! facts about the site. Built once by the binary (or a test) and passed in.

use convene_domain::{Clock, TokenGenerator};
use convene_store::Db;
use std::sync::Arc;
use url::Url;

/// Facts about this site that use-cases put into links and emails.
#[derive(Debug, Clone)]
pub struct SiteInfo {
    /// The site's name, shown in pages and emails.
    pub name: String,
    /// Where the site is reached, e.g. `https://groups.example.org/`.
    pub base_url: Url,
    /// The address emails come from.
    pub mail_from: String,
}

impl SiteInfo {
    /// An absolute link to `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        let base = self.base_url.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }

    /// True when the site is served over https (cookies get `Secure`).
    pub fn is_https(&self) -> bool {
        self.base_url.scheme() == "https"
    }
}

/// The shared handles every use-case takes.
#[derive(Clone)]
pub struct Services {
    /// The database.
    pub db: Db,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// Where secrets come from.
    pub tokens: Arc<dyn TokenGenerator>,
    /// Facts about the site.
    pub site: Arc<SiteInfo>,
    /// Where photos and thumbnails are kept.
    pub media: Arc<dyn crate::media::MediaStore>,
}
