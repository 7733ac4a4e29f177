//! Pages built from the whole roster (the map, the exports, the browse
//! counts) and from calendars and the blog (feeds, listings) are kept in
//! memory until their data changes, so that a growing site costs one cheap
//! check per request instead of a full rebuild.
//!
//! The memory is bounded by bytes as well as by entries: each entry is
//! weighed when it is built (bodies by their size, other values as a small
//! fixed amount), and past the budget the entries used longest ago go. A
//! value heavier than the whole budget is built, sent and not kept.

use crate::packed::Packed;
use chrono::{DateTime, Utc};
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Bytes a cache may hold by default.
pub const DEFAULT_BUDGET: usize = 16 * 1024 * 1024;

/// Most entries kept (keys come from visitors' filters, so they must not
/// grow without bound even when each is small).
const MAX_ENTRIES: usize = 512;

/// What an unweighed value (counts, a short list of cards) is taken to hold.
const SMALL_ENTRY: usize = 4 * 1024;

/// How much memory a cached value holds.
pub trait Weigh {
    /// Bytes held, roughly: its bodies, with room for their compressed forms.
    fn weight(&self) -> usize;
}

impl Weigh for Packed {
    fn weight(&self) -> usize {
        // The compressed forms are made later, on demand; a body of text
        // compresses to well under half, so half again covers both.
        self.raw().len() + self.raw().len() / 2
    }
}

impl Weigh for (Packed, DateTime<Utc>) {
    fn weight(&self) -> usize {
        self.0.weight()
    }
}

impl Weigh for crate::spill::Built {
    fn weight(&self) -> usize {
        self.held_bytes()
    }
}

impl Weigh for (crate::spill::Built, DateTime<Utc>) {
    fn weight(&self) -> usize {
        self.0.held_bytes()
    }
}

impl Weigh for String {
    fn weight(&self) -> usize {
        self.len()
    }
}

impl Weigh for Vec<convene_app::calendars::Occ> {
    fn weight(&self) -> usize {
        self.iter()
            .map(|o| {
                std::mem::size_of::<convene_app::calendars::Occ>()
                    + o.uid.len()
                    + o.key.len()
                    + o.title.len()
                    + o.venue_name.len()
                    + o.group.as_ref().map_or(0, |(s, n)| s.len() + n.len())
                    + o.repeats.as_ref().map_or(0, |r| r.words.len())
            })
            .sum()
    }
}

struct Entry {
    version: String,
    value: Arc<dyn Any + Send + Sync>,
    bytes: usize,
    used: u64,
}

/// Built values by key, each remembered with the version of the data it
/// was built from.
pub struct RosterCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// One build at a time: many requests arriving together after a change
    /// wait for one build instead of each building the same thing.
    building: tokio::sync::Mutex<()>,
    budget: usize,
    clock: AtomicU64,
}

impl Default for RosterCache {
    fn default() -> Self {
        Self::with_budget(DEFAULT_BUDGET)
    }
}

impl RosterCache {
    /// A cache holding at most `budget` bytes.
    pub fn with_budget(budget: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            building: tokio::sync::Mutex::new(()),
            budget,
            clock: AtomicU64::new(0),
        }
    }

    /// The value for `key` at `version`, building it with `build` if missing
    /// or outdated; a small value (see [`RosterCache::get_or_build_weighed`]
    /// for bodies).
    pub async fn get_or_build<T, F, Fut, E>(
        &self,
        key: &str,
        version: &str,
        build: F,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        self.get_or_build_with(key, version, build, |_| SMALL_ENTRY)
            .await
    }

    /// Like [`RosterCache::get_or_build`], for a value weighed by its size.
    pub async fn get_or_build_weighed<T, F, Fut, E>(
        &self,
        key: &str,
        version: &str,
        build: F,
    ) -> Result<Arc<T>, E>
    where
        T: Weigh + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        self.get_or_build_with(key, version, build, |v: &T| v.weight().max(1))
            .await
    }

    async fn get_or_build_with<T, F, Fut, E>(
        &self,
        key: &str,
        version: &str,
        build: F,
        weigh: impl FnOnce(&T) -> usize,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        if let Some(hit) = self.lookup(key, version) {
            return Ok(hit);
        }
        let _building = self.building.lock().await;
        if let Some(hit) = self.lookup(key, version) {
            return Ok(hit);
        }
        let value = Arc::new(build().await?);
        let bytes = weigh(&value);
        if bytes <= self.budget
            && let Ok(mut map) = self.entries.lock()
        {
            map.remove(key);
            self.make_room(&mut map, bytes);
            map.insert(
                key.to_owned(),
                Entry {
                    version: version.to_owned(),
                    value: value.clone(),
                    bytes,
                    used: self.tick(),
                },
            );
        }
        Ok(value)
    }

    /// Bytes the entries held now are weighed at.
    pub fn held(&self) -> usize {
        self.entries
            .lock()
            .map(|m| m.values().map(|e| e.bytes).sum())
            .unwrap_or(0)
    }

    /// Drops the entries used longest ago until `incoming` more bytes (and
    /// one more entry) fit.
    fn make_room(&self, map: &mut HashMap<String, Entry>, incoming: usize) {
        let mut held: usize = map.values().map(|e| e.bytes).sum();
        while !map.is_empty() && (held + incoming > self.budget || map.len() >= MAX_ENTRIES) {
            let Some(oldest) = map
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(gone) = map.remove(&oldest) {
                held -= gone.bytes;
            }
        }
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::Relaxed)
    }

    fn lookup<T: Send + Sync + 'static>(&self, key: &str, version: &str) -> Option<Arc<T>> {
        let mut map = self.entries.lock().ok()?;
        let entry = map.get_mut(key)?;
        if entry.version != version {
            return None;
        }
        entry.used = self.tick();
        entry.value.clone().downcast::<T>().ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    async fn put(cache: &RosterCache, key: &str, bytes: usize) -> Arc<String> {
        cache
            .get_or_build_weighed(key, "v1", || async { Ok::<_, ()>("x".repeat(bytes)) })
            .await
            .unwrap()
    }

    fn kept(cache: &RosterCache, key: &str) -> bool {
        cache.lookup::<String>(key, "v1").is_some()
    }

    #[tokio::test]
    async fn the_entries_used_longest_ago_go_when_the_budget_is_spent() {
        let cache = RosterCache::with_budget(1000);
        put(&cache, "a", 400).await;
        put(&cache, "b", 400).await;
        assert!(kept(&cache, "a"), "a is used again, so b is now the oldest");
        put(&cache, "c", 400).await;
        assert!(kept(&cache, "a") && kept(&cache, "c") && !kept(&cache, "b"));
        assert_eq!(cache.held(), 800);
    }

    #[tokio::test]
    async fn a_value_heavier_than_the_budget_is_served_but_not_kept() {
        let cache = RosterCache::with_budget(1000);
        put(&cache, "small", 100).await;
        let big = put(&cache, "big", 5000).await;
        assert_eq!(big.len(), 5000);
        assert!(!kept(&cache, "big"));
        assert!(kept(&cache, "small"), "nothing was evicted for it");
    }

    #[tokio::test]
    async fn a_new_version_replaces_its_entry_instead_of_adding_one() {
        let cache = RosterCache::with_budget(1000);
        put(&cache, "a", 600).await;
        let v2 = cache
            .get_or_build_weighed("a", "v2", || async { Ok::<_, ()>("y".repeat(600)) })
            .await
            .unwrap();
        assert_eq!(v2.len(), 600);
        assert_eq!(cache.held(), 600);
    }
}
