//! Where the relay is and how to talk to it, read from a URL.

use crate::error::Error;
use std::sync::Arc;
use std::time::Duration;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain text (`smtp://host`).
    None,
    /// STARTTLS when the relay offers it, plain text otherwise
    /// (`smtp://host?tls=opportunistic`).
    StartTlsOpportunistic,
    /// STARTTLS or no mail at all (`smtp://host?tls=required`).
    StartTlsRequired,
    /// TLS from the first byte (`smtps://host`).
    Implicit,
}

/// Everything needed to open a connection to the relay.
#[derive(Clone)]
pub struct RelayConfig {
    /// The relay's host name or address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// Plain, STARTTLS or implicit TLS.
    pub security: Security,
    /// User name and password for AUTH PLAIN or LOGIN.
    pub credentials: Option<(String, String)>,
    /// The name given in EHLO.
    pub hello_name: String,
    /// How long to wait for each answer (and each write) before giving up.
    pub timeout: Duration,
    tls: Arc<rustls::ClientConfig>,
}

impl std::fmt::Debug for RelayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password stays out of logs.
        f.debug_struct("RelayConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("hello_name", &self.hello_name)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// How long each command may wait for its answer unless set otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

impl RelayConfig {
    /// Reads a relay URL: `smtp://host[:port]` (port 25, plain),
    /// `smtp://host[:port]?tls=required` or `?tls=opportunistic` (port 587,
    /// STARTTLS), `smtps://host[:port]` (port 465, TLS from the start);
    /// `user:pass@` (percent-encoded) before the host for AUTH, and a path
    /// (`smtp://host/client.example.org`) to name this machine in EHLO.
    /// Certificates are checked against the Mozilla roots (webpki-roots).
    pub fn from_url(url: &str) -> Result<RelayConfig, Error> {
        let parsed = url::Url::parse(url).map_err(|e| Error::Url(format!("{url:?}: {e}")))?;
        let tls = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let (security, default_port) = match (parsed.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::None, 25),
            ("smtp", Some("required")) => (Security::StartTlsRequired, 587),
            ("smtp", Some("opportunistic")) => (Security::StartTlsOpportunistic, 587),
            ("smtps", None | Some("required")) => (Security::Implicit, 465),
            ("smtp" | "smtps", Some(other)) => {
                return Err(Error::Url(format!(
                    "tls={other:?} is not one of required or opportunistic"
                )));
            }
            (scheme, _) => {
                return Err(Error::Url(format!(
                    "the scheme {scheme:?} is not smtp or smtps"
                )));
            }
        };
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| Error::Url(format!("{url:?} names no host")))?;
        // An IPv6 literal comes back in brackets; the socket wants it bare.
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = parsed.port().unwrap_or(default_port);
        if port == 0 {
            return Err(Error::Url("port 0 cannot be connected to".into()));
        }
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let credentials = parsed
            .password()
            .map(|p| (decode(parsed.username()), decode(p)));
        let path = parsed.path().trim_matches('/');
        let hello_name = if path.is_empty() {
            local_name()
        } else {
            path.to_owned()
        };
        if hello_name.bytes().any(|b| b <= b' ' || b >= 0x7f) {
            return Err(Error::Url(format!(
                "the EHLO name {hello_name:?} has spaces or control characters"
            )));
        }
        Ok(RelayConfig {
            host,
            port,
            security,
            credentials,
            hello_name,
            timeout: DEFAULT_TIMEOUT,
            tls: Arc::new(client_config(mozilla_roots())?),
        })
    }

    /// The same relay, waiting at most `timeout` for each answer.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same relay, checking its certificate against `roots` instead of
    /// the Mozilla roots (a private certificate authority).
    pub fn trusting(mut self, roots: rustls::RootCertStore) -> Result<Self, Error> {
        self.tls = Arc::new(client_config(roots)?);
        Ok(self)
    }

    pub(crate) fn tls(&self) -> Arc<rustls::ClientConfig> {
        self.tls.clone()
    }
}

fn mozilla_roots() -> rustls::RootCertStore {
    rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

fn client_config(roots: rustls::RootCertStore) -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// This machine's name for EHLO, `localhost` when it has none that fits.
fn local_name() -> String {
    hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or_else(|| "localhost".to_owned())
}
