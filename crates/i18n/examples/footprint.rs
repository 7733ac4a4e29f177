//! Prints what localisation costs: loading every locale's messages,
//! building a formatter per locale, and formatting messages, dates and
//! numbers. Built in release mode it is also the smallest program that links
//! everything the crate offers, for measuring its size:
//!
//! `cargo run --release -p convene-i18n --example footprint`

use chrono::{NaiveDate, TimeZone, Utc};
use convene_i18n::{DateLength, FluentArgs, Formatter, Locale, Messages, negotiate};
use std::time::Instant;

fn main() {
    let started = Instant::now();
    let messages = match Messages::load() {
        Ok(messages) => messages,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(1);
        }
    };
    println!("load messages, 10 locales: {:?}", started.elapsed());

    let started = Instant::now();
    let mut formatters = Vec::new();
    for locale in Locale::ALL {
        let chosen = negotiate(Some(locale), None, None, Locale::En);
        match Formatter::for_negotiated(&chosen) {
            Ok(formatter) => formatters.push((locale, formatter)),
            Err(error) => {
                eprintln!("{error}");
                std::process::exit(1);
            }
        }
    }
    println!("build 10 formatters: {:?}", started.elapsed());

    const ROUNDS: u32 = 10_000;
    let date = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default();
    let start = Utc
        .with_ymd_and_hms(2026, 12, 8, 18, 0, 0)
        .single()
        .unwrap_or_default();
    let end = start + chrono::Duration::hours(2);
    let mut bytes = 0usize;

    let started = Instant::now();
    for round in 0..ROUNDS {
        let (locale, _) = &formatters[round as usize % formatters.len()];
        let mut args = FluentArgs::new();
        args.set("count", i64::from(round));
        bytes += messages.get(*locale, "nav-groups", None).len();
        bytes += messages.get(*locale, "group-count", Some(&args)).len();
    }
    println!("message, per call: {:?}", started.elapsed() / (2 * ROUNDS));

    let started = Instant::now();
    for round in 0..ROUNDS {
        let (_, formatter) = &formatters[round as usize % formatters.len()];
        bytes += formatter.date(date, DateLength::Medium).len();
    }
    println!("date, per call: {:?}", started.elapsed() / ROUNDS);

    let started = Instant::now();
    for round in 0..ROUNDS {
        let (_, formatter) = &formatters[round as usize % formatters.len()];
        bytes += formatter
            .date_time_range(start, end, chrono_tz::Europe::Berlin)
            .len();
    }
    println!(
        "date-time range, per call: {:?}",
        started.elapsed() / ROUNDS
    );

    let started = Instant::now();
    for round in 0..ROUNDS {
        let (_, formatter) = &formatters[round as usize % formatters.len()];
        bytes += formatter.number(i64::from(round) * 997).len();
        bytes += formatter.relative_days(i64::from(round % 30)).len();
    }
    println!(
        "number + relative day, per pair: {:?}",
        started.elapsed() / ROUNDS
    );

    let started = Instant::now();
    for _ in 0..ROUNDS {
        let chosen = negotiate(
            None,
            Some("xx"),
            Some("fr-CA,fr;q=0.9,en;q=0.8,de;q=0.7,*;q=0.5"),
            Locale::En,
        );
        bytes += chosen.locale.tag().len();
    }
    println!("negotiate, per call: {:?}", started.elapsed() / ROUNDS);
    println!("({bytes} bytes formatted)");
}
