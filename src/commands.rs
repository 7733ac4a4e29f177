//! What each subcommand does.

use crate::config::Config;
use crate::wiring;
use anyhow::{Context, Result, bail};
use convene_app::accounts;
use convene_app::jobs::{JobContext, Registry, Worker, WorkerConfig};
use convene_web::{AppState, WebConfig};
use std::path::Path;
use std::time::Duration;
use tokio::sync::watch;

/// `convene serve`.
pub async fn serve(config: Config) -> Result<()> {
    let db = wiring::open_database(&config).await?;
    let svc = wiring::services(&config, db.clone());
    let (mailer, outbox) = wiring::mailer(&config)?;
    let domain = convene_app::lists::mail_domain(&svc);
    let signing = convene_app::mail::SigningMailer::new(mailer, db.clone(), &domain)
        .await
        .context("cannot start")?;
    if signing.is_signing().await {
        tracing::info!(domain, "mail is DKIM-signed");
    } else {
        tracing::info!(
            domain,
            "no DKIM key: mail goes out unsigned (`convene admin dkim-key` makes one)"
        );
    }
    let mailer: std::sync::Arc<dyn convene_app::mail::Mailer> = std::sync::Arc::new(signing);
    match &outbox {
        Some(o) => {
            tracing::info!(folder = %o.dir().display(), "no CONVENE_SMTP_URL: mail is written to the outbox folder")
        }
        None => tracing::info!("mail goes out through the SMTP relay"),
    }

    if accounts::needs_first_coordinator(&svc).await? {
        let link = accounts::first_coordinator_link(&svc).await?;
        println!(
            "\nThis site has no coordinator yet. Open this one-time link to set one up (valid for 24 hours):\n\n    {link}\n"
        );
    }

    if config.workers > 0 {
        // Where /proc exists, a pid without an entry is a process that is
        // gone; elsewhere every earlier worker is taken to be alive (its
        // jobs then wait for their lease to run out).
        let proc_fs = Path::new("/proc/self").exists();
        let alive = |pid: u32| !proc_fs || Path::new(&format!("/proc/{pid}")).exists();
        convene_app::jobs::take_back_from_dead_workers(&svc, &hostname(), alive).await?;
    }
    let fetcher = wiring::fetcher(&config);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut workers = Vec::new();
    for n in 0..config.workers {
        let ctx = JobContext {
            services: svc.clone(),
            mailer: mailer.clone(),
            fetcher: fetcher.clone(),
        };
        let name = format!("{}-{}-{n}", hostname(), std::process::id());
        let worker = Worker::new(
            ctx,
            Registry::standard(),
            WorkerConfig {
                name,
                ..WorkerConfig::default()
            },
        );
        workers.push(tokio::spawn(worker.run(stop_rx.clone())));
    }
    let housekeeping = {
        let svc = svc.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = convene_app::admin::housekeeping(&svc).await {
                    tracing::warn!(error = %e, "housekeeping failed");
                }
                if let Err(e) = convene_app::groups::schedule_link_checks(&svc).await {
                    tracing::warn!(error = %e, "could not schedule the link checks");
                }
                if let Err(e) = convene_app::groups::schedule_confirmations(&svc).await {
                    tracing::warn!(error = %e, "could not schedule the confirmation requests");
                }
                if let Err(e) = convene_app::calendars::schedule_source_syncs(&svc).await {
                    tracing::warn!(error = %e, "could not schedule the calendar feed syncs");
                }
                if let Err(e) = convene_app::lists::schedule_digests(&svc).await {
                    tracing::warn!(error = %e, "could not schedule the list digests");
                }
                if let Err(e) = convene_app::federation::publish::schedule_roll_forward(&svc).await
                {
                    tracing::warn!(error = %e, "could not schedule the fediverse series updates");
                }
                if let Err(e) = convene_app::weekly::queue_due(&svc).await {
                    tracing::warn!(error = %e, "could not queue the weekly emails");
                }
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(600)) => {}
                    _ = stop.changed() => break,
                }
            }
        })
    };

    // Changes made by another process or instance reach the in-memory
    // change counters (the versions behind caches and ETags).
    let counters = {
        let db = db.clone();
        tokio::spawn(async move { db.watch_counters().await })
    };

    let mut mail_listeners = Vec::new();
    for (protocol, addr) in [
        (convene_lmtp::Protocol::Lmtp, config.lmtp_listen),
        (convene_lmtp::Protocol::Smtp, config.smtp_listen),
    ] {
        if let Some(addr) = addr {
            mail_listeners
                .push(wiring::mail_listener(&svc, protocol, addr, stop_rx.clone()).await?);
        }
    }

    let web = WebConfig {
        trust_proxy: config.trust_proxy,
        max_body_bytes: config.max_body_bytes,
        fetch_allow_private: config.fetch_allow_private,
        spill_dir: spill_dir(&config.data_dir)?,
    };
    let app = convene_web::router(AppState::new(svc, outbox, web));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (CONVENE_LISTEN)", config.listen))?;
    println!(
        "convene is listening on http://{} (public address {})",
        listener.local_addr()?,
        config.base_url
    );
    convene_web::serve::serve(
        listener,
        app,
        convene_web::serve::ListenerLimits {
            header_timeout: config.header_timeout,
        },
        shutdown_signal(),
    )
    .await;

    tracing::info!("stopping: in-flight requests are done; waiting for the current jobs");
    counters.abort();
    let _ = stop_tx.send(true);
    for w in workers {
        if tokio::time::timeout(Duration::from_secs(30), w)
            .await
            .is_err()
        {
            tracing::warn!(
                "a job worker did not stop in time; its job's lease will expire and another worker will run it"
            );
        }
    }
    let _ = housekeeping.await;
    for listener in mail_listeners {
        let _ = listener.await;
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map_or_else(|_| "host".to_owned(), |h| h.trim().to_owned())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutdown signal received");
}

/// `convene migrate`.
pub async fn migrate(config: Config) -> Result<()> {
    let db = wiring::open_database(&config).await?;
    db.close().await;
    println!("The database is up to date.");
    Ok(())
}

/// `convene backup FILE`.
pub async fn backup(config: Config, file: &Path) -> Result<()> {
    if matches!(config.database, crate::config::Database::Postgres(_)) {
        bail!("{}", convene_store::BackupError::UsePgDump);
    }
    let db = wiring::open_unmigrated(&config).await?;
    let result = db.backup_sqlite(file).await;
    db.close().await;
    match result {
        Ok(()) => {
            println!(
                "Wrote a consistent snapshot of the database to {}.",
                file.display()
            );
            Ok(())
        }
        Err(e) => bail!("{e}"),
    }
}

/// `convene admin create-coordinator EMAIL`.
pub async fn create_coordinator(config: Config, email: &str) -> Result<()> {
    let db = wiring::open_database(&config).await?;
    let svc = wiring::services(&config, db.clone());
    let link = accounts::create_coordinator_link(&svc, email)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    db.close().await;
    println!(
        "{email} is a coordinator. Open this one-time link (valid for 24 hours) to choose a password and sign in:\n\n    {link}\n"
    );
    Ok(())
}

/// `convene admin dkim-key [--selector S] [--replace | --import FILE]`.
pub async fn dkim_key(
    config: Config,
    selector: String,
    replace: bool,
    import: Option<&Path>,
) -> Result<()> {
    use convene_app::mail::dkim_key::{KeyChoice, KeyOutcome, set_up_dkim_key};
    // The file is read and checked before anything else is touched.
    let choice = match import {
        Some(file) => {
            let pem =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let pem = String::from_utf8(pem).map_err(|_| {
                anyhow::anyhow!(
                    "{}: this is not a private key in PEM form (it is not even text)",
                    file.display()
                )
            })?;
            KeyChoice::Import { selector, pem }
        }
        None if replace => KeyChoice::Replace { selector },
        None => KeyChoice::KeepOrMake { selector },
    };
    let db = wiring::open_database(&config).await?;
    let svc = wiring::services(&config, db.clone());
    let outcome = set_up_dkim_key(&svc, choice).await;
    db.close().await;
    let (key, outcome) = outcome.map_err(|e| match import {
        Some(file) => anyhow::anyhow!("{}: {e}", file.display()),
        None => anyhow::anyhow!("{e}"),
    })?;
    let domain = key.domain();
    println!(
        "{}",
        match outcome {
            KeyOutcome::Kept => format!(
                "{domain} already has a DKIM key (selector {:?}); its record is below. `--replace` makes a new one.",
                key.selector()
            ),
            KeyOutcome::Made => format!(
                "Made a new DKIM key for {domain} (selector {:?}).",
                key.selector()
            ),
            KeyOutcome::Imported => format!(
                "Stored the given DKIM key for {domain} (selector {:?}).",
                key.selector()
            ),
        }
    );
    println!(
        "\nPublish this TXT record in the DNS zone of {domain}:\n\n{}\n\nOr, in a DNS provider's form: name {}, type TXT, value:\n\n{}\n",
        key.zone_line(),
        key.dns_name(),
        key.dns_txt()
    );
    println!(
        "Every message convene sends from {domain} is signed with this key (running servers take it up within a minute)."
    );
    if !is_dns_name(domain) {
        eprintln!(
            "warning: {domain} is not a domain name, so no receiver can look this record up. \
             Set --base-url (or --mail-from) to the address people use, then run `convene admin dkim-key` again."
        );
    }
    Ok(())
}

/// Whether `domain` can hold a DNS record a receiver will look up: not an
/// IP address, and not a single label such as `localhost`.
fn is_dns_name(domain: &str) -> bool {
    let bare = domain.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>().is_err() && bare.contains('.')
}

/// `convene admin token EMAIL`.
pub async fn token(config: Config, email: &str, name: &str) -> Result<()> {
    let db = wiring::open_database(&config).await?;
    let svc = wiring::services(&config, db.clone());
    let token = accounts::create_api_token(&svc, email, name)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    db.close().await;
    println!("{}", token.expose());
    eprintln!("This token is shown only once. Send it as: Authorization: Bearer <token>");
    Ok(())
}

/// `convene import roster FILE [--strict]`.
/// `convene import ics CALENDAR FILE`: one-off import of an iCalendar file,
/// or of a zip of them (Google Calendar's export).
pub async fn import_ics(config: Config, calendar: &str, file: &Path) -> Result<()> {
    use convene_app::calendars;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let db = wiring::open_database(&config).await?;
    let svc = wiring::services(&config, db.clone());
    let result = async {
        let cal = calendars::calendar(&svc, calendar).await.map_err(|e| match e {
            convene_app::AppError::NotFound(_) => convene_app::AppError::NotFound(
                "there is no regional calendar or group with that slug (see /calendars and /groups)",
            ),
            other => other,
        })?;
        calendars::import_ics(&svc, None, &cal, &bytes).await
    }
    .await;
    db.close().await;
    let report = result.map_err(|e| anyhow::anyhow!("{e}"))?;
    for title in &report.created {
        println!("created: {title}");
    }
    for title in &report.updated {
        println!("updated: {title}");
    }
    for (what, why) in &report.notes {
        println!("note on {what}: {why}");
    }
    for note in &report.standalone {
        println!("without its series: {note}");
    }
    for note in &report.split {
        println!("split: {note}");
    }
    for (what, why) in &report.skipped {
        println!("skipped {what}: {why}");
    }
    println!("{}.", report.summary());
    Ok(())
}

/// `convene import mbox LIST FILE`.
pub async fn import_mbox(config: Config, list: &str, file: &Path) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let db = wiring::open_database(&config).await?;
    let svc = wiring::services(&config, db.clone());
    let result = convene_app::lists::import::import_mbox(&svc, list, &bytes).await;
    db.close().await;
    let report = result.map_err(|e| anyhow::anyhow!("{e}"))?;
    for (n, why) in &report.skipped {
        println!("skipped message {n}: {why}");
    }
    println!(
        "{} archived, {} already there, {} skipped.",
        report.imported,
        report.already_there,
        report.skipped.len()
    );
    Ok(())
}

pub async fn import_roster(config: Config, file: &Path, strict: bool) -> Result<()> {
    use convene_app::groups::{RosterFormat, import_roster};
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let format = RosterFormat::guess(&file.display().to_string(), &bytes);
    let db = wiring::open_database(&config).await?;
    let svc = wiring::services(&config, db.clone());
    eprintln!(
        "importing {} as {}...",
        file.display(),
        if format == RosterFormat::Csv {
            "CSV"
        } else {
            "the wiki page format"
        }
    );
    let report = import_roster(&svc, None, format, &bytes, strict)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    db.close().await;
    for (line, message) in &report.problems {
        println!("line {line}: problem: {message}");
    }
    for (line, name, reason) in &report.skipped {
        println!("line {line}: skipped {name:?}: {reason}");
    }
    for (line, name, reason) in &report.held {
        println!("line {line}: held for review {name:?}: {reason}");
    }
    for (line, name) in &report.nationwide {
        println!("line {line}: serves its whole country, pinned at the capital: {name}");
    }
    for (line, name, region) in &report.regionwide {
        println!("line {line}: serves {region}, pinned at its largest city: {name}");
    }
    for (line, name) in &report.unplaced {
        println!("line {line}: without a place: {name}");
    }
    println!(
        "{} entries read: {} created, {} updated, {} unchanged, {} skipped, {} held for review; country recognised for {} of {}; {} groups serve their whole country, {} a region; {} groups without a place; {} problems reported.",
        report.read,
        report.created,
        report.updated,
        report.unchanged,
        report.skipped.len(),
        report.held.len(),
        report.countries_resolved,
        report.read,
        report.nationwide.len(),
        report.regionwide.len(),
        report.unplaced.len(),
        report.problems.len()
    );
    if report.rolled_back {
        bail!("nothing was imported: --strict was given and there were problems (listed above)");
    }
    Ok(())
}

/// What `convene admin seed-bench` adds.
pub struct BenchSizes {
    /// Groups to add.
    pub groups: usize,
    /// How many groups get events.
    pub event_groups: usize,
    /// Events to add to each of them.
    pub events_per_group: usize,
    /// How large the blog should be.
    pub blog: convene_app::blog::BlogSize,
    /// How large the benchmark list should be.
    pub list: convene_app::lists::ListSize,
}

/// `convene admin seed-bench --groups N [--events-per-group E --event-groups G]
/// [--posts P --comments C --post-groups H] [--list-messages N --list-members M]`.
pub async fn seed_bench(config: Config, sizes: &BenchSizes) -> Result<()> {
    let db = wiring::open_database(&config).await?;
    let svc = wiring::services(&config, db.clone());
    let added = convene_app::groups::seed_groups(&svc, sizes.groups)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("Added {added} made-up groups.");
    if sizes.events_per_group > 0 {
        let events =
            convene_app::calendars::seed_events(&svc, sizes.event_groups, sizes.events_per_group)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "Added {events} made-up events to {} groups' calendars.",
            sizes.event_groups
        );
    }
    if sizes.blog.posts > 0 || sizes.blog.comments > 0 {
        let seeded = convene_app::blog::seed_blog(&svc, &sizes.blog)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "Added {} made-up posts, {} comments and {} accounts to write them.",
            seeded.posts, seeded.comments, seeded.accounts
        );
    }
    if sizes.list.messages > 0 || sizes.list.members > 0 {
        let seeded = convene_app::lists::seed_list(&svc, &sizes.list)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "Added {} made-up messages and {} members to the list {}.",
            seeded.messages,
            seeded.members,
            convene_app::lists::BENCH_LIST
        );
    }
    db.close().await;
    Ok(())
}

/// The folder for bodies too large to keep in memory, emptied of what an
/// earlier run left there.
fn spill_dir(data_dir: &Path) -> Result<std::path::PathBuf> {
    let dir = data_dir.join("spill");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("could not empty {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    Ok(dir)
}
