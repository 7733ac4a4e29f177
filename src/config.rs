//! Start-up configuration: command-line flags, `CONVENE_*` environment
//! variables and an optional TOML file, merged in that order of precedence,
//! then validated once with errors that name the bad setting.

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use url::Url;

/// Settings shared by every subcommand. Each can also be set in the TOML
/// file named by `--config` under the same name (e.g. `data_dir = "/srv/convene"`).
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigArgs {
    // Every field is read from TOML as a string, number or boolean alike.
    /// Folder for the SQLite database, the outbox and other files [default: ./convene-data]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_DATA_DIR", global = true)]
    pub data_dir: Option<String>,
    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_LISTEN", global = true)]
    pub listen: Option<String>,
    /// postgres://user:pass@host/db to use PostgreSQL; empty for SQLite in the data folder
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// The address people use to reach the site, for links in emails [default: http://LISTEN/]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// SMTP relay, e.g. smtp://user:pass@relay:587?tls=required; empty writes mail to DATA_DIR/outbox
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// Most messages a second this process sends to the SMTP relay; 0 for no limit [default: 0]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_SMTP_MAX_PER_SECOND", global = true)]
    pub smtp_max_per_second: Option<String>,
    /// Connections to the SMTP relay at once; a list fan-out sends this many copies in parallel [default: 8]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_SMTP_CONNECTIONS", global = true)]
    pub smtp_connections: Option<String>,
    /// The address emails come from [default: convene@HOST of the base URL]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// The site's name in pages and emails [default: convene]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_SITE_NAME", global = true)]
    pub site_name: Option<String>,
    /// Trust X-Forwarded-For (only behind a reverse proxy that sets it) [default: false]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_TRUST_PROXY", global = true)]
    pub trust_proxy: Option<String>,
    /// Job workers in this process; 0 makes a web-only node [default: 1]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_WORKERS", global = true)]
    pub workers: Option<String>,
    /// Largest request body in bytes [default: 65536]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_MAX_BODY_BYTES", global = true)]
    pub max_body_bytes: Option<String>,
    /// Largest number of database connections [default: 16]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_DB_MAX_CONNECTIONS", global = true)]
    pub db_max_connections: Option<String>,
    /// Let server-side fetches (the link checker) reach loopback and private addresses [default: false]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_FETCH_ALLOW_PRIVATE", global = true)]
    pub fetch_allow_private: Option<String>,
    /// Address and port of the LMTP listener that takes list mail from the mail system, e.g. 127.0.0.1:8024 (keep it on loopback); empty for none [default: off]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_LMTP_LISTEN", global = true)]
    pub lmtp_listen: Option<String>,
    /// Address and port of an SMTP listener for list mail, for a mail system or client that cannot speak LMTP, e.g. 127.0.0.1:2525 (keep it on loopback: it takes mail for the lists from anyone who reaches it); empty for none [default: off]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_SMTP_LISTEN", global = true)]
    pub smtp_listen: Option<String>,
    /// Seconds a connection may take to send a complete request header, counted from its opening and, on a kept-alive connection, from the previous answer: slow and idle connections are closed after it [default: 20]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_HEADER_TIMEOUT", global = true)]
    pub header_timeout: Option<String>,
    /// Log format: text or json [default: text]
    #[serde(default, deserialize_with = "scalar")]
    #[arg(long, env = "CONVENE_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
}

/// Reads a TOML string, integer or boolean as text, so `workers = 2` and
/// `workers = "2"` mean the same.
fn scalar<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Int(i64),
        Bool(bool),
    }
    Ok(Some(match Scalar::deserialize(d)? {
        Scalar::Text(s) => s,
        Scalar::Int(i) => i.to_string(),
        Scalar::Bool(b) => b.to_string(),
    }))
}

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// SQLite file.
    Sqlite(PathBuf),
    /// PostgreSQL URL.
    Postgres(String),
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Data folder.
    pub data_dir: PathBuf,
    /// Listen address.
    pub listen: SocketAddr,
    /// Database.
    pub database: Database,
    /// Public base URL.
    pub base_url: Url,
    /// SMTP relay URL, if any.
    pub smtp_url: Option<String>,
    /// Messages a second to the relay at most (0: no limit).
    pub smtp_max_per_second: u32,
    /// Connections to the relay at once (parallel list copies).
    pub smtp_connections: usize,
    /// Sender address.
    pub mail_from: String,
    /// Site name.
    pub site_name: String,
    /// Trust X-Forwarded-For.
    pub trust_proxy: bool,
    /// Job workers.
    pub workers: usize,
    /// Body limit.
    pub max_body_bytes: usize,
    /// Pool size.
    pub db_max_connections: u32,
    /// JSON logs.
    pub json_logs: bool,
    /// Fetches may reach private addresses.
    pub fetch_allow_private: bool,
    /// Where the LMTP listener for list mail listens, if anywhere.
    pub lmtp_listen: Option<SocketAddr>,
    /// Where the SMTP listener for list mail listens, if anywhere.
    pub smtp_listen: Option<SocketAddr>,
    /// Longest wait for a complete request header (also how long an idle
    /// kept-alive connection stays open).
    pub header_timeout: std::time::Duration,
}

fn pick(flag: Option<String>, file: Option<String>) -> Option<String> {
    flag.or(file).filter(|v| !v.trim().is_empty())
}

fn number<T: std::str::FromStr>(
    value: Option<String>,
    name: &str,
    default: T,
    ok: impl Fn(&T) -> bool,
) -> Result<T> {
    match value {
        None => Ok(default),
        Some(v) => match v.trim().parse::<T>() {
            Ok(n) if ok(&n) => Ok(n),
            _ => bail!("{name}={v:?} is not valid: expected a whole number in the allowed range"),
        },
    }
}

impl Config {
    /// Merges flags/environment over the file at `file` (if any) and validates.
    pub fn load(args: ConfigArgs, file: Option<&std::path::Path>) -> Result<Self> {
        let from_file = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the config file {}", path.display()))?;
                toml::from_str::<ConfigArgs>(&text)
                    .with_context(|| format!("the config file {} is not valid", path.display()))?
            }
            None => ConfigArgs::default(),
        };
        let data_dir = PathBuf::from(
            pick(args.data_dir, from_file.data_dir).unwrap_or_else(|| "./convene-data".into()),
        );
        let listen_s =
            pick(args.listen, from_file.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_s.parse().with_context(|| {
            format!("CONVENE_LISTEN={listen_s:?} is not an address and port like 127.0.0.1:8080")
        })?;
        let lmtp_listen = match pick(args.lmtp_listen, from_file.lmtp_listen) {
            None => None,
            Some(v) => Some(v.trim().parse::<SocketAddr>().with_context(|| {
                format!("CONVENE_LMTP_LISTEN={v:?} is not an address and port like 127.0.0.1:8024")
            })?),
        };
        let smtp_listen = match pick(args.smtp_listen, from_file.smtp_listen) {
            None => None,
            Some(v) => Some(v.trim().parse::<SocketAddr>().with_context(|| {
                format!("CONVENE_SMTP_LISTEN={v:?} is not an address and port like 127.0.0.1:2525")
            })?),
        };
        let database = match pick(args.database_url, from_file.database_url) {
            None => Database::Sqlite(data_dir.join("convene.db")),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Url::parse(&u)
                    .with_context(|| "CONVENE_DATABASE_URL is not a valid URL".to_owned())?;
                Database::Postgres(u)
            }
            Some(u) if u.starts_with("sqlite://") => {
                Database::Sqlite(PathBuf::from(u.trim_start_matches("sqlite://")))
            }
            Some(u) => bail!(
                "CONVENE_DATABASE_URL={:?} must start with postgres:// or sqlite:// (or be empty for SQLite in the data folder)",
                redact(&u)
            ),
        };
        let base_s =
            pick(args.base_url, from_file.base_url).unwrap_or_else(|| format!("http://{listen}/"));
        let base_url = Url::parse(&base_s).with_context(|| {
            format!("CONVENE_BASE_URL={base_s:?} is not a URL like https://groups.example.org/")
        })?;
        if !matches!(base_url.scheme(), "http" | "https") || base_url.host_str().is_none() {
            bail!("CONVENE_BASE_URL={base_s:?} must be an http:// or https:// URL with a host");
        }
        let smtp_url = pick(args.smtp_url, from_file.smtp_url);
        if let Some(u) = &smtp_url
            && !(u.starts_with("smtp://") || u.starts_with("smtps://"))
        {
            bail!(
                "CONVENE_SMTP_URL={:?} must start with smtp:// or smtps://",
                redact(u)
            );
        }
        let host = base_url.host_str().unwrap_or("localhost");
        let default_from = convene_domain::EmailAddress::parse(&format!("convene@{host}"))
            .map_or_else(
                |_| "convene@localhost.localdomain".to_owned(),
                |a| a.to_string(),
            );
        let from_s = pick(args.mail_from, from_file.mail_from).unwrap_or(default_from);
        let mail_from = convene_domain::EmailAddress::parse(&from_s)
            .map_err(|e| {
                anyhow::anyhow!("CONVENE_MAIL_FROM={from_s:?} is not valid: {}", e.message)
            })?
            .to_string();
        let site_name =
            pick(args.site_name, from_file.site_name).unwrap_or_else(|| "convene".into());
        if convene_domain::error::has_control_chars(&site_name) || site_name.chars().count() > 100 {
            bail!("CONVENE_SITE_NAME must be one line of at most 100 characters");
        }
        let trust_proxy = match pick(args.trust_proxy, from_file.trust_proxy)
            .as_deref()
            .map(str::trim)
        {
            None | Some("false" | "0" | "no") => false,
            Some("true" | "1" | "yes") => true,
            Some(v) => bail!("CONVENE_TRUST_PROXY={v:?} must be true or false"),
        };
        let fetch_allow_private =
            match pick(args.fetch_allow_private, from_file.fetch_allow_private)
                .as_deref()
                .map(str::trim)
            {
                None | Some("false" | "0" | "no") => false,
                Some("true" | "1" | "yes") => true,
                Some(v) => bail!("CONVENE_FETCH_ALLOW_PRIVATE={v:?} must be true or false"),
            };
        let workers = number(
            pick(args.workers, from_file.workers),
            "CONVENE_WORKERS",
            1usize,
            |n| *n <= 64,
        )?;
        let max_body_bytes = number(
            pick(args.max_body_bytes, from_file.max_body_bytes),
            "CONVENE_MAX_BODY_BYTES",
            65_536usize,
            |n| *n >= 1024,
        )?;
        let smtp_max_per_second = number(
            pick(args.smtp_max_per_second, from_file.smtp_max_per_second),
            "CONVENE_SMTP_MAX_PER_SECOND",
            0u32,
            |n| *n <= 100_000,
        )?;
        let smtp_connections = number(
            pick(args.smtp_connections, from_file.smtp_connections),
            "CONVENE_SMTP_CONNECTIONS",
            8usize,
            |n| (1..=64).contains(n),
        )?;
        let db_max_connections = number(
            pick(args.db_max_connections, from_file.db_max_connections),
            "CONVENE_DB_MAX_CONNECTIONS",
            16u32,
            |n| *n >= 1,
        )?;
        let header_timeout = std::time::Duration::from_secs(number(
            pick(args.header_timeout, from_file.header_timeout),
            "CONVENE_HEADER_TIMEOUT",
            20u64,
            |n| (1..=3600).contains(n),
        )?);
        let json_logs = match pick(args.log_format, from_file.log_format).as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(v) => bail!("CONVENE_LOG_FORMAT={v:?} must be text or json"),
        };
        Ok(Config {
            data_dir,
            listen,
            database,
            base_url,
            smtp_url,
            smtp_max_per_second,
            smtp_connections,
            mail_from,
            site_name,
            trust_proxy,
            workers,
            max_body_bytes,
            db_max_connections,
            json_logs,
            fetch_allow_private,
            lmtp_listen,
            smtp_listen,
            header_timeout,
        })
    }
}

/// A URL with its password hidden, for error messages and logs.
pub fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut ConfigArgs)) -> Result<Config> {
        let mut a = ConfigArgs::default();
        f(&mut a);
        Config::load(a, None)
    }

    #[test]
    fn defaults_suit_the_embedded_setup() {
        let c = with(|_| {}).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            c.database,
            Database::Sqlite(PathBuf::from("./convene-data/convene.db"))
        );
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(c.mail_from, "convene@127.0.0.1");
        assert!(c.smtp_url.is_none());
        assert!(c.lmtp_listen.is_none(), "no LMTP listener unless asked");
        assert_eq!(c.smtp_max_per_second, 0, "no pacing unless asked");
        assert_eq!(c.smtp_connections, 8);
        assert_eq!(c.header_timeout, std::time::Duration::from_secs(20));
        let c = with(|a| a.lmtp_listen = Some("127.0.0.1:8024".into())).unwrap();
        assert_eq!(c.lmtp_listen.unwrap().to_string(), "127.0.0.1:8024");
        assert!(c.smtp_listen.is_none(), "no SMTP listener unless asked");
        let c = with(|a| a.smtp_listen = Some("127.0.0.1:2525".into())).unwrap();
        assert_eq!(c.smtp_listen.unwrap().to_string(), "127.0.0.1:2525");
    }

    #[test]
    fn errors_name_the_bad_setting() {
        type Case = (fn(&mut ConfigArgs), &'static str);
        let cases: [Case; 13] = [
            (
                |a| a.header_timeout = Some("0".into()),
                "CONVENE_HEADER_TIMEOUT",
            ),
            (
                |a| a.header_timeout = Some("10s".into()),
                "CONVENE_HEADER_TIMEOUT",
            ),
            (
                |a| a.smtp_max_per_second = Some("fast".into()),
                "CONVENE_SMTP_MAX_PER_SECOND",
            ),
            (
                |a| a.smtp_connections = Some("0".into()),
                "CONVENE_SMTP_CONNECTIONS",
            ),
            (
                |a| a.lmtp_listen = Some("localhost".into()),
                "CONVENE_LMTP_LISTEN",
            ),
            (
                |a| a.smtp_listen = Some("localhost:smtp".into()),
                "CONVENE_SMTP_LISTEN",
            ),
            (|a| a.listen = Some("nowhere".into()), "CONVENE_LISTEN"),
            (
                |a| a.database_url = Some("mysql://x".into()),
                "CONVENE_DATABASE_URL",
            ),
            (|a| a.base_url = Some("ftp://x".into()), "CONVENE_BASE_URL"),
            (
                |a| a.smtp_url = Some("relay.example.org".into()),
                "CONVENE_SMTP_URL",
            ),
            (
                |a| a.mail_from = Some("not an address".into()),
                "CONVENE_MAIL_FROM",
            ),
            (|a| a.workers = Some("-3".into()), "CONVENE_WORKERS"),
            (
                |a| a.trust_proxy = Some("maybe".into()),
                "CONVENE_TRUST_PROXY",
            ),
        ];
        for (set, name) in cases {
            let err = format!("{:#}", with(set).unwrap_err());
            assert!(err.contains(name), "{err}");
        }
    }

    #[test]
    fn the_file_fills_in_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("convene.toml");
        std::fs::write(
            &path,
            "site_name = \"Python Groups\"\nlisten = \"127.0.0.1:9000\"\nworkers = 3\ntrust_proxy = true\n",
        )
        .unwrap();
        let args = ConfigArgs {
            listen: Some("127.0.0.1:9100".into()),
            ..Default::default()
        };
        let c = Config::load(args, Some(&path)).unwrap();
        assert_eq!(c.site_name, "Python Groups");
        assert_eq!(c.listen.port(), 9100);
        assert_eq!(c.workers, 3);
        assert!(c.trust_proxy);
        std::fs::write(&path, "colour = \"blue\"\n").unwrap();
        let err = format!(
            "{:#}",
            Config::load(ConfigArgs::default(), Some(&path)).unwrap_err()
        );
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn passwords_are_hidden_in_messages() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
    }
}
