//! Pacing mail to the relay: at most a set number of messages a second, so
//! a list fan-out to thousands does not trip the relay's own rate limits.

use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Spaces sends evenly: each caller waits for the next free slot.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// At most `n` sends a second; `None` for 0 (no limit).
    pub fn per_second(n: u32) -> Option<Self> {
        (n > 0).then(|| Self {
            interval: Duration::from_secs(1) / n,
            next: Mutex::new(None),
        })
    }

    /// Waits until this caller may send.
    pub async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + self.interval);
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sends_are_spaced_evenly() {
        let pacer = Pacer::per_second(50).unwrap_or_else(|| unreachable!());
        let start = Instant::now();
        for _ in 0..6 {
            pacer.wait().await;
        }
        // The first goes at once, the other five 20 ms apart.
        assert!(start.elapsed() >= Duration::from_millis(100));
        assert!(Pacer::per_second(0).is_none());
    }
}
