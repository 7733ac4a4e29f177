//! Pages built from the whole roster (the map, the exports, the browse
//! counts) are kept in memory until the roster changes, so that a growing
//! roster costs one cheap query per request instead of a full rebuild.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Entry = (String, Arc<dyn Any + Send + Sync>);

/// Built values by key, each remembered with the roster version it was built from.
#[derive(Default)]
pub struct RosterCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// One build at a time: many requests arriving together after a change
    /// wait for one build instead of each building the same thing.
    building: tokio::sync::Mutex<()>,
}

/// Most entries kept; past this the cache starts afresh (keys come from
/// visitors' filters, so they must not grow without bound).
const MAX_ENTRIES: usize = 512;

impl RosterCache {
    /// The value for `key` at `version`, building it with `build` if missing or outdated.
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
        if let Some(hit) = self.lookup(key, version) {
            return Ok(hit);
        }
        let _building = self.building.lock().await;
        if let Some(hit) = self.lookup(key, version) {
            return Ok(hit);
        }
        let value = Arc::new(build().await?);
        if let Ok(mut map) = self.entries.lock() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(key.to_owned(), (version.to_owned(), value.clone()));
        }
        Ok(value)
    }

    fn lookup<T: Send + Sync + 'static>(&self, key: &str, version: &str) -> Option<Arc<T>> {
        let map = self.entries.lock().ok()?;
        let (v, value) = map.get(key)?;
        if v != version {
            return None;
        }
        value.clone().downcast::<T>().ok()
    }
}
