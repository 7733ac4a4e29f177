//! The `convene` binary: parses the command line, loads the configuration
//! and wires storage, use-cases, the job workers and the web adapter
//! together. It holds no logic of its own.

mod commands;
mod config;
mod wiring;

use clap::{Parser, Subcommand};
use config::{Config, ConfigArgs};
use std::path::PathBuf;
use std::process::ExitCode;

/// A self-hosted home for a family of user groups.
#[derive(Debug, Parser)]
#[command(name = "convene", version, about, long_about = None)]
struct Cli {
    /// A TOML file with settings (the same names as the flags below, in snake_case)
    #[arg(long, env = "CONVENE_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(flatten)]
    settings: ConfigArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the site: migrate the database, start the job workers and serve HTTP
    Serve,
    /// Apply database migrations and exit
    Migrate,
    /// Write a consistent snapshot of the SQLite database to FILE while the site runs
    Backup {
        /// Where to write the snapshot (must not exist yet)
        file: PathBuf,
    },
    /// Administration tasks for whoever runs the server
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Bring data in from elsewhere
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import a roster of groups: the community wiki page (Markdown) or CSV with the documented header
    Roster {
        /// The file (.md for the wiki page format, .csv for CSV)
        file: PathBuf,
        /// Import nothing at all if any entry has a problem
        #[arg(long)]
        strict: bool,
    },
    /// Archive the messages of an mbox file (an old list's archive) in a mailing list, without sending them
    Mbox {
        /// The list's name, e.g. organizers
        list: String,
        /// The mbox file
        file: PathBuf,
    },
    /// Import the events of an iCalendar (.ics) file, or of a zip of them such as Google
    /// Calendar's export, into a calendar, matched by UID
    Ics {
        /// The calendar: a regional calendar's slug or a group's slug
        calendar: String,
        /// The .ics file, or a .zip of .ics files (at most 2 MB)
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Make EMAIL a coordinator and print a one-time link to choose a password and sign in
    CreateCoordinator {
        /// The coordinator's email address
        email: String,
    },
    /// Fill the roster with made-up groups, for benchmarks (never on a real site)
    SeedBench {
        /// How many groups to add
        #[arg(long, default_value_t = 2000)]
        groups: usize,
        /// How many made-up events to add to each of the first --event-groups groups' calendars
        #[arg(long, default_value_t = 0)]
        events_per_group: usize,
        /// How many groups (bench-0, bench-1, ...) get --events-per-group events
        #[arg(long, default_value_t = 200)]
        event_groups: usize,
        /// How many made-up blog posts there should be in all (bench-post-0, ...); only the missing ones are added
        #[arg(long, default_value_t = 0)]
        posts: usize,
        /// How many comments there should be on the made-up posts in all, the first 100 on bench-post-0; only the missing ones are added
        #[arg(long, default_value_t = 0)]
        comments: usize,
        /// How many groups (bench-0, bench-1, ...) the made-up posts are about
        #[arg(long, default_value_t = 200)]
        post_groups: usize,
        /// How many made-up, threaded messages the list bench-list should have in all; only the missing ones are added
        #[arg(long, default_value_t = 0)]
        list_messages: usize,
        /// How many active members (member-N@sink.example.net) bench-list should have in all; only the missing ones are added
        #[arg(long, default_value_t = 0)]
        list_members: usize,
    },
    /// Make the mail domain's DKIM key (or show the one there is) and print the DNS TXT record to publish; all mail convene sends is signed with it
    DkimKey {
        /// The selector: the DNS record is named SELECTOR._domainkey.DOMAIN
        #[arg(long, default_value = "convene")]
        selector: String,
        /// Make a new key in place of the stored one
        #[arg(long)]
        replace: bool,
        /// Use this private key (PEM, PKCS#1 or PKCS#8 RSA, as opendkim-genkey or openssl write it) instead of making one
        #[arg(long, value_name = "FILE", conflicts_with = "replace")]
        import: Option<std::path::PathBuf>,
    },
    /// Print a new API bearer token for the account with address EMAIL
    Token {
        /// The account's email address
        email: String,
        /// A name for the token, to recognise it later
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.settings, cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("convene: configuration error: {e:#}");
            return ExitCode::from(2);
        }
    };
    wiring::init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("convene: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve => commands::serve(config).await,
            Command::Migrate => commands::migrate(config).await,
            Command::Backup { file } => commands::backup(config, &file).await,
            Command::Admin(AdminCommand::CreateCoordinator { email }) => {
                commands::create_coordinator(config, &email).await
            }
            Command::Admin(AdminCommand::DkimKey {
                selector,
                replace,
                import,
            }) => commands::dkim_key(config, selector, replace, import.as_deref()).await,
            Command::Admin(AdminCommand::Token { email, name }) => {
                commands::token(config, &email, &name).await
            }
            Command::Admin(AdminCommand::SeedBench {
                groups,
                events_per_group,
                event_groups,
                posts,
                comments,
                post_groups,
                list_messages,
                list_members,
            }) => {
                let sizes = commands::BenchSizes {
                    groups,
                    event_groups,
                    events_per_group,
                    blog: convene_app::blog::BlogSize {
                        posts,
                        comments,
                        groups: post_groups,
                    },
                    list: convene_app::lists::ListSize {
                        messages: list_messages,
                        members: list_members,
                    },
                };
                commands::seed_bench(config, &sizes).await
            }
            Command::Import(ImportCommand::Mbox { list, file }) => {
                commands::import_mbox(config, &list, &file).await
            }
            Command::Import(ImportCommand::Ics { calendar, file }) => {
                commands::import_ics(config, &calendar, &file).await
            }
            Command::Import(ImportCommand::Roster { file, strict }) => {
                commands::import_roster(config, &file, strict).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("convene: {e:#}");
            ExitCode::FAILURE
        }
    }
}
