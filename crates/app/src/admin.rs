//! Coordinator tasks.
