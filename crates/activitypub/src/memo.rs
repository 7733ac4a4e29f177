//! A small bounded memo: values computed from a text key, kept so that the
//! same text is not worked on twice. When full, a tenth of the entries
//! (the oldest inserted) make room.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Values by text key, at most `capacity` of them.
pub struct Memo<V> {
    capacity: usize,
    inner: Mutex<Inner<V>>,
}

struct Inner<V> {
    values: HashMap<String, V>,
    order: VecDeque<String>,
}

impl<V: Clone> Memo<V> {
    /// An empty memo holding at most `capacity` values.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                values: HashMap::new(),
                order: VecDeque::new(),
            }),
        }
    }

    /// The value kept for `key`, or `make()`'s, kept when it succeeds.
    /// Errors are not kept.
    pub fn get_or_try<E>(&self, key: &str, make: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        if let Ok(inner) = self.inner.lock()
            && let Some(v) = inner.values.get(key)
        {
            return Ok(v.clone());
        }
        // Made outside the lock: two callers may both make it once.
        let value = make()?;
        if let Ok(mut inner) = self.inner.lock()
            && !inner.values.contains_key(key)
        {
            if inner.values.len() >= self.capacity {
                let drop = (self.capacity / 10).max(1);
                for _ in 0..drop {
                    if let Some(old) = inner.order.pop_front() {
                        inner.values.remove(&old);
                    }
                }
            }
            inner.values.insert(key.to_owned(), value.clone());
            inner.order.push_back(key.to_owned());
        }
        Ok(value)
    }

    /// How many values are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map(|i| i.values.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn keeps_at_most_its_capacity_and_makes_each_value_once() {
        let memo = Memo::new(10);
        let mut made = 0;
        for round in 0..2 {
            for i in 0..5 {
                let v: Result<usize, ()> = memo.get_or_try(&i.to_string(), || {
                    made += 1;
                    Ok(i)
                });
                assert_eq!(v, Ok(i), "round {round}");
            }
        }
        assert_eq!(made, 5);
        for i in 0..100 {
            let _: Result<usize, ()> = memo.get_or_try(&format!("k{i}"), || Ok(i));
        }
        assert!(memo.len() <= 10, "{}", memo.len());
        let err: Result<usize, &str> = memo.get_or_try("bad", || Err("no"));
        assert_eq!(err, Err("no"));
    }
}
