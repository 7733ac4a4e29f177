//! `convene admin dkim-key`: makes (or takes) the mail domain's DKIM key
//! and stores it, so every message convene sends from then on is signed.

use super::dkim::{DkimError, DkimKey, setting_name};
use super::signing::{SigningError, stored_key};
use crate::Services;
use convene_store::settings;

/// What to do about the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyChoice {
    /// Keep the stored key, or make one if there is none.
    KeepOrMake {
        /// The selector of a key that is made.
        selector: String,
    },
    /// Make a new key in place of the stored one.
    Replace {
        /// The new key's selector.
        selector: String,
    },
    /// Use this private key (PEM) in place of any stored one.
    Import {
        /// Its selector (the DNS record's name is `{selector}._domainkey`).
        selector: String,
        /// The key file's text.
        pem: String,
    },
}

/// What became of the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOutcome {
    /// The stored key was kept.
    Kept,
    /// A new key was made and stored.
    Made,
    /// The given key was stored.
    Imported,
}

/// Why no key could be set up; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum KeySetUpError {
    /// The given or made key cannot be used.
    #[error(transparent)]
    Key(#[from] DkimError),
    /// The stored key cannot be read.
    #[error(transparent)]
    Stored(#[from] SigningError),
    /// The database failed.
    #[error("cannot store the DKIM key: {0}")]
    Store(#[from] convene_store::StoreError),
}

/// Sets up the signing key of the site's mail domain as `choice` says.
pub async fn set_up_dkim_key(
    svc: &Services,
    choice: KeyChoice,
) -> Result<(DkimKey, KeyOutcome), KeySetUpError> {
    let domain = crate::lists::mail_domain(svc);
    let (key, outcome) = match choice {
        KeyChoice::KeepOrMake { selector } => match stored_key(&svc.db, &domain).await? {
            Some(key) => return Ok((key, KeyOutcome::Kept)),
            None => (DkimKey::generate(&domain, &selector)?, KeyOutcome::Made),
        },
        KeyChoice::Replace { selector } => {
            (DkimKey::generate(&domain, &selector)?, KeyOutcome::Made)
        }
        KeyChoice::Import { selector, pem } => (
            DkimKey::from_pem(&domain, &selector, &pem)?,
            KeyOutcome::Imported,
        ),
    };
    let mut conn = svc.db.conn().await?;
    settings::set(conn.ex(), &setting_name(&domain), &key.to_setting()).await?;
    tracing::info!(
        domain,
        selector = key.selector(),
        ?outcome,
        "DKIM key stored"
    );
    Ok((key, outcome))
}
