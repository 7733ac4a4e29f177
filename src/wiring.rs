//! Building the parts from the configuration.

use crate::config::{Config, Database, redact};
use anyhow::{Context, Result};
use convene_app::mail::{Mailer, OutboxMailer, SmtpMailer};
use convene_app::{Services, SiteInfo};
use convene_domain::{RandomTokens, SystemClock};
use convene_store::{Db, DbOptions};
use std::sync::Arc;

/// Structured logs to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if config.json_logs {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Opens the database (creating the data folder for SQLite) and migrates it.
pub async fn open_database(config: &Config) -> Result<Db> {
    let db = open_unmigrated(config).await?;
    db.migrate().await.context("database migration failed")?;
    Ok(db)
}

/// Opens the database without changing its schema (for backups).
pub async fn open_unmigrated(config: &Config) -> Result<Db> {
    let opts = DbOptions {
        max_connections: config.db_max_connections,
        pg_schema: None,
    };
    let db = match &config.database {
        Database::Sqlite(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).with_context(|| {
                    format!("cannot create the data folder {}", parent.display())
                })?;
            }
            Db::open_sqlite(path, &opts)
                .await
                .with_context(|| format!("cannot open the SQLite database {}", path.display()))?
        }
        Database::Postgres(url) => Db::open_postgres(url, &opts)
            .await
            .with_context(|| format!("cannot connect to PostgreSQL at {}", redact(url)))?,
    };
    Ok(db)
}

/// The services every use-case takes.
pub fn services(config: &Config, db: Db) -> Services {
    Services {
        db,
        clock: Arc::new(SystemClock),
        tokens: Arc::new(RandomTokens),
        site: Arc::new(SiteInfo {
            name: config.site_name.clone(),
            base_url: config.base_url.clone(),
            mail_from: config.mail_from.clone(),
        }),
        media: Arc::new(convene_app::media::FsMediaStore::new(
            config.data_dir.join("media"),
        )),
    }
}

/// The client for fetches leaving the site (the link checker).
pub fn fetcher(config: &Config) -> Arc<convene_app::net::Fetcher> {
    Arc::new(convene_app::net::Fetcher::new(
        convene_app::net::FetchPolicy {
            allow_private: config.fetch_allow_private,
            ..Default::default()
        },
    ))
}

/// The mailer: SMTP if configured, otherwise the outbox folder.
pub fn mailer(config: &Config) -> Result<(Arc<dyn Mailer>, Option<OutboxMailer>)> {
    match &config.smtp_url {
        Some(url) => {
            let smtp = SmtpMailer::from_url_with_connections(url, config.smtp_connections)
                .map_err(|e| anyhow::anyhow!("CONVENE_SMTP_URL: {e}"))?
                .with_max_per_second(config.smtp_max_per_second);
            Ok((Arc::new(smtp), None))
        }
        None => {
            let outbox = OutboxMailer::new(config.data_dir.join("outbox"));
            Ok((Arc::new(outbox.clone()), Some(outbox)))
        }
    }
}

/// Starts a listener that takes list mail on `addr` over `protocol` (LMTP
/// from the mail system, or SMTP); it stops taking connections when `stop`
/// turns true.
pub async fn mail_listener(
    svc: &Services,
    protocol: convene_lmtp::Protocol,
    addr: std::net::SocketAddr,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>> {
    let (name, setting) = match protocol {
        convene_lmtp::Protocol::Lmtp => ("LMTP", "CONVENE_LMTP_LISTEN"),
        convene_lmtp::Protocol::Smtp => ("SMTP", "CONVENE_SMTP_LISTEN"),
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen for {name} on {addr} ({setting})"))?;
    if !addr.ip().is_loopback() {
        tracing::warn!(%addr, "the {name} listener is not on loopback: anyone who reaches it can post to the lists");
    }
    tracing::info!(%addr, "taking list mail over {name}");
    let handler = Arc::new(convene_mailin::ListMailHandler::new(svc.clone()));
    let config = convene_lmtp::LmtpConfig {
        protocol,
        hostname: convene_app::lists::mail_domain(svc),
        ..Default::default()
    };
    Ok(tokio::spawn(convene_lmtp::serve(
        listener, handler, config, stop,
    )))
}
