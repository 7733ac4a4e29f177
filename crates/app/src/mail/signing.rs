//! Signing every message on its way out: a [`Mailer`] around another that
//! adds a DKIM signature with the mail domain's key, when one exists, to
//! the finished bytes, after the last change to them (a list copy's
//! footer, subject prefix and member headers are in place by then).
//!
//! The key is read from the database at start-up, where a stored key that
//! cannot be read stops the server with the reason, and again at most once
//! a minute, so a key made with `convene admin dkim-key` while servers run
//! is used by all of them within a minute. A key that cannot be read later
//! holds mail back (retried) rather than sending it unsigned.

use super::dkim::{DkimKey, setting_name};
use super::{MailError, Mailer, OutgoingEmail};
use async_trait::async_trait;
use convene_store::Db;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long a key read from the database is used before it is read again.
pub const KEY_REFRESH: Duration = Duration::from_secs(60);

/// Why the stored key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The database could not be read.
    #[error("cannot read the DKIM key from the database: {0}")]
    Store(#[from] convene_store::StoreError),
    /// The stored key is broken.
    #[error(
        "the DKIM key stored for {domain} cannot be used: {cause}; make a new one with `convene admin dkim-key --replace`"
    )]
    BadKey {
        /// The mail domain.
        domain: String,
        /// What is wrong with it.
        cause: super::dkim::DkimError,
    },
}

/// Reads `domain`'s signing key from the settings: `None` when there is none.
pub async fn stored_key(db: &Db, domain: &str) -> Result<Option<DkimKey>, SigningError> {
    let mut conn = db.conn().await?;
    let Some(value) = convene_store::settings::get(conn.ex(), &setting_name(domain)).await? else {
        return Ok(None);
    };
    DkimKey::from_setting(domain, &value)
        .map(Some)
        .map_err(|cause| SigningError::BadKey {
            domain: domain.to_owned(),
            cause,
        })
}

struct Cached {
    read_at: Instant,
    key: Option<Arc<DkimKey>>,
}

/// Signs whatever `inner` sends with the key of the mail domain.
pub struct SigningMailer {
    inner: Arc<dyn Mailer>,
    db: Db,
    domain: String,
    cached: Mutex<Cached>,
}

impl SigningMailer {
    /// Wraps `inner`, reading `domain`'s key now: an error if a stored key
    /// cannot be used (so a server does not start sending unsigned mail).
    pub async fn new(inner: Arc<dyn Mailer>, db: Db, domain: &str) -> Result<Self, SigningError> {
        let key = stored_key(&db, domain).await?.map(Arc::new);
        Ok(Self {
            inner,
            db,
            domain: domain.to_ascii_lowercase(),
            cached: Mutex::new(Cached {
                read_at: Instant::now(),
                key,
            }),
        })
    }

    /// Whether a key was found when last read.
    pub async fn is_signing(&self) -> bool {
        self.cached.lock().await.key.is_some()
    }

    async fn key(&self) -> Result<Option<Arc<DkimKey>>, MailError> {
        let mut cached = self.cached.lock().await;
        if cached.read_at.elapsed() >= KEY_REFRESH {
            let key = stored_key(&self.db, &self.domain)
                .await
                .map_err(|e| MailError::Transient(e.to_string()))?;
            *cached = Cached {
                read_at: Instant::now(),
                key: key.map(Arc::new),
            };
        }
        Ok(cached.key.clone())
    }

    async fn sign(&self, message: &[u8]) -> Result<Option<Vec<u8>>, MailError> {
        let Some(key) = self.key().await? else {
            return Ok(None);
        };
        // RSA takes a millisecond or more: off the async threads.
        let message = message.to_vec();
        tokio::task::spawn_blocking(move || key.sign(&message))
            .await
            .map_err(|e| MailError::Transient(e.to_string()))?
            .map(Some)
            .map_err(|e| MailError::Transient(e.to_string()))
    }
}

#[async_trait]
impl Mailer for SigningMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let raw = email.to_message()?.formatted();
        match self.sign(&raw).await? {
            Some(signed) => self.inner.send_formatted(email, &signed).await,
            None => self.inner.send(email).await,
        }
    }

    async fn send_formatted(&self, email: &OutgoingEmail, message: &[u8]) -> Result<(), MailError> {
        match self.sign(message).await? {
            Some(signed) => self.inner.send_formatted(email, &signed).await,
            None => self.inner.send_formatted(email, message).await,
        }
    }

    async fn send_raw(
        &self,
        envelope_from: &str,
        to: &str,
        message: &[u8],
    ) -> Result<(), MailError> {
        match self.sign(message).await? {
            Some(signed) => self.inner.send_raw(envelope_from, to, &signed).await,
            None => self.inner.send_raw(envelope_from, to, message).await,
        }
    }

    async fn send_raw_many(
        &self,
        envelope_from: &str,
        to: &[String],
        message: &[u8],
    ) -> Vec<Result<(), MailError>> {
        // One signature serves every recipient of the same bytes.
        match self.sign(message).await {
            Ok(Some(signed)) => self.inner.send_raw_many(envelope_from, to, &signed).await,
            Ok(None) => self.inner.send_raw_many(envelope_from, to, message).await,
            Err(e) => to
                .iter()
                .map(|_| {
                    Err(match &e {
                        MailError::Permanent(why) => MailError::Permanent(why.clone()),
                        MailError::Transient(why) => MailError::Transient(why.clone()),
                    })
                })
                .collect(),
        }
    }

    fn parallel_sends(&self) -> usize {
        self.inner.parallel_sends()
    }
}
