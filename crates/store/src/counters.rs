//! Change counters, known without a query.
//!
//! Every write that changes a calendar, the blog or the roster raises a
//! counter in the `counters` table in its own transaction (the roster's by a
//! trigger on `groups`, the job queue's by one on `jobs`). Caches and HTTP
//! validators use the counters as versions, so they are read on every
//! cached page and every revalidation, and idle job workers wait for the
//! jobs counter to rise; this module keeps them in memory instead:
//!
//! - each transaction reads the counters just before it commits and, once
//!   committed, raises the memory to what it read, so a writer's next page
//!   sees its own change;
//! - a watcher reads them every second, for changes made by another process
//!   (a `convene admin` command on the same SQLite file, another instance);
//! - on PostgreSQL, the watcher also listens on the `convene_counters`
//!   channel, on which a trigger announces each raised counter at commit, so
//!   other instances learn of a change at once.
//!
//! Counters only ever grow, so every source raises the memory to the
//! largest value it has seen and none can lower it, in whatever order they
//! arrive.

use crate::{Ex, Result, run};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use tokio::sync::{Notify, futures::Notified};

/// A change counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// Calendars, events and their changes (feeds, calendar pages).
    Calendars,
    /// Blog posts (listings and feeds).
    Posts,
    /// The roster (browse, map, counts).
    Groups,
    /// The job queue: raised by every new job, so idle workers wake.
    Jobs,
    /// Comments, and the names they are shown under (a post's comments).
    Comments,
}

impl Counter {
    /// Every counter, in the order of [`Counters`]' slots.
    pub const ALL: [Counter; 5] = [
        Counter::Calendars,
        Counter::Posts,
        Counter::Groups,
        Counter::Jobs,
        Counter::Comments,
    ];

    /// Its row's name in the `counters` table.
    pub fn name(self) -> &'static str {
        match self {
            Counter::Calendars => "calendars",
            Counter::Posts => "posts",
            Counter::Groups => "groups",
            Counter::Jobs => "jobs",
            Counter::Comments => "comments",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }

    fn named(name: &str) -> Option<Counter> {
        Counter::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The counters' values as last seen.
#[derive(Debug, Default)]
pub struct Counters {
    values: [AtomicI64; 5],
    loaded: AtomicBool,
    /// Woken whenever a counter grows.
    raised: Notify,
}

impl Counters {
    /// Raises `name` to `value` if that is more than it holds, waking
    /// whoever waits for a change.
    pub fn raise(&self, name: &str, value: i64) {
        if let Some(c) = Counter::named(name)
            && self.values[c.slot()].fetch_max(value, Ordering::AcqRel) < value
        {
            self.raised.notify_waiters();
        }
    }

    /// Completes at the next raise of any counter. Create it before
    /// looking at what it guards, so that a raise in between is not missed.
    pub fn next_raise(&self) -> Notified<'_> {
        self.raised.notified()
    }

    /// Raises every counter to the values read from the database.
    pub(crate) fn raise_all(&self, seen: &[(String, i64)]) {
        for (name, value) in seen {
            self.raise(name, *value);
        }
        self.loaded.store(true, Ordering::Release);
    }

    /// The value in memory, once it has been read from the database.
    pub(crate) fn get(&self, c: Counter) -> Option<i64> {
        self.loaded
            .load(Ordering::Acquire)
            .then(|| self.values[c.slot()].load(Ordering::Acquire))
    }

    /// Takes in one `"{schema} {name} {value}"` announcement from the
    /// `convene_counters` channel, if it is about `schema`.
    pub fn announced(&self, schema: &str, payload: &str) {
        let mut parts = payload.split(' ');
        if let (Some(s), Some(name), Some(value), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
            && s == schema
            && let Ok(value) = value.parse::<i64>()
        {
            self.raise(name, value);
        }
    }
}

/// Reads every counter from the database.
pub(crate) async fn read_all(ex: Ex<'_>) -> Result<Vec<(String, i64)>> {
    Ok(run!(ex, |c| {
        sqlx::query_as::<_, (String, i64)>(
        "SELECT name, value FROM counters WHERE name IN ('calendars', 'posts', 'groups', 'jobs', 'comments')"
    )
    .fetch_all(c)
    .await
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_only_grow_whatever_order_values_arrive_in() {
        let c = Counters::default();
        assert_eq!(c.get(Counter::Posts), None, "unknown before the first read");
        c.raise_all(&[("posts".into(), 5), ("calendars".into(), 2)]);
        assert_eq!(c.get(Counter::Posts), Some(5));
        c.raise("posts", 3);
        assert_eq!(c.get(Counter::Posts), Some(5));
        c.raise("posts", 9);
        assert_eq!(c.get(Counter::Posts), Some(9));
        c.raise("unknown", 100);
        assert_eq!(c.get(Counter::Calendars), Some(2));
        assert_eq!(c.get(Counter::Groups), Some(0));
    }

    #[test]
    fn announcements_of_another_schema_or_malformed_are_ignored() {
        let c = Counters::default();
        c.raise_all(&[]);
        c.announced("site_a", "site_a calendars 7");
        c.announced("site_a", "site_b calendars 70");
        c.announced("site_a", "site_a calendars");
        c.announced("site_a", "site_a calendars 8 extra");
        c.announced("site_a", "site_a calendars x");
        c.announced("site_a", "");
        assert_eq!(c.get(Counter::Calendars), Some(7));
    }
}
