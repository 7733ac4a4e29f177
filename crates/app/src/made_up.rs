//! Deterministic choices for the made-up data the benchmark seeders write
//! (`convene admin seed-bench`): the same numbers always give the same
//! groups, events, posts and comments.

/// A cheap, deterministic mix of two numbers (SplitMix64's finaliser).
pub(crate) fn mix(a: usize, b: usize) -> u64 {
    let mut z = (a as u64)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add((b as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9))
        .wrapping_add(0x94d0_49bb_1331_11eb);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Picks from a list by a hash.
pub(crate) fn pick<T: Copy>(list: &[T], h: u64) -> T {
    list[(h % list.len() as u64) as usize]
}
