//! How long to wait before the next attempt.

use chrono::Duration;

/// The delay after failed attempt number `attempt` (from 1): 30 s doubled on
/// each attempt, capped at 6 hours, plus up to half again as random jitter
/// (`jitter_millis` is drawn by the caller in `0..=base/2`) so that many
/// jobs failing together do not retry together.
pub fn backoff_delay(attempt: i64, jitter: impl FnOnce(u64) -> u64) -> Duration {
    let exp = attempt.clamp(1, 20) - 1;
    let base_ms: u64 = (30_000u64 << exp).min(6 * 3_600_000);
    Duration::milliseconds((base_ms + jitter(base_ms / 2 + 1)) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_caps_and_jitters() {
        let none = |_| 0;
        assert_eq!(backoff_delay(1, none), Duration::seconds(30));
        assert_eq!(backoff_delay(2, none), Duration::seconds(60));
        assert_eq!(backoff_delay(5, none), Duration::seconds(480));
        assert_eq!(backoff_delay(30, none), Duration::hours(6));
        let most = |bound: u64| bound - 1;
        assert_eq!(backoff_delay(1, most), Duration::seconds(45));
    }
}
