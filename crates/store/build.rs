//! Rebuilds the store when a migration is added or changed: the migrations
//! are embedded in the binary, and a new file alone would not tell cargo.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
